/** Net present value per stack: the P10-P90 band from Monte Carlo, the P50, and the point estimate. */
import type * as PlotTypes from '@observablehq/plot';
import { Plot, formatUsd } from './plot-options.js';

export interface NpvBandDatum {
  readonly stack: string;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly point: number;
}

export function npvBandsChart(
  data: readonly NpvBandDatum[],
  options: {
    readonly width?: number;
    readonly samples: number;
    /** Height of one stack's row, px (default 50). */ readonly rowPx?: number;
  },
): PlotTypes.PlotOptions {
  const rows = data as NpvBandDatum[];
  return {
    width: options.width ?? 760,
    height: 60 + (options.rowPx ?? 50) * rows.length,
    marginLeft: 220,
    marginRight: 70, // room for the P50 label written right of the P90 end
    x: {
      grid: true,
      label: `NPV of cost (USD): bar P10-P90 of ${options.samples} samples, dot P50, tick point estimate`,
      tickFormat: formatUsd,
      zero: true,
    },
    y: { domain: rows.map((d) => d.stack), label: null },
    marks: [
      Plot.barX(rows, { y: 'stack', x1: 'p10', x2: 'p90', fill: '#9ecae1', insetTop: 12, insetBottom: 12 }),
      Plot.dot(rows, { y: 'stack', x: 'p50', r: 5, fill: '#08519c' }),
      Plot.tickX(rows, { y: 'stack', x: 'point', stroke: 'black', strokeWidth: 2, insetTop: 6, insetBottom: 6 }),
      Plot.text(rows, { y: 'stack', x: 'p90', text: (d: NpvBandDatum) => formatUsd(d.p50), dx: 6, textAnchor: 'start' }),
    ],
  };
}
