/**
 * The validation report's charts (anvil calibrate --validate: the model against fio on the hardware), each
 * a function from data to Plot options like every chart here: measured against predicted per job (IOPS or
 * p99 latency) and each figure's error. Drawn by renderPlot (plot-svg.ts) into the report, so the report
 * has no jsdom path of its own.
 */
import type * as PlotTypes from '@observablehq/plot';
import { Plot, wrapLabel } from './plot-options.js';

/** One job and direction as the validation measured and predicted it (latencies in ns). */
export interface ValidationFigures {
  readonly job: string;
  readonly direction: 'read' | 'write';
  readonly measured_iops: number;
  readonly predicted_iops: number;
  readonly measured_clat_p99_ns: number;
  readonly predicted_clat_p99_ns: number;
  /** (predicted - measured) / measured, percent. */
  readonly iops_error_pct: number;
  readonly clat_mean_error_pct: number;
  readonly clat_p99_error_pct: number;
}

/** A job's name on the charts and in the table: "qd8.fio", or "mix.fio (write)". */
export const validationLabel = (r: ValidationFigures) => `${r.job}${r.direction === 'write' ? ' (write)' : ''}`;

/** Measured and predicted side by side per job: IOPS, or p99 completion latency in us. */
export function validationBarsChart(rows: readonly ValidationFigures[], y: 'iops' | 'p99_us', title: string): PlotTypes.PlotOptions {
  const long = rows.flatMap((r) => [
    { job: validationLabel(r), source: 'measured', iops: r.measured_iops, p99_us: r.measured_clat_p99_ns / 1000 },
    { job: validationLabel(r), source: 'predicted', iops: r.predicted_iops, p99_us: r.predicted_clat_p99_ns / 1000 },
  ]);
  return {
    title,
    ariaLabel: `${title}: measured against predicted per job`,
    marginBottom: 80,
    // SI ticks ("1.2M", "400k") keep the axis narrow whatever the drive does.
    marginLeft: 50,
    // Room for the last facet's name, which may be wider than its facet, and for a name on two lines above.
    marginRight: 60,
    marginTop: 40,
    x: { label: null, tickRotate: -20 },
    // A long job name breaks before its direction, so the last facet's name stays inside the chart.
    fx: { label: null, tickFormat: (job: string) => wrapLabel(job, 20) },
    y: { grid: true, nice: true, label: title, tickFormat: '~s' },
    color: { legend: true, domain: ['measured', 'predicted'] },
    marks: [Plot.barY(long, { fx: 'job', x: 'source', y, fill: 'source' }), Plot.ruleY([0])],
  };
}

/** Each job's error of IOPS, mean and p99 latency, percent, as dots about zero. */
export function validationErrorChart(rows: readonly ValidationFigures[]): PlotTypes.PlotOptions {
  const errors = rows.flatMap((r) => [
    { job: validationLabel(r), figure: 'IOPS', error: r.iops_error_pct },
    { job: validationLabel(r), figure: 'mean latency', error: r.clat_mean_error_pct },
    { job: validationLabel(r), figure: 'p99 latency', error: r.clat_p99_error_pct },
  ]);
  return {
    title: 'error, percent ((predicted - measured) / measured)',
    ariaLabel: "each job's error of IOPS, mean and p99 latency, percent",
    // Room for the longest job name at the charts' 12 px font (about 7.8 px a character), at least what short names need.
    marginLeft: Math.max(80, Math.ceil(7.8 * Math.max(0, ...errors.map((e) => e.job.length))) + 12),
    x: { grid: true, label: 'error (%)' },
    y: { label: null },
    color: { legend: true },
    marks: [Plot.dot(errors, { x: 'error', y: 'job', fill: 'figure', r: 5 }), Plot.ruleX([0])],
  };
}
