/**
 * Issue 14, baselines: the statistics of a comparison on series made here, so what each verdict must be
 * is known: identical evidence reports identical; a latency tail 50% slower on every interval is a
 * regression with the whole interval of the change beyond the tolerance; a 1% change is OK under a 5%
 * tolerance; too few I/Os for a percentile are skipped; the same inputs give the same numbers; Holm's
 * adjustment and the seeded draws behave as their definitions say.
 */
import { describe, expect, it } from 'vitest';
import { compareWithBaseline, type PairedEvidence, type SlaSeries } from '../../../bench/check/baseline.js';
import { drawBlocks, holm, quantileSorted, seededRandom } from '../../../bench/check/bootstrap.js';
import type { JudgedSla } from '../../../bench/check/evaluate.js';
import type { ScenarioSla } from '../../../bench/scenario/load.js';

const sla = (over: Partial<ScenarioSla>): JudgedSla => ({
  sla: { name: 'db', ops: 'all', window: 'run', tolerance: 0, regression_tolerance: 0.05, ...over } as ScenarioSla,
  scope: 'pod a/db',
  subjects: [],
  from_ns: 0,
  until_ns: 1e12,
});

/**
 * A seed's series: `intervals` 1 s intervals, each with `ios` I/Os whose latencies are spread evenly over
 * 100..199 us times `scale`, varied a little per interval and seed so resamples differ.
 */
function series(seed: number, intervals: number, ios: number, scale = 1): SlaSeries {
  const latency: Map<number, number>[] = [];
  for (let i = 0; i < intervals; i++) {
    const m = new Map<number, number>();
    for (let k = 0; k < 100; k++) {
      const value = Math.round((100_000 + k * 1000 + ((seed * 7 + i * 13 + k) % 5) * 200) * scale);
      m.set(value, (m.get(value) ?? 0) + ios / 100);
    }
    latency.push(m);
  }
  return {
    ends_ns: Array.from({ length: intervals }, (_, i) => (i + 1) * 1e9),
    lengths_ns: Array.from({ length: intervals }, () => 1e9),
    ios: Array.from({ length: intervals }, (_, i) => ios + ((seed + i) % 3) * 10),
    bytes: Array.from({ length: intervals }, (_, i) => (ios + ((seed + i) % 3) * 10) * 4096),
    latency,
  };
}

function pair(j: JudgedSla, current: (seed: number) => SlaSeries, baseline: (seed: number) => SlaSeries): PairedEvidence {
  const seeds = [1, 2, 3];
  return { sla: j, seeds, baseline: seeds.map(baseline), current: seeds.map(current) };
}

