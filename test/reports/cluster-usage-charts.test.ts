/**
 * The dashboard's cluster charts (reports/charts/cluster-usage.ts), data to Plot options, drawn here by the
 * server's renderer as the reports draw theirs: each node's reserved bar inside its capacity bar with the
 * figures in words, a label kept inside the frame however short the bar, and snapshots of the SVG with
 * numbers rounded and generated ids renumbered.
 */
import { describe, expect, it } from 'vitest';
import { formatSi, ipPoolChart, reservedAgainstCapacityChart } from '../../reports/charts/cluster-usage.js';
import { renderPlot } from '../../reports/charts/plot-svg.js';
import { iopsOverTimeChart, latencyOverTimeChart } from '../../reports/charts/run-series.js';
import { normaliseSvg } from './normalise-svg.js';

const count = (s: string, re: RegExp) => [...s.matchAll(re)].length;
/** The width of each bar of a mark (its <rect>s), in document order. */
const barWidths = (svg: string, mark: number) => {
  const groups = [...svg.matchAll(/<g aria-label="bar"[^>]*>(.*?)<\/g>/gs)].map((m) => m[1]!);
  return [...groups[mark]!.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
};

describe('reserved against what each node can guarantee', () => {
  const rows = [
    { node: 'node1', reserved: 150_000, capacity: 600_000 },
    { node: 'node2', reserved: 0, capacity: 600_000 },
    { node: 'node3', reserved: 600_000, capacity: 600_000 },
  ];

  it('draws each reservation inside its capacity, in proportion, and says it in words', async () => {
    const options = reservedAgainstCapacityChart(rows, 'guaranteed IOPS');
    const svg = renderPlot(options);
    const [capacity, reserved] = [barWidths(svg, 0), barWidths(svg, 1)];
    expect(capacity).toHaveLength(3);
    // A node with nothing reserved draws a zero-width bar (or none); the full node fills its capacity bar.
    expect(reserved[0]! / capacity[0]!).toBeCloseTo(0.25, 2);
    expect(reserved[reserved.length - 1]).toBeCloseTo(capacity[2]!, 1);
    for (const words of ['reserved 150k of 600k (25%)', 'reserved 0 of 600k (0%)', 'reserved 600k of 600k (100%)'])
      expect(svg).toContain(`>${words}</text>`);
    expect(options.ariaDescription).toBe(
      'node1 reserved 150k of 600k (25%); node2 reserved 0 of 600k (0%); node3 reserved 600k of 600k (100%)',
    );
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/cluster-reserved.svg');
  });

  it('a node that can guarantee nothing reads "-", not a division by zero', () => {
    const svg = renderPlot(reservedAgainstCapacityChart([{ node: 'n', reserved: 0, capacity: 0 }], 'IOPS'));
    expect(svg).toContain('>reserved 0 of 0 (-)</text>');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});

describe('IP pools', () => {
  it('puts every label inside the frame, even beside a short bar', async () => {
    const svg = renderPlot(
      ipPoolChart([
        { network: 'net1', used: 5, size: 191 },
        { network: 'netx', used: 0, size: 11 },
      ]),
    );
    expect(count(svg, /<text[^>]*>(\d+) of (\d+) taken/g)).toBe(2);
    // Both labels end at the same x: the frame's right edge, not the end of their bar.
    const xs = [...svg.matchAll(/<text[^>]*transform="translate\(([\d.]+),[\d.]+\)"[^>]*>\d+ of \d+ taken/g)].map((m) => m[1]);
    expect(new Set(xs).size).toBe(1);
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/cluster-ip-pools.svg');
  });

  it('formats figures compactly', () => {
    expect([formatSi(0), formatSi(950), formatSi(1234), formatSi(36e9), formatSi(461_000)]).toEqual(['0', '950', '1.23k', '36G', '461k']);
  });
});

describe("a run's figures over time", () => {
  const rows = ['a/db', 'b/batch'].flatMap((pod, p) =>
    [1, 2, 3].map((t) => ({
      time_s: t,
      pod,
      direction: 'read',
      iops: 1000 * (p + 1) * t,
      clat_p50_us: 100 * (p + 1),
      clat_p99_us: 900 * (p + 1),
    })),
  );

  it('IOPS: one line per pod and direction, coloured the same whatever the rows order', async () => {
    const svg = renderPlot(iopsOverTimeChart(rows));
    expect(count(svg, /<path[^>]*stroke="#[0-9a-f]{6}"[^>]*d="M/g)).toBe(2);
    // The legend (series to colour) is the sorted series, whatever the rows' order.
    const legend = (s: string) => [...s.matchAll(/<span class="plot-[0-9a-f]+-swatch">.*?<\/svg>([^<]+)<\/span>/g)].map((m) => m[0]);
    expect(legend(svg).map((l) => />([^<]+)<\/span>$/.exec(l)![1])).toEqual(['a/db read', 'b/batch read']);
    expect(legend(renderPlot(iopsOverTimeChart([...rows].reverse())))).toEqual(legend(svg));
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/run-iops.svg');
  });

  it('latency: p99 solid and p50 dashed per series on a log axis; a zero latency (no I/O) is left out', async () => {
    const svg = renderPlot(
      latencyOverTimeChart([...rows, { time_s: 4, pod: 'a/db', direction: 'read', iops: 0, clat_p50_us: 0, clat_p99_us: 0 }]),
    );
    expect(count(svg, /<path[^>]*stroke="#[0-9a-f]{6}"[^>]*d="M/g)).toBe(4);
    expect(count(svg, /stroke-dasharray="4,3"/g)).toBe(1);
    expect(svg).not.toMatch(/NaN|Infinity/);
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/run-latency.svg');
  });
});
