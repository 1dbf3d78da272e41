/**
 * Model accuracy on this host: calibrate a queue profile on a file in the temporary folder, then run
 * held-out jobs (4K random read at depths the sweep did not use, a 70/30 mix) on the host and on the
 * model, and print the error of IOPS, mean and p99 latency. The published reference is MQSim's 3-5%
 * at QD1 on synthetic workloads (Tavakkol et al., FAST 2018); QD1 is printed beside the held-out ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitQueue, queueProfileYaml } from '../calibrate/fit-queue.js';
import { runSweep, sweepJobText, type SweepJob } from '../calibrate/sweep.js';
import { validateProfile } from '../calibrate/validate.js';
import { parseProfile } from '../profiles.js';
import { findFio } from '../targets/host/fio-binary.js';
import type { BenchSection, Row, SectionOptions } from './section.js';

const HELD_OUT: SweepJob[] = [
  { name: 'randread-4k-qd1', rw: 'randread', bs_bytes: 4096, iodepth: 1 },
  { name: 'randread-4k-qd1-again', rw: 'randread', bs_bytes: 4096, iodepth: 1 },
  { name: 'randread-4k-qd3', rw: 'randread', bs_bytes: 4096, iodepth: 3 },
  { name: 'randread-4k-qd12', rw: 'randread', bs_bytes: 4096, iodepth: 12 },
  { name: 'randread-4k-qd48', rw: 'randread', bs_bytes: 4096, iodepth: 48 },
  { name: 'mix-70-30-4k-qd8', rw: 'randrw', bs_bytes: 4096, iodepth: 8, rwmixread: 70 },
];

async function run({ quick, log }: SectionOptions): Promise<Row[]> {
  try {
    findFio();
  } catch (e) {
    return [{ name: 'calibrated model, held-out jobs', value: null, unit: '%', note: (e as Error).message }];
  }
  const work = mkdtempSync(join(tmpdir(), 'anvil-bench-calibrate-'));
  try {
    const runtime_s = quick ? 0.3 : 1;
    const size_bytes = 256 << 20;
    const filename = join(work, 'data.bin');
    const repeat = quick ? 1 : 3;
    const points = await runSweep({ filename, size_bytes, runtime_s, repeat, log });
    const fit = fitQueue(points);
    const profile = parseProfile(
      queueProfileYaml(fit, points, { filename, host: 'bench', date: '', fioVersion: '', capacity_bytes: size_bytes }),
      join(work, 'calibrated.yaml'),
    );
    const jobs = HELD_OUT.map((j) => ({ name: j.name, text: sweepJobText(j, { size_bytes, runtime_s }) }));
    const rows = await validateProfile(profile, jobs, { filename, seed: 1, log });
    const out: Row[] = [];
    for (const r of rows) {
      const label = `${r.job}${r.direction === 'write' ? ' (write)' : ''}`;
      const note = `measured ${r.measured_iops.toFixed(0)} IOPS, ${(r.measured_clat_mean_ns / 1000).toFixed(1)} us mean, ${(r.measured_clat_p99_ns / 1000).toFixed(0)} us p99; predicted ${r.predicted_iops.toFixed(0)}, ${(r.predicted_clat_mean_ns / 1000).toFixed(1)}, ${(r.predicted_clat_p99_ns / 1000).toFixed(0)}`;
      out.push({ name: `${label}: IOPS error`, value: r.iops_error_pct, unit: '%', note });
      out.push({ name: `${label}: mean latency error`, value: r.clat_mean_error_pct, unit: '%' });
      out.push({ name: `${label}: p99 latency error`, value: r.clat_p99_error_pct, unit: '%' });
    }
    const heldOut = rows.filter((r) => !r.job.startsWith('randread-4k-qd1'));
    const meanAbs = (f: (r: (typeof rows)[number]) => number) =>
      heldOut.reduce((a, r) => a + Math.abs(f(r)), 0) / Math.max(1, heldOut.length);
    out.push({
      name: 'held-out jobs: mean |IOPS error|',
      value: meanAbs((r) => r.iops_error_pct),
      unit: '%',
      note: `${heldOut.length} job directions at depths the sweep did not use, and a mix`,
    });
    out.push({ name: 'held-out jobs: mean |p99 latency error|', value: meanAbs((r) => r.clat_p99_error_pct), unit: '%' });
    // The host's own repeatability: the same QD1 job twice. No model can be more accurate than this.
    const [first, again] = ['randread-4k-qd1', 'randread-4k-qd1-again'].map((n) => rows.find((r) => r.job === n)!);
    if (first && again)
      out.push({
        name: 'host repeatability: QD1 IOPS, run 2 vs run 1',
        value: ((again.measured_iops - first.measured_iops) / first.measured_iops) * 100,
        unit: '%',
        note: 'the noise floor of any comparison on this machine',
      });
    out.push({
      name: 'fitted queue profile',
      value: fit.servers,
      unit: 'servers',
      note: `mean service ${(fit.service_mean_ns / 1000).toFixed(1)} us (QD1 latency x ${fit.scale.toFixed(2)}), ${runtime_s} s per sweep job, median of ${repeat}, libaio direct on ${tmpdir()}; MQSim reference: 3-5% at QD1 (FAST 2018)`,
    });
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const hostCalibrationSection: BenchSection = {
  name: 'host-calibration',
  description: 'calibrate a queue profile on this host, then predicted vs measured on held-out jobs (percent error)',
  run,
};
