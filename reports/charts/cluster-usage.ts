/**
 * The dashboard's cluster charts, each a function from the API's JSON to Plot options (no renderer: the
 * page draws them with Plot in the browser, a test with renderPlot): what each node has reserved of what it
 * can guarantee (IOPS, bandwidth), and how much of each network's address pool is taken. Reserved is
 * never called usage: the bar says "reserved" and its label says of what.
 */
import type * as PlotTypes from '@observablehq/plot';
import { Plot, wrapLabel } from './plot-options.js';

/** One node's reservation of one resource against what it can guarantee, in the resource's unit. */
export interface ReservationRow {
  readonly node: string;
  readonly reserved: number;
  readonly capacity: number;
}

/** One network's address pool: addresses taken (pods, kept and persistent endpoints) of its range. */
export interface PoolRow {
  readonly network: string;
  readonly used: number;
  readonly size: number;
}

/** Height of one bar's band, px. */
const BAND_PX = 26;
const CAPACITY_FILL = '#dde3ea';
const RESERVED_FILL = '#2f6db5';

/** 1234 → "1.23k", 2.5e9 → "2.5G": a compact SI figure for axes and labels (unit said by the caller). */
export function formatSi(value: number): string {
  const a = Math.abs(value);
  for (const [scale, suffix] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (a >= scale) return `${Number((value / scale).toPrecision(3))}${suffix}`;
  }
  return String(Number(value.toPrecision(3)));
}

const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '-');

/**
 * Per node: a light bar of what it can guarantee, the reserved part over it, and "reserved X of Y (P%)".
 * `what` names the resource with its unit ("guaranteed IOPS", "bandwidth, bit/s").
 */
export function reservedAgainstCapacityChart(rows: readonly ReservationRow[], what: string, width = 640): PlotTypes.PlotOptions {
  const nodes = rows.map((r) => r.node);
  const label = (r: ReservationRow) => `reserved ${formatSi(r.reserved)} of ${formatSi(r.capacity)} (${percent(r.reserved, r.capacity)})`;
  return {
    ariaLabel: `${what}: reserved against what each node can guarantee`,
    ariaDescription: rows.map((r) => `${r.node} ${label(r)}`).join('; '),
    width,
    height: 50 + BAND_PX * Math.max(1, rows.length),
    marginLeft: 90,
    marginRight: 10,
    x: { label: `${what} (reserved of what the node can guarantee)`, grid: true, tickFormat: formatSi },
    y: { domain: nodes, label: null, tickFormat: (n: string) => wrapLabel(n, 12) },
    marks: [
      Plot.barX(rows, {
        x: 'capacity',
        y: 'node',
        fill: CAPACITY_FILL,
        title: (r: ReservationRow) => `${r.node}: can guarantee ${formatSi(r.capacity)}`,
      }),
      Plot.barX(rows, {
        x: 'reserved',
        y: 'node',
        fill: RESERVED_FILL,
        insetTop: 5,
        insetBottom: 5,
        title: (r: ReservationRow) => `${r.node}: ${label(r)}`,
      }),
      // At the frame's right edge, whatever the bar's length: a short bar never pushes its label onto the axis.
      Plot.text(rows, { y: 'node', text: label, frameAnchor: 'right', textAnchor: 'end', dx: -4, fill: 'black' }),
      Plot.ruleX([0]),
    ],
  };
}

/** Per network: its range (light) with the addresses taken over it, and "N of M taken". */
export function ipPoolChart(pools: readonly PoolRow[], width = 640): PlotTypes.PlotOptions {
  const label = (p: PoolRow) => `${p.used} of ${p.size} taken (${percent(p.used, p.size)})`;
  return {
    ariaLabel: 'IP pools: addresses taken of each network range',
    ariaDescription: pools.map((p) => `${p.network} ${label(p)}`).join('; '),
    width,
    height: 50 + BAND_PX * Math.max(1, pools.length),
    marginLeft: 90,
    marginRight: 10,
    x: { label: 'addresses (taken of the range)', grid: true, tickFormat: formatSi },
    y: { domain: pools.map((p) => p.network), label: null, tickFormat: (n: string) => wrapLabel(n, 12) },
    marks: [
      Plot.barX(pools, { x: 'size', y: 'network', fill: CAPACITY_FILL }),
      Plot.barX(pools, { x: 'used', y: 'network', fill: RESERVED_FILL, insetTop: 5, insetBottom: 5 }),
      Plot.text(pools, { y: 'network', text: label, frameAnchor: 'right', textAnchor: 'end', dx: -4, fill: 'black' }),
      Plot.ruleX([0]),
    ],
  };
}
