/**
 * Validation of a profile against the hardware: each job file runs on the host (fio) and on the model
 * (the profile), and each job and direction gets measured vs predicted IOPS, mean and p99 completion
 * latency, and the error in percent ((predicted - measured) / measured).
 */
import { profileCapacity, type DeviceProfile } from '../profiles.js';
import { runOnModel } from '../targets/sim.js';
import { runOnHost } from '../targets/host/run-on-host.js';
import { loadWorkloads } from '../workloads/resolve.js';
import type { RunMeasurement } from '../results/measurement.js';

export interface ValidationRow {
  readonly job: string;
  readonly direction: 'read' | 'write';
  readonly measured_iops: number;
  readonly predicted_iops: number;
  readonly iops_error_pct: number;
  readonly measured_clat_mean_ns: number;
  readonly predicted_clat_mean_ns: number;
  readonly clat_mean_error_pct: number;
  readonly measured_clat_p99_ns: number;
  readonly predicted_clat_p99_ns: number;
  readonly clat_p99_error_pct: number;
}

export interface ValidationJob {
  /** Name for the report (the job file's path). */
  readonly name: string;
  readonly text: string;
}

const errorPct = (predicted: number, measured: number) =>
  measured === 0 ? (predicted === 0 ? 0 : Infinity) : ((predicted - measured) / measured) * 100;

/** Rows comparing a host run with a model run of the same job file (jobs matched by position). */
export function compareRuns(name: string, measured: RunMeasurement, predicted: RunMeasurement): ValidationRow[] {
  const rows: ValidationRow[] = [];
  measured.jobs.forEach((mj, i) => {
    const pj = predicted.jobs[i];
    if (!pj) return;
    for (const direction of ['read', 'write'] as const) {
      const m = mj.measured[direction];
      const p = pj.measured[direction];
      if (m.total_ios === 0) continue;
      const mIops = (m.total_ios * 1e9) / mj.measured.window_ns;
      const pIops = pj.measured.window_ns > 0 ? (p.total_ios * 1e9) / pj.measured.window_ns : 0;
      rows.push({
        job: measured.jobs.length > 1 ? `${name}:${mj.name}` : name,
        direction,
        measured_iops: mIops,
        predicted_iops: pIops,
        iops_error_pct: errorPct(pIops, mIops),
        measured_clat_mean_ns: m.clat.mean_ns,
        predicted_clat_mean_ns: p.clat.mean_ns,
        clat_mean_error_pct: errorPct(p.clat.mean_ns, m.clat.mean_ns),
        measured_clat_p99_ns: m.clat.percentile(99),
        predicted_clat_p99_ns: p.clat.percentile(99),
        clat_p99_error_pct: errorPct(p.clat.percentile(99), m.clat.percentile(99)),
      });
    }
  });
  return rows;
}

/** Runs every job on the host and on the model and compares them. */
export async function validateProfile(
  profile: DeviceProfile,
  jobs: readonly ValidationJob[],
  o: { filename: string; seed: number; log?: (m: string) => void },
): Promise<ValidationRow[]> {
  const capacity = profileCapacity(profile);
  const rows: ValidationRow[] = [];
  for (const job of jobs) {
    const { specs } = loadWorkloads(job.text, job.name, capacity);
    o.log?.(`validate ${job.name}: host`);
    const host = await runOnHost({ jobFile: job.name, text: job.text, filename: o.filename });
    o.log?.(`validate ${job.name}: model`);
    const model = runOnModel({ jobs: specs, profile, seed: o.seed });
    rows.push(...compareRuns(job.name, host.measurement, model));
  }
  return rows;
}

/** The rows as an aligned table. */
export function validationTable(rows: readonly ValidationRow[]): string {
  const us = (ns: number) => (ns / 1000).toFixed(1);
  const pct = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`;
  const header = ['job', 'dir', 'IOPS meas', 'IOPS pred', 'err', 'mean us meas', 'pred', 'err', 'p99 us meas', 'pred', 'err'];
  const lines = rows.map((r) => [
    r.job,
    r.direction,
    r.measured_iops.toFixed(0),
    r.predicted_iops.toFixed(0),
    pct(r.iops_error_pct),
    us(r.measured_clat_mean_ns),
    us(r.predicted_clat_mean_ns),
    pct(r.clat_mean_error_pct),
    us(r.measured_clat_p99_ns),
    us(r.predicted_clat_p99_ns),
    pct(r.clat_p99_error_pct),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c]!.length)));
  const fmt = (cells: string[]) => cells.map((x, c) => (c < 2 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n') + '\n';
}
