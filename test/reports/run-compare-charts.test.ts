/**
 * Issue 18, the compare view's charts (reports/charts/run-compare.ts), data to Plot options, drawn by the
 * server's renderer: one panel per pod and direction, both runs as lines in every panel on the panel's
 * shared axes, the baseline grey and the compared run blue, the panels in the same order whatever the
 * rows' order; p99 on a log axis with an interval of no I/O left out; snapshots after normalising.
 */
import { describe, expect, it } from 'vitest';
import { renderPlot } from '../../reports/charts/plot-svg.js';
import { compareIopsChart, compareP99Chart, type RunIntervalRow } from '../../reports/charts/run-compare.js';
import { normaliseSvg } from './normalise-svg.js';

const count = (s: string, re: RegExp) => [...s.matchAll(re)].length;
const RUNS = ['before', 'after'] as const;
const rows: RunIntervalRow[] = RUNS.flatMap((run, i) =>
  ['b/batch', 'a/db'].flatMap((pod) =>
    [1, 2, 3].map((t) => ({
      run,
      time_s: t,
      pod,
      direction: 'read',
      iops: (i === 0 ? 1000 : 800) * t,
      clat_p50_us: 100,
      clat_p99_us: (i === 0 ? 900 : 1350) + t,
    })),
  ),
);
/** The lines drawn, as their stroke colours in document order. */
const lineStrokes = (svg: string) => [...svg.matchAll(/<path[^>]*stroke="(#[0-9a-f]{6})"[^>]*d="M/g)].map((m) => m[1]);
/** The facet labels (the panels), in document order. */
const panelLabels = (svg: string) => {
  const axis = svg.slice(svg.indexOf('aria-label="fy-axis tick label"'));
  return [...axis.slice(0, axis.indexOf('aria-label=', 20)).matchAll(/<text[^>]*>([^<]+)<\/text>/g)].map((t) => t[1]);
};

describe('two runs side by side', () => {
  it('IOPS: one panel per pod and direction, sorted, with a grey baseline line and a blue compared line in each', async () => {
    const svg = renderPlot(compareIopsChart(rows, RUNS));
    // 2 panels × 2 runs: the baseline grey, the compared run blue, in every panel.
    expect(lineStrokes(svg).sort()).toEqual(['#1f77b4', '#1f77b4', '#8c8c8c', '#8c8c8c']);
    expect(panelLabels(svg)).toEqual(['a/db read', 'b/batch read']);
    expect(panelLabels(renderPlot(compareIopsChart([...rows].reverse(), RUNS)))).toEqual(panelLabels(svg));
    const options = compareIopsChart(rows, RUNS);
    expect(options.ariaLabel).toBe('IOPS per pod and direction over time, before against after');
    expect(options.ariaDescription).toBe('before against after: IOPS in 2 panels (pod and direction), one line per run');
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/run-compare-iops.svg');
  });

  it('p99: log axis, both runs per panel, and an interval with no I/O (p99 0) left out rather than drawn at -Infinity', async () => {
    const idle: RunIntervalRow = { run: 'after', time_s: 4, pod: 'a/db', direction: 'read', iops: 0, clat_p50_us: 0, clat_p99_us: 0 };
    const svg = renderPlot(compareP99Chart([...rows, idle], RUNS));
    expect(count(svg, /<path[^>]*stroke="#[0-9a-f]{6}"[^>]*d="M/g)).toBe(4);
    expect(svg).not.toMatch(/NaN|Infinity/);
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/run-compare-p99.svg');
  });
});
