/** Stacked bars: each stack's cost over the horizon, split by category. */
import type * as PlotTypes from '@observablehq/plot';
import { Plot, formatUsd, wrapLabel } from './plot-options.js';

export interface CostBarDatum {
  readonly stack: string;
  readonly category: string;
  readonly cost_usd: number;
}

export interface CostBarOptions {
  /** Stacks in display order (labels). */
  readonly stacks: readonly string[];
  /** Categories in stacking order (labels). */
  readonly categories: readonly string[];
  readonly width?: number;
}

export function costBarsChart(data: readonly CostBarDatum[], options: CostBarOptions): PlotTypes.PlotOptions {
  return {
    width: options.width ?? 760,
    height: 360,
    marginLeft: 60,
    marginBottom: 60,
    x: { domain: [...options.stacks], label: null, tickFormat: (d: string) => wrapLabel(d, 22) },
    y: { grid: true, label: 'Cost over the horizon (USD)', tickFormat: formatUsd },
    color: { domain: [...options.categories], legend: true, scheme: 'tableau10' },
    marks: [
      Plot.barY(data as CostBarDatum[], {
        x: 'stack',
        y: 'cost_usd',
        fill: 'category',
        order: [...options.categories],
        title: (d: CostBarDatum) => `${d.stack}\n${d.category}: ${formatUsd(d.cost_usd)}`,
      }),
      Plot.ruleY([0]),
    ],
  };
}
