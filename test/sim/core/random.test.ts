import { describe, expect, it } from 'vitest';
import { RandomStream, RandomStreams } from '../../../sim/core/random.js';
import { Deterministic, Empirical, Exponential, LogNormal, Normal, Uniform } from '../../../sim/core/distributions.js';
import * as ss from 'simple-statistics';

const draws = (n: number, f: () => number) => Array.from({ length: n }, f);

describe('random streams', () => {
  it('gives the same sequence for the same seed and name, and different ones otherwise', () => {
    const a = draws(
      5,
      (
        (s) => () =>
          s.next()
      )(new RandomStream(42, 'nvme0')),
    );
    const b = draws(
      5,
      (
        (s) => () =>
          s.next()
      )(new RandomStream(42, 'nvme0')),
    );
    const c = draws(
      5,
      (
        (s) => () =>
          s.next()
      )(new RandomStream(43, 'nvme0')),
    );
    const d = draws(
      5,
      (
        (s) => () =>
          s.next()
      )(new RandomStreams(42).get('nvme1')),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(d);
  });

  it('is uniform on [0, 1): mean, variance and bucket counts', () => {
    const s = new RandomStream(7, 'uniform');
    const xs = draws(200_000, () => s.next());
    expect(ss.min(xs)).toBeGreaterThanOrEqual(0);
    expect(ss.max(xs)).toBeLessThan(1);
    expect(ss.mean(xs)).toBeCloseTo(0.5, 2);
    expect(ss.variance(xs)).toBeCloseTo(1 / 12, 3);
    const buckets = new Array(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    // chi-square with 9 degrees of freedom: 99.9% quantile is 27.9
    const chi = buckets.reduce((a, n) => a + (n - 20_000) ** 2 / 20_000, 0);
    expect(chi).toBeLessThan(27.9);
  });
});

describe('distributions', () => {
  const stream = () => new RandomStream(11, 'dist');
  it.each([
    ['exponential', () => new Exponential(1000, stream()), 1000, 1000],
    ['uniform', () => new Uniform(100, 300, stream()), 200, 200 / Math.sqrt(12)],
    ['normal', () => new Normal(1000, 100, stream()), 1000, 100],
    ['lognormal', () => new LogNormal(1000, 500, stream()), 1000, 500],
  ] as const)('%s has the mean and standard deviation it was given', (_name, make, mean, sd) => {
    const d = make();
    const xs = draws(200_000, () => d.sample());
    expect(ss.mean(xs) / mean).toBeCloseTo(1, 1.7);
    expect(ss.sampleStandardDeviation(xs) / sd).toBeCloseTo(1, 1.3);
    expect(d.mean).toBe(mean);
  });

  it('deterministic always gives its value', () => {
    const d = new Deterministic(250);
    expect(draws(10, () => d.sample())).toEqual(new Array(10).fill(250));
  });

  it('empirical draws each value in proportion to its weight', () => {
    const d = new Empirical([10, 20, 30], [1, 2, 7], stream());
    const xs = draws(100_000, () => d.sample());
    const share = (v: number) => xs.filter((x) => x === v).length / xs.length;
    expect(share(10)).toBeCloseTo(0.1, 2);
    expect(share(20)).toBeCloseTo(0.2, 2);
    expect(share(30)).toBeCloseTo(0.7, 2);
    expect(d.mean).toBeCloseTo(26, 10);
    expect(() => new Empirical([1], [0], stream())).toThrow(/zero/);
  });
});
