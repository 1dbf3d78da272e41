/**
 * Every profile reproduces every figure of its `datasheet:` block, at the block size, queue depth and
 * job count the datasheet gives: random read IOPS within 5%, sequential read bandwidth within 5%, QD1
 * latencies within 10%, steady-state random write IOPS and sequential write bandwidth within 10%.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDuration, parseSize } from '../../sim/core/units.js';
import type { Datasheet } from '../../sim/devices/nvme/index.js';
import { PROFILE_DIR, loadNvmeProfile, runJob, type HarnessJob, type RunOptions } from './nvme-harness.js';

type FigureKey = keyof Datasheet;

interface Check {
  readonly job: (bs: number, iodepth: number, numjobs: number) => HarnessJob;
  readonly measure: 'iops' | 'bytes_per_s' | 'mean_lat_ns';
  readonly tolerance: number;
  readonly run: RunOptions;
}

// Random writes need the buffer full and GC under way before measuring: 200 ms of ramp, then 800 ms.
const CHECKS: Record<FigureKey, Check> = {
  randread_4k_iops: {
    job: (bs, iodepth, numjobs) => ({ op: 'read', pattern: 'random', bs, iodepth, numjobs }),
    measure: 'iops',
    tolerance: 0.05,
    run: { ramp_ns: 20e6, runtime_ns: 200e6 },
  },
  randwrite_4k_iops: {
    job: (bs, iodepth, numjobs) => ({ op: 'write', pattern: 'random', bs, iodepth, numjobs }),
    measure: 'iops',
    tolerance: 0.1,
    run: { ramp_ns: 200e6, runtime_ns: 800e6 },
  },
  seqread_bytes_per_s: {
    job: (bs, iodepth, numjobs) => ({ op: 'read', pattern: 'sequential', bs, iodepth, numjobs }),
    measure: 'bytes_per_s',
    tolerance: 0.05,
    run: { ramp_ns: 20e6, runtime_ns: 200e6 },
  },
  seqwrite_bytes_per_s: {
    job: (bs, iodepth, numjobs) => ({ op: 'write', pattern: 'sequential', bs, iodepth, numjobs }),
    measure: 'bytes_per_s',
    tolerance: 0.1,
    run: { ramp_ns: 100e6, runtime_ns: 400e6 },
  },
  read_latency_qd1: {
    job: (bs, iodepth, numjobs) => ({ op: 'read', pattern: 'random', bs, iodepth, numjobs }),
    measure: 'mean_lat_ns',
    tolerance: 0.1,
    run: { ramp_ns: 1e6, runtime_ns: 200e6 },
  },
  write_latency_qd1: {
    job: (bs, iodepth, numjobs) => ({ op: 'write', pattern: 'random', bs, iodepth, numjobs }),
    measure: 'mean_lat_ns',
    tolerance: 0.1,
    run: { ramp_ns: 1e6, runtime_ns: 100e6 },
  },
};

/** Built-in profiles of the nvme kind (other kinds may share the folder). */
const profiles = readdirSync(PROFILE_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .filter((f) => /^kind:\s*nvme\s*$/m.test(readFileSync(join(PROFILE_DIR, f), 'utf8')))
  .map((f) => f.slice(0, -'.yaml'.length));

test('the three drive profiles are present', () => {
  expect(profiles).toEqual(expect.arrayContaining(['intel-p4510-4tb', 'intel-p5500-3.84tb', 'optane-p4800x']));
});

for (const name of profiles) {
  describe(`profile ${name}`, () => {
    const { params } = loadNvmeProfile(name);
    const datasheet = params.datasheet ?? {};
    const keys = Object.keys(datasheet) as FigureKey[];

    test('has datasheet figures to check', () => {
      expect(keys).toEqual(expect.arrayContaining(['randread_4k_iops', 'randwrite_4k_iops', 'seqread_bytes_per_s']));
    });

    for (const key of keys) {
      const figure = datasheet[key]!;
      const check = CHECKS[key];
      const expected = typeof figure.value === 'string' ? parseDuration(figure.value, 'ns')! : figure.value;
      test(`${key}: ${figure.value} (bs ${figure.bs}, iodepth ${figure.iodepth}, numjobs ${figure.numjobs}) within ${check.tolerance * 100}%`, () => {
        const job = check.job(parseSize(figure.bs)!, figure.iodepth, figure.numjobs);
        const result = runJob(params, job, check.run);
        const measured = check.measure === 'mean_lat_ns' ? result.lat.mean_ns : result[check.measure];
        expect(result.ios).toBeGreaterThan(1000);
        expect(Math.abs(measured - expected) / expected).toBeLessThanOrEqual(check.tolerance);
      });
    }
  });
}
