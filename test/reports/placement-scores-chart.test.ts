/**
 * "Why this node" as a chart (reports/charts/placement-scores.ts), drawn by the server's renderer as the
 * reports draw theirs: one score bar per node that fits, in proportion, the chosen one highlighted with a
 * rule at its score, each rejected node with a cross and its reason, and the words in its description.
 */
import { describe, expect, it } from 'vitest';
import { decisionPartsChart, placementScoresChart, type DecisionNodeRow } from '../../reports/charts/placement-scores.js';
import { renderPlot } from '../../reports/charts/plot-svg.js';
import { normaliseSvg } from './normalise-svg.js';

const count = (s: string, re: RegExp) => [...s.matchAll(re)].length;

describe('why this node', () => {
  const nodes = [
    { node: 'node2', chosen: true, fits: true, score: 0.8 },
    { node: 'node1', chosen: false, fits: true, score: 0.4 },
    { node: 'node3', chosen: false, fits: false, reason: 'ANVIL_SCHED_CPU: 500m asked, 100m free' },
  ];

  it('draws a bar per fitting node in proportion to its score, the chosen one highlighted', () => {
    const svg = renderPlot(placementScoresChart(nodes));
    const bars = /<g aria-label="bar"[^>]*>(.*?)<\/g>/s.exec(svg)![1]!;
    const rects = [
      ...bars.matchAll(/<rect [^>]*fill="(#[0-9a-f]{6})"[^>]*width="([\d.]+)"|<rect [^>]*width="([\d.]+)"[^>]*fill="(#[0-9a-f]{6})"/g),
    ];
    expect(rects).toHaveLength(2);
    const widths = rects.map((m) => Number(m[2] ?? m[3]));
    expect(widths[1]! / widths[0]!).toBeCloseTo(0.5, 2);
    const fills = rects.map((m) => m[1] ?? m[4]);
    expect(fills[0]).not.toBe(fills[1]);
    // One rule at the winner's score beside the one at zero.
    expect(count(svg, /<g aria-label="rule"/g)).toBe(2);
    expect(svg).toContain('>chosen, score 0.800</text>');
    expect(svg).toContain('>score 0.400</text>');
    expect(svg).toContain('>✗ ANVIL_SCHED_CPU: 500m asked, 100m free<');
  });

  it('says every verdict in its description, in the placement order', () => {
    expect(placementScoresChart(nodes).ariaDescription).toBe(
      'node2 chosen, score 0.800; node1 score 0.400; node3 rejected: ANVIL_SCHED_CPU: 500m asked, 100m free',
    );
  });

  it('cuts a long reason in the chart and draws a placement with no score (all rejected) without NaN', () => {
    const long = 'x'.repeat(200);
    const svg = renderPlot(placementScoresChart([{ node: 'n', chosen: false, fits: false, reason: long }]));
    expect(svg).toContain(`>✗ ${'x'.repeat(69)}…<`);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});

describe('why this node, as recorded when the pod was placed', () => {
  const parts = (cpu: number, mem: number, local: number) => [
    { name: 'cpu-left', value: cpu, weight: 1 },
    { name: 'memory-left', value: mem, weight: 1 },
    { name: 'volume-locality', value: local, weight: 10 },
  ];
  const nodes: DecisionNodeRow[] = [
    { node: 'node2', chosen: true, fits: true, score_parts: parts(0.9, 0.6, 0), score: 1.5 },
    { node: 'node1', chosen: false, fits: true, score_parts: parts(0.3, 0.2, 0), score: 0.5 },
    {
      node: 'node3',
      chosen: false,
      fits: false,
      rejection: { code: 'iops', reason: 'perf-tier admission (storage IOPS): the pod asks 20000 IOPS, 15000 of 50000 free' },
    },
  ];

  it("stacks each node's score parts, value x weight, so each stack is as long as the node's score", async () => {
    const svg = renderPlot(decisionPartsChart(nodes));
    const bars = /<g aria-label="bar"[^>]*>(.*?)<\/g>/s.exec(svg)![1]!;
    const widths = [...bars.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    // Two nodes that fit, three parts each (a zero part draws a zero-width rect).
    expect(widths).toHaveLength(6);
    const total = widths.reduce((a, b) => a + b, 0);
    // node2's stack (1.5) is three times node1's (0.5): three quarters of all the bars' length.
    expect(widths.slice(0, 3).reduce((a, b) => a + b, 0) / total).toBeCloseTo(0.75, 2);
    expect(svg).toContain('>chosen, score 1.500</text>');
    expect(svg).toContain('>✗ perf-tier admission (storage IOPS): the pod asks 20000 IOPS, 15000 of…<');
    expect(decisionPartsChart(nodes).ariaDescription).toContain('node2 chosen, score 1.500 = cpu-left 0.900×1 + memory-left 0.600×1');
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/placement-decision.svg');
  });
});
