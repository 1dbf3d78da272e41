/**
 * Queue depth against latency: in a closed loop Little's law ties them (mean latency = QD / IOPS), and
 * as the queue deepens throughput rises to the bottleneck's rate while latency grows.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { JobResult } from './nvme-harness.js';
import { loadNvmeProfile, runJob } from './nvme-harness.js';

const DEPTHS = [1, 2, 4, 8, 16, 32, 64];

for (const name of ['intel-p4510-4tb', 'optane-p4800x']) {
  describe(`${name}: 4K random read, QD ${DEPTHS.join(', ')}`, () => {
    const { params } = loadNvmeProfile(name);
    let runs: (JobResult & { iodepth: number })[] = [];
    beforeAll(() => {
      runs = DEPTHS.map((iodepth) => ({
        iodepth,
        ...runJob(params, { op: 'read', pattern: 'random', bs: 4096, iodepth }, { ramp_ns: 10e6, runtime_ns: 100e6 }),
      }));
    });

    test("mean latency is QD / IOPS within 2% (Little's law)", () => {
      for (const r of runs) {
        const little_ns = (r.iodepth / r.iops) * 1e9;
        expect(Math.abs(r.lat.mean_ns - little_ns) / little_ns).toBeLessThan(0.02);
      }
    });

    test('throughput grows with queue depth until the drive saturates, then latency grows instead', () => {
      // Service times are deterministic, so at low depths I/Os can settle into a rhythm where they never
      // meet: latency may stay flat before it grows, never fall.
      for (let i = 1; i < runs.length; i++) {
        expect(runs[i]!.iops).toBeGreaterThanOrEqual(runs[i - 1]!.iops * 0.999);
        expect(runs[i]!.lat.mean_ns).toBeGreaterThanOrEqual(runs[i - 1]!.lat.mean_ns * (1 - 1e-9));
      }
      expect(runs[3]!.iops).toBeGreaterThan(4 * runs[0]!.iops); // QD8 against QD1
      expect(runs.at(-1)!.lat.mean_ns).toBeGreaterThan(1.2 * runs[0]!.lat.mean_ns); // QD64 against QD1
    });

    test('a deeper queue than the drive can use only adds waiting: QD64 IOPS is at most the datasheet figure', () => {
      const peak = params.datasheet!.randread_4k_iops!.value;
      expect(runs.at(-1)!.iops).toBeLessThanOrEqual(peak * 1.01);
      // QD1 runs one I/O at a time: throughput is exactly 1 / latency.
      const qd1 = runs[0]!;
      expect(qd1.iops * qd1.lat.mean_ns * 1e-9).toBeCloseTo(1, 2);
    });
  });
}
