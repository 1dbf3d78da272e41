/** Tornado: how far the appliance's NPV savings move when each uncertain figure goes to its low or high end. */
import type * as PlotTypes from '@observablehq/plot';
import { Plot, formatUsd, wrapLabel } from './plot-options.js';

/** Characters per line of a figure's label: about what fits the left margin at 12 px. */
const LABEL_LINE_CHARS = 46;
/** Height of one line of a label, px. */
const LABEL_LINE_PX = 14;

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

export function tornadoChart(data: readonly TornadoDatum[], options: TornadoOptions): PlotTypes.PlotOptions {
  const labels = data.map((d) => d.label);
  // Labels wrap at spaces, never cut: each row is as tall as the longest label's lines need.
  const lines = Math.max(1, ...labels.map((l) => wrapLabel(l, LABEL_LINE_CHARS).split('\n').length));
  const rowPx = Math.max(26, LABEL_LINE_PX * lines + 10);
  const ends = data.flatMap((d) => [
    { label: d.label, end: 'figure at its low end', x1: options.base_usd, x2: d.atLow_usd },
    { label: d.label, end: 'figure at its high end', x1: options.base_usd, x2: d.atHigh_usd },
  ]);
  return {
    width: options.width ?? 760,
    height: 70 + rowPx * data.length,
    marginLeft: 340,
    marginRight: 20,
    x: { grid: true, label: `Appliance NPV savings vs ${options.against} (USD)`, tickFormat: formatUsd },
    y: { domain: labels, label: null, tickFormat: (d: string) => wrapLabel(d, LABEL_LINE_CHARS) },
    color: { domain: ['figure at its low end', 'figure at its high end'], range: ['#6baed6', '#fd8d3c'], legend: true },
    marks: [Plot.barX(ends, { y: 'label', x1: 'x1', x2: 'x2', fill: 'end' }), Plot.ruleX([options.base_usd], { stroke: 'black' })],
  };
}
