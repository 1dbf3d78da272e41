/**
 * A comparison's figures (bench/check/compare-figures.ts) and its three charts (reports/charts/comparison.ts):
 * the figures from paired series (the CDF rises to 1, the band holds the steady-state p99, the forest's
 * tolerance points the worse way), the marks each chart draws, and snapshots of their SVG with numbers
 * rounded and generated ids renumbered.
 */
import { describe, expect, it } from 'vitest';
import type { SlaSeries } from '../../bench/check/baseline.js';
import type { PairedRuns, StackComparison } from '../../bench/check/baseline-report.js';
import { compareFigures, type CdfPoint, type ForestRow } from '../../bench/check/compare-figures.js';
import { jobSlas } from '../../bench/check/compare-dirs.js';
import { changeForestChart, intervalP99Chart, latencyCdfChart } from '../../reports/charts/comparison.js';
import { renderPlot } from '../../reports/charts/plot-svg.js';
import { normaliseSvg } from './normalise-svg.js';

/** Four 50 ms intervals of 100 I/Os each, latencies 100..199 us times `scale`. */
function series(scale: number): SlaSeries {
  const latency = Array.from({ length: 4 }, (_, i) => {
    const m = new Map<number, number>();
    for (let k = 0; k < 100; k++) m.set(Math.round((100_000 + k * 1000 + i * 500) * scale), 1);
    return m;
  });
  return {
    ends_ns: [1, 2, 3, 4].map((i) => 50e6 * (i + 1)),
    lengths_ns: [50e6, 50e6, 50e6, 50e6],
    ios: [100, 100, 100, 100],
    bytes: [0, 0, 0, 0],
    latency,
  };
}

const paired: PairedRuns = {
  key: 'rr',
  scenario: 'rr.fio',
  stack: '-',
  baseline: '/b',
  of: 'jobs',
  pairs: [{ sla: jobSlas('job', ['rr'], 0.05, 0)[0]!, seeds: [1], baseline: [series(1)], current: [series(1.3)] }],
};

const compared: StackComparison = {
  key: 'rr',
  scenario: 'rr.fio',
  stack: '-',
  baseline: '/b',
  of: 'jobs',
  comparisons: [
    {
      sla: 'job rr',
      check: 'min_iops',
      unit: 'IOPS',
      seeds: [1],
      baseline: 2000,
      current: 1980,
      change: -0.01,
      ci: [-0.02, 0],
      confidence: 0.975,
      alpha: 0.05,
      tolerance: 0.05,
      p_value: 0.001,
      p_holm: 0.002,
      verdict: 'ok',
    },
    {
      sla: 'job rr',
      check: 'max_latency_p99',
      unit: 'ns',
      seeds: [1],
      baseline: 199e3,
      current: 259e3,
      change: 0.3,
      ci: [0.28, 0.31],
      confidence: 0.975,
      alpha: 0.05,
      tolerance: 0.05,
      p_value: 0.5,
      p_holm: 0.5,
      verdict: 'regression',
    },
    {
      sla: 'job rr',
      check: 'max_latency_p99.9',
      unit: 'ns',
      seeds: [1],
      baseline: null,
      current: null,
      change: null,
      ci: null,
      confidence: 0.975,
      alpha: 0.05,
      tolerance: 0.05,
      p_value: null,
      p_holm: null,
      verdict: 'skipped',
    },
  ],
};

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe('comparison figures', () => {
  const f = compareFigures([paired], [compared], 200);

  it('gives each side a CDF rising to 1, a p99 per interval and a band that holds the steady-state p99', () => {
    for (const side of ['baseline', 'current'] as const) {
      const cdf = f.cdf.filter((p) => p.side === side);
      // One step per distinct latency: 100 us + k ms + i * 0.5 ms over k < 100, i < 4 gives 202 of them.
      expect(cdf.length).toBe(202);
      expect(cdf.every((p, i) => i === 0 || (p.fraction >= cdf[i - 1]!.fraction && p.latency_us > cdf[i - 1]!.latency_us))).toBe(true);
      expect(cdf.at(-1)!.fraction).toBe(1);
      expect(f.intervals.filter((p) => p.side === side).map((p) => p.end_ms)).toEqual([100, 150, 200, 250]);
      const band = f.bands.find((b) => b.side === side)!;
      expect(band.low_us).toBeLessThanOrEqual(band.p99_us);
      expect(band.p99_us).toBeLessThanOrEqual(band.high_us);
      expect([band.from_ms, band.to_ms]).toEqual([50, 250]);
    }
    const p99 = (side: string) => f.bands.find((b) => b.side === side)!.p99_us;
    expect(p99('current') / p99('baseline')).toBeCloseTo(1.3, 1);
  });

  it('puts each compared check in the forest, its tolerance on the worse side, and leaves out what was not compared', () => {
    expect(f.forest.map((r) => [r.label, r.tolerance_pct, r.verdict])).toEqual([
      ['rr: job rr IOPS', -5, 'ok'],
      ['rr: job rr p99 latency', 5, 'regression'],
    ]);
    expect(f.forest[1]!.change_pct).toBeCloseTo(30);
    expect(f.confidence).toEqual([0.975, 0.975]);
  });
});

describe('comparison charts (Observable Plot, rendered server-side)', () => {
  const cdf: CdfPoint[] = ['baseline', 'current'].flatMap((side, s) =>
    [0.5, 0.9, 0.99, 0.999, 1].map((fraction, k) => ({
      subject: 'rr: job rr',
      side: side as 'baseline' | 'current',
      latency_us: (100 + 50 * k) * (1 + s * 0.3),
      fraction,
    })),
  );

  it('latency CDF: one step line per side, on a nines axis up to 99.99%', async () => {
    const svg = renderPlot(latencyCdfChart(cdf));
    expect(count(svg, /<path[^>]*stroke="#[0-9a-f]{6}"[^>]*d="M/g)).toBe(2);
    for (const tick of ['90%', '99%', '99.9%', '99.99%']) expect(svg).toContain(`>${tick}</text>`);
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/comparison-cdf.svg');
  });

  it('p99 per interval: a band and a dashed p99 per side, a dot per interval', async () => {
    const f = compareFigures([paired], [compared], 200);
    const svg = renderPlot(intervalP99Chart(f.intervals, f.bands));
    expect(count(svg, /<rect /g)).toBe(2 + 2); // two bands and the legend's two swatches
    expect(count(svg, /<circle /g)).toBe(8);
    expect(count(svg, /stroke-dasharray="4,3"/g)).toBe(1);
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/comparison-p99.svg');
  });

  it('forest: a dot and an interval per check, a red tolerance tick on its worse side, a zero line', async () => {
    const rows: ForestRow[] = [
      { label: 'rr: job rr IOPS', change_pct: -1, low_pct: -2, high_pct: 0, tolerance_pct: -5, verdict: 'ok' },
      { label: 'rr: job rr p99 latency', change_pct: 30, low_pct: 28, high_pct: 31, tolerance_pct: 5, verdict: 'regression' },
    ];
    const svg = renderPlot(changeForestChart(rows, [0.975, 0.975]));
    expect(count(svg, /<circle /g)).toBe(2);
    expect(svg).toContain('fill="#d62728"'); // the regression's dot
    expect(svg).toContain('interval at 97.5% confidence');
    const ticks = /<g aria-label="tick"[^>]*>(.*?)<\/g>/s.exec(svg)![1]!;
    expect(count(ticks, /<line /g)).toBe(2);
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/comparison-forest.svg');
  });
});
