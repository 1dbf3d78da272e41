/**
 * Held-out error with the host's repeatability beside it: each job (not in the calibration sweep) runs
 * on the host twice and on the model once per profile. A prediction's error is against the mean of the
 * two host runs; the repeatability is the two runs' difference over their mean, the noise floor of any
 * comparison on the machine.
 */
import { profileCapacity, type DeviceProfile } from '../profiles.js';
import { runOnHost } from '../targets/host/run-on-host.js';
import { runOnModel } from '../targets/sim.js';
import { loadWorkloads } from '../workloads/resolve.js';
import { pointsOf, sweepJobText, type SweepJob, type SweepPoint } from './sweep.js';

/** The held-out jobs of the bench: depths, a size and mixes the sweep did not use. */
export const HELD_OUT_JOBS: readonly SweepJob[] = [
  { name: 'randread-4k-qd3', rw: 'randread', bs_bytes: 4096, iodepth: 3 },
  { name: 'randread-4k-qd12', rw: 'randread', bs_bytes: 4096, iodepth: 12 },
  { name: 'randread-4k-qd48', rw: 'randread', bs_bytes: 4096, iodepth: 48 },
  { name: 'randwrite-4k-qd3', rw: 'randwrite', bs_bytes: 4096, iodepth: 3 },
  { name: 'randwrite-4k-qd24', rw: 'randwrite', bs_bytes: 4096, iodepth: 24 },
  { name: 'randread-16k-qd4', rw: 'randread', bs_bytes: 16384, iodepth: 4 },
  { name: 'mix-70-30-4k-qd8', rw: 'randrw', bs_bytes: 4096, iodepth: 8, rwmixread: 70 },
  { name: 'mix-50-50-4k-qd32', rw: 'randrw', bs_bytes: 4096, iodepth: 32, rwmixread: 50 },
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

export async function heldOutErrors(
  profiles: readonly { name: string; profile: DeviceProfile }[],
  jobs: readonly SweepJob[],
  o: { filename: string; size_bytes: number; runtime_s: number; seed: number; log?: (m: string) => void },
): Promise<HeldOutRow[]> {
  const rows: HeldOutRow[] = [];
  for (const job of jobs) {
    const text = sweepJobText(job, o);
    const runs: SweepPoint[][] = [];
    for (const run of [1, 2]) {
      o.log?.(`held out ${job.name}: host run ${run}/2`);
      runs.push(pointsOf(job, (await runOnHost({ jobFile: job.name, text, filename: o.filename })).measurement));
    }
    const predictions = profiles.map(({ name, profile }) => {
      const { specs } = loadWorkloads(text, job.name, profileCapacity(profile));
      return { name, points: pointsOf(job, runOnModel({ jobs: specs, profile, seed: o.seed })) };
    });
    for (const first of runs[0]!) {
      const second = runs[1]!.find((p) => p.direction === first.direction);
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
