/**
 * How busy a run kept each node's CPU, drives and NIC lines (GET /runs/:id/nodes), as one bar per resource
 * grouped by node, 0..100%: averages over the whole run, which is what the model's node tables hold.
 */
import type * as PlotTypes from '@observablehq/plot';
import { Plot } from './plot-options.js';

/** One resource of a node, as the API gives it. */
export interface NodeUtilisationChartRow {
  readonly stack: string;
  readonly node: string;
  readonly kind: 'cpu' | 'drive' | 'link-tx' | 'link-rx';
  readonly resource: string;
  /** 0..1 */
  readonly utilisation: number;
  readonly detail: string;
}

/** Height of one resource's band, px. */
const BAND_PX = 20;
const KINDS = { domain: ['cpu', 'drive', 'link-tx', 'link-rx'], range: ['#4e79a7', '#f28e2b', '#59a14f', '#8cd17d'], legend: true };

/** A resource's label: its node (with the stack when the run has two) and the resource, once each. */
function labelOf(r: NodeUtilisationChartRow, stacks: number): string {
  const stack = stacks > 1 ? `${r.stack} ` : '';
  return r.resource.startsWith(`${r.node}/`) ? `${stack}${r.resource}` : `${stack}${r.node} ${r.resource}`;
}

/** One bar per resource (CPU, each drive, each port's tx and rx), node by node, x 0..100%. */
export function nodeUtilisationChart(rows: readonly NodeUtilisationChartRow[], width = 760): PlotTypes.PlotOptions {
  const stacks = new Set(rows.map((r) => r.stack)).size;
  const data = rows.map((r) => ({ ...r, label: labelOf(r, stacks), percent: 100 * r.utilisation }));
  return {
    ariaLabel: "how busy the run kept each node's CPU, drives and links, averaged over the run",
    ariaDescription: data.map((r) => `${r.label} ${r.percent.toFixed(1)}%`).join('; '),
    width,
    height: 60 + BAND_PX * Math.max(1, data.length),
    marginLeft: 130,
    marginRight: 60,
    x: { domain: [0, 100], label: 'busy, % of the run', grid: true },
    // In the API's order: node by node, its CPU, drives, then ports.
    y: { domain: data.map((r) => r.label), label: null, padding: 0.15 },
    color: KINDS,
    marks: [
      Plot.barX(data, {
        x: 'percent',
        y: 'label',
        fill: 'kind',
        title: (r: (typeof data)[number]) => `${r.label}: ${r.percent.toFixed(1)}% busy (${r.detail})`,
      }),
      Plot.text(data, {
        x: 'percent',
        y: 'label',
        text: (r: (typeof data)[number]) => `${r.percent.toFixed(1)}%`,
        textAnchor: 'start',
        dx: 4,
        fill: 'black',
      }),
      Plot.ruleX([0]),
    ],
  };
}
