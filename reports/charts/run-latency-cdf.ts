/**
 * A run's completion latency CDF per pod and direction, from the API's merged histograms (GET
 * /runs/:id/latency-cdf): one line per pod and direction on a log latency axis, the fraction on the nines
 * axis the comparison's CDF uses (each step up one more nine), so p99 and p99.9 get the median's room.
 */
import type * as PlotTypes from '@observablehq/plot';
import { nines, ninesAxis } from './comparison.js';
import { Plot } from './plot-options.js';

/** One pod's CDF in one direction, as the API gives it. */
export interface LatencyCdfSeriesRow {
  readonly pod: string;
  readonly direction: string;
  readonly ios: number;
  readonly p99_us: number;
  /** The latency (us) at or below which `fraction` (0..1) of the I/Os completed. */
  readonly points: readonly { readonly fraction: number; readonly latency_us: number }[];
}

const seriesOf = (s: { pod: string; direction: string }) => `${s.pod} ${s.direction}`;

/** One line per pod and direction: latency (log) against the fraction of I/Os at or below it (nines). */
export function latencyCdfPerPodChart(series: readonly LatencyCdfSeriesRow[], width = 760): PlotTypes.PlotOptions {
  const domain = series.map(seriesOf).sort();
  const data = series.flatMap((s) =>
    s.points.filter((p) => p.latency_us > 0).map((p) => ({ series: seriesOf(s), latency_us: p.latency_us, nines: nines(p.fraction) })),
  );
  return {
    ariaLabel: 'completion latency CDF per pod and direction, from the merged histograms',
    ariaDescription: series.map((s) => `${seriesOf(s)}: p99 ${s.p99_us} us over ${s.ios} I/Os`).join('; '),
    width,
    height: 340,
    marginLeft: 60,
    x: { type: 'log', label: 'completion latency (us)', grid: true },
    y: ninesAxis('I/Os at or below (each step one more nine)'),
    color: { domain, legend: true, scheme: 'tableau10' },
    marks: [Plot.line(data, { x: 'latency_us', y: 'nines', stroke: 'series', tip: true })],
  };
}