describe('comparison with a baseline', () => {
  const latencySla = sla({ max_latency_ns: { '99': 1e6 }, min_iops: 100 });

  it('reports identical evidence as identical, with no change', () => {
    const [iops, p99] = compareWithBaseline(
      [
        pair(
          latencySla,
          (s) => series(s, 10, 1000),
          (s) => series(s, 10, 1000),
        ),
      ],
      200,
    );
    expect(iops).toMatchObject({ check: 'min_iops', verdict: 'identical', change: 0, ci: [0, 0] });
    expect(p99).toMatchObject({ check: 'max_latency_p99', verdict: 'identical', change: 0 });
  });

  it('compares sides with different numbers of runs (confirmation rounds on hardware) unpaired', () => {
    const rounds = (scale: number): PairedEvidence => ({
      sla: latencySla,
      seeds: [1],
      baseline: [series(1, 10, 1000)],
      // The seed's run and three confirmation rounds: a host does not repeat a run, so they differ.
      current: [1, 2, 3, 4].map((round) => series(round, 10, 1000, scale)),
    });
    const [iops, p99] = compareWithBaseline([rounds(1)], 300);
    expect(iops).toMatchObject({ verdict: 'ok', runs: { baseline: 1, current: 4 } });
    expect(p99).toMatchObject({ verdict: 'ok', runs: { baseline: 1, current: 4 } });
    const [, slower] = compareWithBaseline([rounds(1.5)], 300);
    expect(slower).toMatchObject({ verdict: 'regression', runs: { baseline: 1, current: 4 } });
    expect(slower!.ci![0]).toBeGreaterThan(0.05);
    // One run a side: paired, as before (no runs field).
    expect(
      compareWithBaseline(
        [
          pair(
            latencySla,
            (x) => series(x, 10, 1000),
            (x) => series(x, 10, 1000),
          ),
        ],
        50,
      )[0]!.runs,
    ).toBeUndefined();
  });

  it('finds a regression when the whole interval of the change lies beyond the tolerance, with its size and p', () => {
    const [iops, p99] = compareWithBaseline(
      [
        pair(
          latencySla,
          (s) => series(s, 10, 1000, 1.5),
          (s) => series(s, 10, 1000),
        ),
      ],
      500,
    );
    expect(p99!.verdict).toBe('regression');
    expect(p99!.change!).toBeGreaterThan(0.45);
    expect(p99!.ci![0]).toBeGreaterThan(0.05);
    expect(p99!.p_holm!).toBeLessThan(0.05);
    // The IOPS did not change: the interval of its change holds the 5% tolerance.
    expect(iops).toMatchObject({ verdict: 'ok' });
  });

  it('calls a change inside the tolerance OK, and one whose interval straddles it inconclusive', () => {
    const small = compareWithBaseline(
      [
        pair(
          sla({ max_latency_ns: { '99': 1e6 } }),
          (s) => series(s, 10, 1000, 1.01),
          (s) => series(s, 10, 1000),
        ),
      ],
      300,
    );
    expect(small[0]).toMatchObject({ verdict: 'ok' });
    // One seed of three 20% slower: resampling seeds puts the change anywhere from 0 to 20%, across the 5% line.
    const mixed = compareWithBaseline(
      [
        pair(
          sla({ max_latency_ns: { '99': 1e6 } }),
          (s) => series(s, 10, 1000, s === 1 ? 1.2 : 1),
          (s) => series(s, 10, 1000),
        ),
      ],
      300,
    );
    expect(mixed[0]!.verdict).toBe('inconclusive');
    expect(mixed[0]!.ci![0]).toBeLessThanOrEqual(0.05);
    expect(mixed[0]!.ci![1]).toBeGreaterThan(0.05);
  });

  it('skips a percentile without the I/Os it needs on a side', () => {
    const [p999] = compareWithBaseline(
      [
        pair(
          sla({ max_latency_ns: { '99.9': 1e6 } }),
          (s) => series(s, 2, 500, 2),
          (s) => series(s, 2, 500),
        ),
      ],
      100,
    );
    expect(p999).toMatchObject({ verdict: 'skipped', p_value: null });
    // Both sides pool their seeds, so more seeds help as much as a longer run; the note says both.
    expect(p999!.note).toBe(
      'p99.9 needs at least 3688 I/Os a side; baseline 3000, current 3000: run both sides longer or with more seeds (--seeds N) to judge it',
    );
  });

  it('gives the same numbers for the same inputs', () => {
    const run = () =>
      compareWithBaseline(
        [
          pair(
            latencySla,
            (s) => series(s, 8, 1000, 1.2),
            (s) => series(s, 8, 1000),
          ),
        ],
        300,
      );
    expect(run()).toEqual(run());
  });

  it("adjusts p-values by Holm's step-down rule", () => {
    // Sorted 0.01, 0.02, 0.04 times 3, 2, 1, kept monotone: 0.03, 0.04, 0.04.
    expect(holm([0.04, 0.01, 0.02])).toEqual([0.04, 0.03, 0.04]);
    expect(holm([0.5, 0.6])).toEqual([1, 1]);
  });

  it('draws seeds, then intervals within each, from a seeded generator', () => {
    const a = drawBlocks(seededRandom(7), [3, 5]);
    expect(drawBlocks(seededRandom(7), [3, 5])).toEqual(a);
    expect(a).toHaveLength(2);
    for (const d of a) {
      expect(d.intervals).toHaveLength(d.seed === 0 ? 3 : 5);
      for (const i of d.intervals) expect(i).toBeLessThan(d.seed === 0 ? 3 : 5);
    }
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});
