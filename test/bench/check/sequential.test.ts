/**
 * Issue 14, confirmation rounds on hardware: comparing again after each round is a sequential test, and
 * each look is judged at alpha / (rounds + 1) (Bonferroni over the planned looks, bench/check/sequential.ts).
 * The boundaries are the method's; a seeded simulation (so the figures never change) first reproduces
 * the inflation of uncorrected repeated tests published by Armitage, McPherson & Rowe (1969; Jennison &
 * Turnbull 2000, Table 1.1), then runs the check's own design (a fixed baseline, the current side growing
 * a run per round, a three-way verdict from a two-sided interval at each look) and finds the uncorrected
 * looks above the family's 5% and the corrected ones within it. A compare at a look's alpha holds its
 * intervals and Holm's threshold to that alpha.
 */
import { describe, expect, it } from 'vitest';
import { COMPARISON_ALPHA, compareWithBaseline, type PairedEvidence, type SlaSeries } from '../../../bench/check/baseline.js';
import { seededRandom } from '../../../bench/check/bootstrap.js';
import type { JudgedSla } from '../../../bench/check/evaluate.js';
import { lookAlpha } from '../../../bench/check/sequential.js';
import type { ScenarioSla } from '../../../bench/scenario/load.js';

/** Standard normal quantiles from the tables: z(1 - 0.05 / 2) and z(1 - 0.0125 / 2) (alpha 0.05 over 4 looks). */
const Z_975 = 1.959964;
const Z_99375 = 2.497705;

