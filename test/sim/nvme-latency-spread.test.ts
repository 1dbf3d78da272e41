/**
 * Every built-in profile has a latency spread at QD1 (issue 16: the Optane profile's QD1 read latency had
 * a standard deviation of 0, so p99.99 = mean and its tail meant nothing). Where a source publishes a QD1
 * percentile, the model's percentile is within a stated tolerance of it; the same seed gives the same
 * figures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseProfile } from '../../bench/profiles.js';
import { AnvilError } from '../../platform/errors.js';
import { PROFILE_DIR, loadNvmeProfile, runJob, type HarnessJob } from './nvme-harness.js';

/** Published QD1 4 KiB random read percentiles, ns (AnandTech 11209, 2017: P4800X mean 8.9 us, p99 10 us). */
const PUBLISHED_READ_P99_NS: Record<string, number> = { 'optane-p4800x': 10_000 };
/** The model's p99 within 10% of the published one: the histogram's buckets alone are a few % wide. */
const P99_TOLERANCE = 0.1;
/** 200 ms of simulated QD1 I/O: about 20K I/Os on a NAND drive, enough for a stable p99. */
const RUN = { ramp_ns: 1e6, runtime_ns: 200e6 };

const profiles = readdirSync(PROFILE_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .filter((f) => /^kind:\s*nvme\s*$/m.test(readFileSync(join(PROFILE_DIR, f), 'utf8')))
  .map((f) => f.slice(0, -'.yaml'.length));

const qd1 = (op: 'read' | 'write'): HarnessJob => ({ op, pattern: 'random', bs: 4096, iodepth: 1 });

for (const name of profiles) {
  describe(`profile ${name} at QD1`, () => {
    const { params } = loadNvmeProfile(name);
    for (const op of ['read', 'write'] as const) {
      test(`4 KiB random ${op}s have a spread: stdev > 0 and p99.99 above the mean`, () => {
        const result = runJob(params, qd1(op), RUN);
        const lat = result.lat;
        expect(result.ios).toBeGreaterThan(1000);
        expect(lat.stddev_ns).toBeGreaterThan(0);
        expect(lat.percentile(99.99)).toBeGreaterThan(lat.mean_ns);
      });
    }
    const published = PUBLISHED_READ_P99_NS[name];
    if (published !== undefined) {
      test(`4 KiB random read p99 within ${P99_TOLERANCE * 100}% of the published ${published / 1000} us`, () => {
        const p99 = runJob(params, qd1('read'), RUN).lat.percentile(99);
        expect(Math.abs(p99 - published) / published).toBeLessThanOrEqual(P99_TOLERANCE);
      });
    }
    test('the same seed gives the same QD1 figures, another seed other ones', () => {
      const figures = (seed: number) => {
        const { ios, lat } = runJob(params, qd1('write'), { ...RUN, runtime_ns: 20e6, seed });
        return [ios, lat.mean_ns, lat.stddev_ns, lat.percentile(99), lat.percentile(99.99)];
      };
      expect(figures(7)).toEqual(figures(7));
      expect(figures(7)).not.toEqual(figures(8));
    });
  });
}

test('a spread whose fields disagree is refused with the field, as a coded error', () => {
  const cases: [string, RegExp][] = [
    ['read_spread: { dist: uniform, min: 3us, max: 1us }', /\/controller\/read_spread\/min: min \(3us\) is above max \(1us\)/],
    ['write_spread: { dist: empirical, values: [1us, 2us], weights: [1] }', /\/controller\/write_spread\/weights: 1 weights for 2 values/],
    ['read_spread: { dist: lognormal, mean: 0us, stddev: 1us }', /\/controller\/read_spread\/mean: "0us" is not allowed/],
    [
      'write_spread: { dist: exponential, mean: 1e99s }',
      /\/controller\/write_spread\/mean: "1e99s" is not allowed: give a duration at least 0 and at most 10s/,
    ],
  ];
  for (const [field, message] of cases) {
    let error: unknown;
    try {
      parseProfile(`kind: nvme\ncontroller:\n  ${field}\n`, 'spread.yaml');
    } catch (e) {
      error = e;
    }
    expect(error, field).toBeInstanceOf(AnvilError);
    expect((error as AnvilError).code, field).toBe('ANVIL_ERR_PROFILE_INVALID');
    expect((error as AnvilError).details.join('\n'), field).toMatch(message);
  }
});
