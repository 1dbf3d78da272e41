/**
 * A comparison's charts (anvil compare, anvil check --baseline), each a function from the figures
 * (bench/check/compare-figures.ts) to Plot options, rendered by renderPlot (or Plot in a page): latency CDFs of baseline
 * against current with the tail zoomed, p99 per interval with the bootstrap band of the steady state's
 * p99, and the forest of changes with their intervals and tolerance lines.
 */
import type * as PlotTypes from '@observablehq/plot';
import type { CdfPoint, ForestRow, IntervalP99, P99Band } from '../../bench/check/compare-figures.js';
import { Plot, wrapLabel } from './plot-options.js';

const SIDES = { domain: ['baseline', 'current'], range: ['#8c8c8c', '#1f77b4'], legend: true } as const;
/** Height of one facet (a subject), px. */
const FACET_PX = 200;
/** Nines the tail axis reaches: 4 is p99.99. */
export const TAIL_NINES = 4;

const subjectsOf = (rows: readonly { subject: string }[]) => [...new Set(rows.map((r) => r.subject))];

/** Nines of a fraction: 0 at 0%, 1 at 90%, 2 at 99%, ..., capped at TAIL_NINES. */
export const nines = (fraction: number) => -Math.log10(Math.max(1 - fraction, 10 ** -TAIL_NINES));
/** A nines axis tick as a percentage: 0%, 90%, 99%, 99.9%, 99.99%. */
export const ninesText = (n: number) => (n === 0 ? '0%' : `${(100 - 100 * 10 ** -n).toFixed(Math.max(0, n - 2))}%`);

/** The y scale of a tail-zoomed CDF: one step per nine up to TAIL_NINES, labelled as percentiles. */
export const ninesAxis = (label: string) => ({
  domain: [0, TAIL_NINES],
  ticks: Array.from({ length: TAIL_NINES + 1 }, (_, k) => k),
  tickFormat: ninesText,
  label,
  grid: true,
});

/** Latency CDFs, baseline against current, on a nines axis so p99 and p99.9 get as much room as the median. */
export function latencyCdfChart(points: readonly CdfPoint[], width = 760): PlotTypes.PlotOptions {
  const subjects = subjectsOf(points);
  const data = points.map((p) => ({ ...p, nines: nines(p.fraction) }));
  return {
    title: 'latency CDF, baseline against current (the tail zoomed: each step up is one more nine)',
    width,
    height: 60 + FACET_PX * Math.max(1, subjects.length),
    marginLeft: 60,
    marginRight: 160,
    x: { type: 'log', label: 'completion latency (us)', grid: true },
    y: ninesAxis('I/Os at or below'),
    fy: { domain: subjects, label: null, tickFormat: (s: string) => wrapLabel(s, 24) },
    color: SIDES,
    marks: [Plot.line(data, { x: 'latency_us', y: 'nines', stroke: 'side', fy: 'subject', curve: 'step-after' })],
  };
}

/** p99 of every interval on both sides, over the bootstrap band of each side's steady-state p99. */
export function intervalP99Chart(intervals: readonly IntervalP99[], bands: readonly P99Band[], width = 760): PlotTypes.PlotOptions {
  const subjects = subjectsOf([...intervals, ...bands]);
  return {
    title: 'p99 per interval, with the 95% bootstrap band of the steady state p99',
    width,
    height: 60 + FACET_PX * Math.max(1, subjects.length),
    marginLeft: 60,
    marginRight: 160,
    x: { label: 'end of interval (ms)', grid: true },
    y: { label: 'p99 latency (us)', grid: true, zero: false },
    fy: { domain: subjects, label: null, tickFormat: (s: string) => wrapLabel(s, 24) },
    color: SIDES,
    marks: [
      Plot.rect(bands, { x1: 'from_ms', x2: 'to_ms', y1: 'low_us', y2: 'high_us', fill: 'side', fillOpacity: 0.18, fy: 'subject' }),
      Plot.ruleY(bands, { x1: 'from_ms', x2: 'to_ms', y: 'p99_us', stroke: 'side', strokeDasharray: '4,3', fy: 'subject' }),
      Plot.line(intervals, { x: 'end_ms', y: 'p99_us', stroke: 'side', fy: 'subject' }),
      Plot.dot(intervals, { x: 'end_ms', y: 'p99_us', fill: 'side', r: 2.5, fy: 'subject' }),
    ],
  };
}

const VERDICTS = {
  domain: ['identical', 'ok', 'inconclusive', 'regression'],
  range: ['#8c8c8c', '#2ca02c', '#ff7f0e', '#d62728'],
  legend: true,
} as const;

/** Characters per line of a check's label in the forest's left margin. */
const FOREST_LABEL_CHARS = 44;

/** Each check's change (dot) with its confidence interval (bar) and the tolerance it may not cross (red tick). */
export function changeForestChart(
  rows: readonly ForestRow[],
  confidence: readonly [number, number] | null,
  width = 760,
): PlotTypes.PlotOptions {
  const labels = rows.map((r) => r.label);
  const lines = Math.max(1, ...labels.map((l) => wrapLabel(l, FOREST_LABEL_CHARS).split('\n').length));
  const level = (x: number) => `${(x * 100).toFixed(1)}%`;
  const at =
    confidence === null
      ? ''
      : ` at ${confidence[0] === confidence[1] ? level(confidence[0]) : `${level(confidence[0])} to ${level(confidence[1])}`} confidence`;
  return {
    title: `change against the baseline with its interval${at}; red: the tolerance`,
    width,
    height: 80 + Math.max(26, 14 * lines + 10) * Math.max(1, rows.length),
    marginLeft: 300,
    marginRight: 30,
    x: { label: 'change (%)', grid: true },
    y: { domain: labels, label: null, tickFormat: (l: string) => wrapLabel(l, FOREST_LABEL_CHARS) },
    color: VERDICTS,
    marks: [
      Plot.ruleX([0], { stroke: 'black' }),
      Plot.tickX(rows, { x: 'tolerance_pct', y: 'label', stroke: '#d62728', strokeWidth: 2 }),
      Plot.ruleY(rows, { y: 'label', x1: 'low_pct', x2: 'high_pct', stroke: 'verdict', strokeWidth: 3 }),
      Plot.dot(rows, { x: 'change_pct', y: 'label', fill: 'verdict', r: 4 }),
    ],
  };
}