/** A seeded standard normal source (Box-Muller on mulberry32). */
function normals(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Armitage et al.'s repeated test: K looks at equal increments of N(0,1) data, two-sided at |z| > z each; how often any look rejects. */
function repeatedTestError(looks: number, z: number, trials: number, seed: number): number {
  const normal = normals(seed);
  let rejected = 0;
  for (let t = 0; t < trials; t++) {
    let sum = 0;
    for (let k = 1; k <= looks; k++) {
      sum += normal();
      if (Math.abs(sum / Math.sqrt(k)) > z) {
        rejected++;
        break;
      }
    }
  }
  return rejected / trials;
}

/**
 * The check's design at the tolerance's edge (the true change equals the tolerance): one baseline run, the
 * current side one run more per look, the change's estimate the current mean less the baseline, its
 * interval est +- z * sqrt(1 + 1/k); a regression where the interval lies wholly beyond, OK where wholly
 * inside, else one more round, up to `looks`. Returns how often a look ends in a false regression and in a
 * false OK (each wrong from its side of the edge).
 */
function checkDesignErrors(looks: number, z: number, trials: number, seed: number): { regression: number; ok: number } {
  const normal = normals(seed);
  let regression = 0;
  let ok = 0;
  for (let t = 0; t < trials; t++) {
    const baselineError = normal();
    let currentSum = 0;
    for (let k = 1; k <= looks; k++) {
      currentSum += normal();
      const change = currentSum / k - baselineError;
      const half = z * Math.sqrt(1 + 1 / k);
      if (change - half > 0) {
        regression++;
        break;
      }
      if (change + half <= 0) {
        ok++;
        break;
      }
    }
  }
  return { regression: regression / trials, ok: ok / trials };
}

describe('sequential correction of confirmation rounds', () => {
  it("splits the family's alpha evenly over the planned looks: the first comparison and one per round", () => {
    expect(lookAlpha(0.05, 0)).toBe(0.05);
    expect(lookAlpha(0.05, 1)).toBe(0.025);
    expect(lookAlpha(0.05, 3)).toBe(0.0125);
    expect(lookAlpha(0.05, 20)).toBeCloseTo(0.05 / 21, 15);
    // Over every planned look the shares add up to the family's alpha, never more.
    for (const rounds of [0, 1, 3, 7, 20]) expect(lookAlpha(0.05, rounds) * (rounds + 1)).toBeCloseTo(0.05, 15);
    expect(() => lookAlpha(0.05, -1)).toThrow(RangeError);
    expect(() => lookAlpha(0.05, 1.5)).toThrow(RangeError);
  });

  it('reproduces the published error of uncorrected repeated tests (Armitage, McPherson and Rowe 1969)', () => {
    // Jennison & Turnbull (2000), Table 1.1: two-sided tests at 5% after each of K equal groups.
    for (const [looks, published] of [
      [2, 0.083],
      [3, 0.107],
      [5, 0.142],
    ] as const)
      // 100,000 trials: a standard error near 0.001, so within 0.005 of the published figure.
      expect(Math.abs(repeatedTestError(looks, Z_975, 100_000, 1400 + looks) - published)).toBeLessThan(0.005);
  });

  it("keeps the check's design within the family's alpha over 3 rounds, where uncorrected looks exceed it", () => {
    const looks = 4; // the first comparison and 3 confirmation rounds: --confirm-rounds 3, the default
    const naive = checkDesignErrors(looks, Z_975, 40_000, 14);
    const corrected = checkDesignErrors(looks, Z_99375, 40_000, 14);
    // Uncorrected: each side errs far more than a one-sided 2.5% and together more than 5%.
    expect(naive.regression).toBeGreaterThan(0.035);
    expect(naive.ok).toBeGreaterThan(0.035);
    expect(naive.regression + naive.ok).toBeGreaterThan(COMPARISON_ALPHA);
    // Bonferroni over the 4 looks: at most alpha / 2 each side, alpha together.
    expect(lookAlpha(COMPARISON_ALPHA, looks - 1)).toBe(0.0125);
    expect(corrected.regression).toBeLessThanOrEqual(COMPARISON_ALPHA / 2);
    expect(corrected.ok).toBeLessThanOrEqual(COMPARISON_ALPHA / 2);
    expect(corrected.regression + corrected.ok).toBeLessThanOrEqual(COMPARISON_ALPHA);
  });
});

describe("a comparison at a look's alpha", () => {
  const sla = {
    sla: { name: 'db', ops: 'all', window: 'run', tolerance: 0, regression_tolerance: 0.05, min_iops: 100 } as ScenarioSla,
    scope: 'pod a/db',
    subjects: [],
    from_ns: 0,
    until_ns: 1e12,
  } satisfies JudgedSla;
  const run = (ios: number, seed: number): SlaSeries => ({
    ends_ns: Array.from({ length: 10 }, (_, i) => (i + 1) * 1e9),
    lengths_ns: Array.from({ length: 10 }, () => 1e9),
    ios: Array.from({ length: 10 }, (_, i) => ios + ((seed + i) % 3) * 10),
    bytes: Array.from({ length: 10 }, () => ios * 4096),
    latency: Array.from({ length: 10 }, () => new Map<number, number>()),
  });
  // IOPS half the baseline's on one seed, with a second round on the current side (unpaired).
  const halved: PairedEvidence = { sla, seeds: [1], baseline: [run(1000, 1)], current: [run(500, 1), run(500, 2)] };

  it('draws its intervals at 1 - alpha / m and holds Holm-adjusted p-values to that alpha', () => {
    // 20 resamples: the smallest p-value is 1/21 = 0.048, below 5% but not below 1.25%.
    const [family] = compareWithBaseline([halved], 20);
    expect(family).toMatchObject({ verdict: 'regression', alpha: 0.05, confidence: 0.95 });
    const [look] = compareWithBaseline([halved], 20, lookAlpha(COMPARISON_ALPHA, 3));
    expect(look).toMatchObject({ alpha: 0.0125, confidence: 1 - 0.0125 });
    expect(look!.p_holm).toBeCloseTo(1 / 21, 12);
    // The interval lies wholly beyond the tolerance, but the test at 1.25% cannot reject: not a regression.
    expect(look!.ci![1]).toBeLessThan(-0.05);
    expect(look!.verdict).toBe('inconclusive');
  });
});
