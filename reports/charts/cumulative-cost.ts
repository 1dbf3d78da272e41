/** Cumulative cost month by month for every stack, with the appliance's break-even against each alternative marked. */
import type * as PlotTypes from '@observablehq/plot';
import { Plot, formatUsd } from './plot-options.js';

export interface CumulativeDatum {
  readonly stack: string;
  readonly month: number;
  readonly cumulative_usd: number;
}

export interface BreakEvenMark {
  /** The alternative's label. */
  readonly against: string;
  readonly month: number;
  readonly cumulative_usd: number;
}

export interface CumulativeOptions {
  readonly stacks: readonly string[];
  readonly months: number;
  readonly breakEvens: readonly BreakEvenMark[];
  readonly width?: number;
}

/** Break-evens after month 0 are marked (from day one there is no crossing to mark), labels stepped apart. */
export function cumulativeCostChart(data: readonly CumulativeDatum[], options: CumulativeOptions): PlotTypes.PlotOptions {
  const marks = options.breakEvens
    .filter((b) => b.month > 0)
    .slice()
    .sort((a, b) => a.month - b.month)
    .map((b, i) => ({ ...b, dy: -14 - 18 * i }));
  return {
    width: options.width ?? 760,
    height: 360,
    marginLeft: 60,
    x: { domain: [0, options.months], label: 'Month', ticks: Math.min(12, options.months / 3) },
    y: { grid: true, label: 'Cumulative cost (USD)', tickFormat: formatUsd, zero: true },
    color: { domain: [...options.stacks], legend: true, scheme: 'tableau10' },
    marks: [
      Plot.line(data as CumulativeDatum[], { x: 'month', y: 'cumulative_usd', stroke: 'stack', strokeWidth: 2, curve: 'step-after' }),
      Plot.ruleX(marks, { x: 'month', stroke: '#888', strokeDasharray: '4,3' }),
      Plot.dot(marks, { x: 'month', y: 'cumulative_usd', r: 5, stroke: 'black', fill: 'white' }),
      ...marks.map((m) =>
        Plot.text([m], {
          x: 'month',
          y: 'cumulative_usd',
          text: (d: BreakEvenMark) => `break-even vs ${d.against}: month ${d.month}`,
          dy: m.dy,
          dx: 6,
          textAnchor: 'start',
          fontSize: 10,
          fill: 'black',
          stroke: 'white',
          strokeWidth: 3,
          paintOrder: 'stroke',
        }),
      ),
    ],
  };
}
