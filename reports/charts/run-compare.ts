/**
 * Two runs (or more) side by side, from the API's intervals of each (GET /runs/:id/intervals), as Plot
 * options: IOPS and p99 completion latency over time, one panel per pod and direction, one line per run,
 * so the runs share each panel's axes. The first run is drawn grey, as the comparison charts draw a baseline.
 */
import type * as PlotTypes from '@observablehq/plot';
import { Plot, wrapLabel } from './plot-options.js';
import type { IntervalRow } from './run-series.js';

/** One interval of one run. */
export interface RunIntervalRow extends IntervalRow {
  /** The run's id (its folder name). */
  readonly run: string;
}

/** Height of one panel (a pod and direction), px. */
const PANEL_PX = 150;

const seriesOf = (r: IntervalRow) => `${r.pod} ${r.direction}`;
/** The panels, sorted: a pod's place does not depend on which run lists it first. */
const panelsOf = (rows: readonly RunIntervalRow[]) => [...new Set(rows.map(seriesOf))].sort();
/** The runs' colours: the first (the baseline) grey, then the comparison charts' blue, then Tableau's. */
const runColours = (runs: readonly string[]) => ({
  domain: [...runs],
  range: ['#8c8c8c', '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'].slice(0, Math.max(1, runs.length)),
  legend: true,
});

function panels(rows: readonly RunIntervalRow[], runs: readonly string[], what: string, width: number) {
  const domain = panelsOf(rows);
  return {
    ariaDescription: `${runs.join(' against ')}: ${what} in ${domain.length} panels (pod and direction), one line per run`,
    width,
    height: 50 + PANEL_PX * Math.max(1, domain.length),
    marginLeft: 60,
    marginRight: 160,
    x: { label: 'time (s, end of interval)', grid: true },
    fy: { domain, label: null, tickFormat: (s: string) => wrapLabel(s, 24) },
    color: runColours(runs),
  };
}

/** IOPS of each pod and direction per interval, one line per run. */
export function compareIopsChart(rows: readonly RunIntervalRow[], runs: readonly string[], width = 760): PlotTypes.PlotOptions {
  return {
    ariaLabel: `IOPS per pod and direction over time, ${runs.join(' against ')}`,
    ...panels(rows, runs, 'IOPS', width),
    y: { label: 'IOPS', grid: true, zero: true },
    marks: [
      Plot.lineY(rows as RunIntervalRow[], { x: 'time_s', y: 'iops', stroke: 'run', fy: seriesOf, marker: 'circle-stroke', tip: true }),
      Plot.ruleY([0]),
    ],
  };
}

/** p99 completion latency of each pod and direction per interval (log axis), one line per run. */
export function compareP99Chart(rows: readonly RunIntervalRow[], runs: readonly string[], width = 760): PlotTypes.PlotOptions {
  const positive = (rows as RunIntervalRow[]).filter((r) => r.clat_p99_us > 0);
  return {
    ariaLabel: `p99 completion latency per pod and direction over time, ${runs.join(' against ')}`,
    ...panels(rows, runs, 'p99 completion latency', width),
    y: { type: 'log', label: 'p99 completion latency (us)', grid: true },
    marks: [Plot.lineY(positive, { x: 'time_s', y: 'clat_p99_us', stroke: 'run', fy: seriesOf, marker: 'circle-stroke', tip: true })],
  };
}
