/**
 * A run's figures over time, from the API's intervals (GET /runs/:id/intervals), as Plot options: IOPS per
 * pod and direction, and p99 completion latency on a log axis with the p50 beside it. Each interval's
 * percentiles are the model's own (from the interval's histogram), never averages of percentiles.
 */
import type * as PlotTypes from '@observablehq/plot';
import { Plot } from './plot-options.js';

/** One pod's (or job's) interval in one direction. */
export interface IntervalRow {
  /** End of the interval, s. */
  readonly time_s: number;
  readonly pod: string;
  readonly direction: string;
  readonly iops: number;
  readonly clat_p50_us: number;
  readonly clat_p99_us: number;
}

const seriesOf = (r: IntervalRow) => `${r.pod} ${r.direction}`;
/** Series in a stable order: the colour of a pod and direction does not depend on the rows' order. */
const seriesDomain = (rows: readonly IntervalRow[]) => [...new Set(rows.map(seriesOf))].sort();

/** IOPS of each pod and direction per interval. */
export function iopsOverTimeChart(rows: readonly IntervalRow[], width = 760): PlotTypes.PlotOptions {
  const domain = seriesDomain(rows);
  return {
    ariaLabel: 'IOPS per pod and direction over time',
    ariaDescription: `${domain.length} series over ${new Set(rows.map((r) => r.time_s)).size} intervals`,
    width,
    height: 320,
    marginLeft: 60,
    x: { label: 'time (s, end of interval)', grid: true },
    y: { label: 'IOPS', grid: true, zero: true },
    color: { domain, legend: true, scheme: 'tableau10' },
    marks: [
      Plot.lineY(rows as IntervalRow[], { x: 'time_s', y: 'iops', stroke: seriesOf, marker: 'circle-stroke', tip: true }),
      Plot.ruleY([0]),
    ],
  };
}

/** p99 (solid) and p50 (dashed) completion latency of each pod and direction per interval, log axis. */
export function latencyOverTimeChart(rows: readonly IntervalRow[], width = 760): PlotTypes.PlotOptions {
  const domain = seriesDomain(rows);
  const positive = (rows as IntervalRow[]).filter((r) => r.clat_p99_us > 0);
  return {
    ariaLabel: 'p99 and p50 completion latency per pod and direction over time',
    ariaDescription: `${domain.length} series; solid p99, dashed p50`,
    width,
    height: 320,
    marginLeft: 60,
    x: { label: 'time (s, end of interval)', grid: true },
    y: { type: 'log', label: 'completion latency (us): p99 solid, p50 dashed', grid: true },
    color: { domain, legend: true, scheme: 'tableau10' },
    marks: [
      Plot.lineY(positive, { x: 'time_s', y: 'clat_p99_us', stroke: seriesOf, tip: true }),
      Plot.lineY(
        positive.filter((r) => r.clat_p50_us > 0),
        { x: 'time_s', y: 'clat_p50_us', stroke: seriesOf, strokeDasharray: '4,3', strokeOpacity: 0.7 },
      ),
    ],
  };
}
