/** Tornado: how far the appliance's NPV savings move when each uncertain figure goes to its low or high end. */
import { Plot, formatUsd, renderPlot, truncateLabel } from './plot-svg.js';

export interface TornadoDatum {
  /** The figure's description. */
  readonly label: string;
  readonly atLow_usd: number;
  readonly atHigh_usd: number;
}

export interface TornadoOptions {
  readonly base_usd: number;
  /** Label of the alternative the savings are measured against. */
  readonly against: string;
  readonly width?: number;
}

export function tornadoChart(data: readonly TornadoDatum[], options: TornadoOptions): string {
  const labels = data.map((d) => d.label);
  const ends = data.flatMap((d) => [
    { label: d.label, end: 'figure at its low end', x1: options.base_usd, x2: d.atLow_usd },
    { label: d.label, end: 'figure at its high end', x1: options.base_usd, x2: d.atHigh_usd },
  ]);
  return renderPlot({
    width: options.width ?? 760,
    height: 70 + 26 * data.length,
    marginLeft: 340,
    marginRight: 20,
    x: { grid: true, label: `Appliance NPV savings vs ${options.against} (USD)`, tickFormat: formatUsd },
    y: { domain: labels, label: null, tickFormat: (d: string) => truncateLabel(d, 46) },
    color: { domain: ['figure at its low end', 'figure at its high end'], range: ['#6baed6', '#fd8d3c'], legend: true },
    marks: [Plot.barX(ends, { y: 'label', x1: 'x1', x2: 'x2', fill: 'end' }), Plot.ruleX([options.base_usd], { stroke: 'black' })],
  });
}
