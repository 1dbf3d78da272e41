/**
 * Held-out error with the host's repeatability beside it: each job (not in the calibration sweep) runs
 * on the host twice, interleaved with the sweep (schedule.ts), and on the model once per profile. A
 * prediction's error is against the mean of the two host runs; the repeatability is the two runs'
 * difference over their mean, the noise floor of any comparison on the machine.
 */
import { profileCapacity, type DeviceProfile } from '../profiles.js';
import { runOnModel } from '../targets/sim.js';
import { loadWorkloads } from '../workloads/resolve.js';
import { pointsOf, sweepJobText, type SweepJob, type SweepPoint } from './sweep.js';

/** The held-out jobs of the bench: depths, sizes (8K, 32K) and mixes (70/30, 30/70) the sweep did not use. */
export const HELD_OUT_JOBS: readonly SweepJob[] = [
  { name: 'randread-4k-qd3', rw: 'randread', bs_bytes: 4096, iodepth: 3 },
  { name: 'randread-4k-qd12', rw: 'randread', bs_bytes: 4096, iodepth: 12 },
  { name: 'randread-4k-qd48', rw: 'randread', bs_bytes: 4096, iodepth: 48 },
  { name: 'randwrite-4k-qd3', rw: 'randwrite', bs_bytes: 4096, iodepth: 3 },
  { name: 'randwrite-4k-qd24', rw: 'randwrite', bs_bytes: 4096, iodepth: 24 },
  { name: 'randread-8k-qd4', rw: 'randread', bs_bytes: 8192, iodepth: 4 },
  { name: 'randread-32k-qd4', rw: 'randread', bs_bytes: 32768, iodepth: 4 },
  { name: 'randwrite-32k-qd8', rw: 'randwrite', bs_bytes: 32768, iodepth: 8 },
  { name: 'mix-70-30-4k-qd8', rw: 'randrw', bs_bytes: 4096, iodepth: 8, rwmixread: 70 },
  { name: 'mix-30-70-4k-qd16', rw: 'randrw', bs_bytes: 4096, iodepth: 16, rwmixread: 30 },
];

/** One job and direction: the two host runs, and per profile the prediction and its errors. */
export interface HeldOutRow {
  readonly job: string;
  readonly direction: 'read' | 'write';
  readonly measured: readonly [SweepPoint, SweepPoint];
  /** |run 2 - run 1| / their mean, percent. */
  readonly iops_repeatability_pct: number;
  readonly p99_repeatability_pct: number;
  readonly predicted: readonly { profile: string; point: SweepPoint; iops_error_pct: number; clat_p99_error_pct: number }[];
}

const spread = (a: number, b: number) => (a + b === 0 ? 0 : (Math.abs(a - b) / ((a + b) / 2)) * 100);
const error = (predicted: number, measured: number) => (measured === 0 ? 0 : ((predicted - measured) / measured) * 100);

/** Each held-out job's first two host runs against each profile's model run of the same job. */
export function heldOutErrors(
  profiles: readonly { name: string; profile: DeviceProfile }[],
  measured: readonly { job: SweepJob; runs: readonly SweepPoint[][] }[],
  o: { size_bytes: number; runtime_s: number; seed: number },
): HeldOutRow[] {
  const rows: HeldOutRow[] = [];
  for (const { job, runs } of measured) {
    const [firstRun, secondRun] = runs;
    if (!firstRun || !secondRun) continue;
    const text = sweepJobText(job, o);
    const predictions = profiles.map(({ name, profile }) => {
      const { specs } = loadWorkloads(text, job.name, profileCapacity(profile));
      return { name, points: pointsOf(job, runOnModel({ jobs: specs, profile, seed: o.seed })) };
    });
    for (const first of firstRun) {
      const second = secondRun.find((p) => p.direction === first.direction);
      if (!second) continue;
      const iops = (first.iops + second.iops) / 2;
      const p99 = (first.clat_p99_ns + second.clat_p99_ns) / 2;
      rows.push({
        job: job.name,
        direction: first.direction,
        measured: [first, second],
        iops_repeatability_pct: spread(first.iops, second.iops),
        p99_repeatability_pct: spread(first.clat_p99_ns, second.clat_p99_ns),
        predicted: predictions.flatMap(({ name, points }) => {
          const point = points.find((p) => p.direction === first.direction);
          return point
            ? [{ profile: name, point, iops_error_pct: error(point.iops, iops), clat_p99_error_pct: error(point.clat_p99_ns, p99) }]
            : [];
        }),
      });
    }
  }
  return rows;
}
