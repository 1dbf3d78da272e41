/**
 * Issue 18, the run page's charts (data to Plot options, drawn by the server's renderer here and by Plot in
 * the dashboard): the latency CDF per pod and direction (a line each on a log latency axis and a nines
 * axis, a zero latency left out rather than drawn at -Infinity) and the per-node utilisation (a bar per
 * resource in the API's order, labelled with its percentage; the stack named when the run has two).
 * Snapshots after normalising.
 */
import { describe, expect, it } from 'vitest';
import { renderPlot } from '../../reports/charts/plot-svg.js';
import { latencyCdfPerPodChart, type LatencyCdfSeriesRow } from '../../reports/charts/run-latency-cdf.js';
import { nodeUtilisationChart, type NodeUtilisationChartRow } from '../../reports/charts/node-utilisation.js';
import { normaliseSvg } from './normalise-svg.js';

const linePaths = (svg: string) => [...svg.matchAll(/<path[^>]*stroke="(#[0-9a-f]{6})"[^>]*d="M([^"]*)"/g)];
const fractions = [0.5, 0.9, 0.99, 0.999, 1];
const cdf = (pod: string, direction: string, base_us: number): LatencyCdfSeriesRow => ({
  pod,
  direction,
  ios: 1000,
  p99_us: base_us * 4,
  points: fractions.map((fraction, k) => ({ fraction, latency_us: base_us * 2 ** k })),
});

describe('the run page: latency CDF per pod', () => {
  it('draws one line per pod and direction on log latency against nines, legend sorted, zero latencies left out', async () => {
    const series = [cdf('shop/orders-db', 'read', 100), cdf('batch/loader', 'write', 50)];
    // An idle bucket's latency of 0 (log axis): left out of the line, not drawn at -Infinity.
    const withZero = [{ ...series[0]!, points: [{ fraction: 0.01, latency_us: 0 }, ...series[0]!.points] }, series[1]!];
    const svg = renderPlot(latencyCdfPerPodChart(withZero));
    const lines = linePaths(svg);
    expect(lines).toHaveLength(2);
    expect(new Set(lines.map((l) => l[1])).size).toBe(2);
    // Each line has a vertex per point (M then L per point after the first).
    expect(lines.map((l) => l[2]!.split('L').length).sort()).toEqual([fractions.length, fractions.length]);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const options = latencyCdfPerPodChart(series);
    expect((options.color as { domain: string[] }).domain).toEqual(['batch/loader write', 'shop/orders-db read']);
    expect(options.ariaDescription).toBe('shop/orders-db read: p99 400 us over 1000 I/Os; batch/loader write: p99 200 us over 1000 I/Os');
    // The nines axis: 0%, 90%, 99%, 99.9%, 99.99%.
    for (const tick of ['90%', '99%', '99.9%', '99.99%']) expect(svg).toContain(`>${tick}<`);
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/run-latency-cdf.svg');
  });
});

describe('the run page: per-node utilisation', () => {
  const row = (node: string, kind: NodeUtilisationChartRow['kind'], resource: string, utilisation: number, stack = 'hci') => ({
    stack,
    node,
    kind,
    resource,
    utilisation,
    detail: '-',
  });
  const rows: NodeUtilisationChartRow[] = [
    row('node-1', 'cpu', 'CPU', 0.2),
    row('node-1', 'drive', 'node-1/nvme0', 0.5),
    row('node-1', 'link-tx', 'pod0 tx', 0.1),
    row('node-2', 'cpu', 'CPU', 0.25),
  ];

  it('draws a bar per resource in the order given, each labelled with its percentage', async () => {
    const svg = renderPlot(nodeUtilisationChart(rows));
    const bars = [...svg.matchAll(/<rect[^>]*fill="(#[0-9a-f]{6})"[^>]*><title>([^<]*)<\/title>/g)].map((m) => [m[1], m[2]]);
    expect(bars).toEqual([
      ['#4e79a7', 'node-1 CPU: 20.0% busy (-)'],
      ['#f28e2b', 'node-1/nvme0: 50.0% busy (-)'],
      ['#59a14f', 'node-1 pod0 tx: 10.0% busy (-)'],
      ['#4e79a7', 'node-2 CPU: 25.0% busy (-)'],
    ]);
    for (const label of ['20.0%', '50.0%', '10.0%', '25.0%']) expect(svg).toContain(`>${label}<`);
    expect((nodeUtilisationChart(rows).y as { domain: string[] }).domain).toEqual([
      'node-1 CPU',
      'node-1/nvme0',
      'node-1 pod0 tx',
      'node-2 CPU',
    ]);
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/node-utilisation.svg');
  });

  it('names the stack when the run has two (compare mode), so both stacks of a node stay apart', () => {
    const both = [row('node-1', 'cpu', 'CPU', 0.2), row('node-1', 'cpu', 'CPU', 0.4, 'diy')];
    expect((nodeUtilisationChart(both).y as { domain: string[] }).domain).toEqual(['hci node-1 CPU', 'diy node-1 CPU']);
  });
});
