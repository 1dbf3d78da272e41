/**
 * How well a fitted profile reproduces the sweep it was fitted to: every sweep job run on the model with
 * the profile and compared with what fio measured (the fit error per calibration job). A `fitted`
 * profile reproduces the 4K random jobs by construction; the 128K and mixed jobs show how the paths
 * compose.
 */
import { profileCapacity, type DeviceProfile } from '../profiles.js';
import { runOnModel } from '../targets/sim.js';
import { loadWorkloads } from '../workloads/resolve.js';
import { pointsOf, sweepJobText, type SweepPoint } from './sweep.js';
import type { ValidationRow } from './validate.js';

const errorPct = (predicted: number, measured: number) => (measured === 0 ? 0 : ((predicted - measured) / measured) * 100);

/** One row per sweep point: measured (the sweep) against the model's run of the same job. */
export function fitErrors(
  profile: DeviceProfile,
  points: readonly SweepPoint[],
  o: { size_bytes: number; runtime_s: number; seed: number },
): ValidationRow[] {
  const capacity = profileCapacity(profile);
  const predictedByJob = new Map<string, SweepPoint[]>();
  return points.map((m) => {
    let predicted = predictedByJob.get(m.job.name);
    if (!predicted) {
      const { specs } = loadWorkloads(sweepJobText(m.job, o), m.job.name, capacity);
      predicted = pointsOf(m.job, runOnModel({ jobs: specs, profile, seed: o.seed }));
      predictedByJob.set(m.job.name, predicted);
    }
    const p = predicted.find((q) => q.direction === m.direction);
    const iops = p?.iops ?? 0;
    const mean = p?.clat_mean_ns ?? 0;
    const p99 = p?.clat_p99_ns ?? 0;
    return {
      job: m.job.name,
      direction: m.direction,
      measured_iops: m.iops,
      predicted_iops: iops,
      iops_error_pct: errorPct(iops, m.iops),
      measured_clat_mean_ns: m.clat_mean_ns,
      predicted_clat_mean_ns: mean,
      clat_mean_error_pct: errorPct(mean, m.clat_mean_ns),
      measured_clat_p99_ns: m.clat_p99_ns,
      predicted_clat_p99_ns: p99,
      clat_p99_error_pct: errorPct(p99, m.clat_p99_ns),
    };
  });
}

/** Mean absolute value of one error column, percent (0 for no rows). */
export function meanAbs<R>(rows: readonly R[], error: (row: R) => number): number {
  return rows.reduce((a, r) => a + Math.abs(error(r)), 0) / Math.max(1, rows.length);
}
