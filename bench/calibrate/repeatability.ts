/**
 * The host's own repeatability, measured during a calibration (schedule.ts): how far the reference job's
 * runs across the schedule spread (the drift over time), how far a sweep job's repeats and a held-out
 * job's two runs spread. A model's error on this machine cannot be told apart from a spread larger than
 * it, so every report of model error carries these beside it, and says when they exceed the goal.
 */
import type { CalibrationRuns } from './schedule.js';
import type { SweepPoint } from './sweep.js';

/** Issue 16's goal for the held-out jobs: mean |IOPS error| and mean |p99 error|, percent. */
export const CALIBRATION_GOAL = { iops_pct: 10, p99_pct: 15 } as const;

/** Spreads in percent: (largest - smallest) / mean of the runs. */
export interface HostRepeatability {
  /** Runs of the reference job, at the start, every few jobs and at the end. */
  readonly reference_runs: number;
  readonly reference_iops_spread_pct: number;
  readonly reference_p99_spread_pct: number;
  /** (last run - first run) / mean IOPS of the reference job, percent: the drift from start to end, signed. */
  readonly reference_drift_pct: number;
  /** Mean over sweep jobs run more than once (`--repeat`) of their runs' spread; undefined with one run each. */
  readonly repeats_iops_spread_pct?: number;
  readonly repeats_p99_spread_pct?: number;
  /** Mean over held-out job directions of their two runs' spread; undefined without held-out jobs. */
  readonly held_out_iops_spread_pct?: number;
  readonly held_out_p99_spread_pct?: number;
}

/** (max - min) / mean of `values`, percent (0 for fewer than two or a zero mean). */
export function spreadPct(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  return mean > 0 ? ((Math.max(...values) - Math.min(...values)) / mean) * 100 : 0;
}

/** Mean spread over the job directions of a set of repeated jobs (each job's runs, per direction). */
function meanSpread(jobs: readonly { runs: SweepPoint[][] }[], pick: (p: SweepPoint) => number): number | undefined {
  const spreads: number[] = [];
  for (const { runs } of jobs) {
    if (runs.length < 2) continue;
    for (const direction of ['read', 'write'] as const) {
      const values = runs.flatMap((points) => points.filter((p) => p.direction === direction).map(pick));
      if (values.length === runs.length) spreads.push(spreadPct(values));
    }
  }
  return spreads.length > 0 ? spreads.reduce((a, v) => a + v, 0) / spreads.length : undefined;
}

export function hostRepeatability(runs: CalibrationRuns): HostRepeatability {
  const reference = runs.reference.runs.map((r) => r.points.find((p) => p.direction === 'read')).filter((p) => p !== undefined);
  const iops = reference.map((p) => p.iops);
  const mean = iops.reduce((a, v) => a + v, 0) / Math.max(1, iops.length);
  return {
    reference_runs: reference.length,
    reference_iops_spread_pct: spreadPct(iops),
    reference_p99_spread_pct: spreadPct(reference.map((p) => p.clat_p99_ns)),
    reference_drift_pct: iops.length >= 2 && mean > 0 ? ((iops[iops.length - 1]! - iops[0]!) / mean) * 100 : 0,
    repeats_iops_spread_pct: meanSpread(runs.sweepRuns, (p) => p.iops),
    repeats_p99_spread_pct: meanSpread(runs.sweepRuns, (p) => p.clat_p99_ns),
    held_out_iops_spread_pct: meanSpread(runs.heldOut, (p) => p.iops),
    held_out_p99_spread_pct: meanSpread(runs.heldOut, (p) => p.clat_p99_ns),
  };
}

/** The host's largest spread of IOPS and of p99 among those measured, percent. */
export function worstSpread(r: HostRepeatability): { iops_pct: number; p99_pct: number } {
  const defined = (values: (number | undefined)[]) => Math.max(0, ...values.filter((v) => v !== undefined));
  return {
    iops_pct: defined([r.reference_iops_spread_pct, r.repeats_iops_spread_pct, r.held_out_iops_spread_pct]),
    p99_pct: defined([r.reference_p99_spread_pct, r.repeats_p99_spread_pct, r.held_out_p99_spread_pct]),
  };
}

/**
 * The repeatability as report lines, ending with a warning when the host's own spread is above the
 * goal (then a model error of that size is the machine's, not necessarily the model's).
 */
export function repeatabilityLines(r: HostRepeatability, reference: string, goal = CALIBRATION_GOAL): string[] {
  const pct = (v: number) => `${v.toFixed(1)}%`;
  const lines = [
    `host repeatability: ${reference} run ${r.reference_runs} times across the calibration: IOPS spread ${pct(r.reference_iops_spread_pct)} (drift start to end ${r.reference_drift_pct >= 0 ? '+' : ''}${pct(r.reference_drift_pct)}), p99 spread ${pct(r.reference_p99_spread_pct)}`,
  ];
  if (r.repeats_iops_spread_pct !== undefined)
    lines.push(
      `host repeatability: the sweep's repeated runs of each job: mean IOPS spread ${pct(r.repeats_iops_spread_pct)}, p99 ${pct(r.repeats_p99_spread_pct ?? 0)}`,
    );
  if (r.held_out_iops_spread_pct !== undefined)
    lines.push(
      `host repeatability: the held-out jobs' two runs: mean IOPS spread ${pct(r.held_out_iops_spread_pct)}, p99 ${pct(r.held_out_p99_spread_pct ?? 0)}`,
    );
  const worst = worstSpread(r);
  const over = [
    worst.iops_pct > goal.iops_pct ? `IOPS ${pct(worst.iops_pct)} > ${goal.iops_pct}%` : '',
    worst.p99_pct > goal.p99_pct ? `p99 ${pct(worst.p99_pct)} > ${goal.p99_pct}%` : '',
  ].filter((s) => s !== '');
  if (over.length > 0)
    lines.push(
      `warning: this host's own spread is larger than the goal (${over.join(', ')}): model errors of that size cannot be told from the machine's noise; calibrate on a quieter machine or with --repeat`,
    );
  return lines;
}
