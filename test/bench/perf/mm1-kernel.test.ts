/**
 * The benchmark's M/M/1 model does the work the C++ baseline is compared against: every customer
 * completes, two events each, the mean sojourn agrees with 1/(mu - lambda), and a seed gives one answer.
 * (Throughput is the bench's business, not a test's: nothing here reads the clock.)
 */
import { describe, expect, it } from 'vitest';
import { MM1_THEORETICAL_SOJOURN_NS, simulateMm1Kernel } from '../../../bench/perf/mm1-kernel.js';

describe('bench M/M/1 on the kernel', () => {
  it('completes every customer in two events and matches 1/(mu - lambda)', () => {
    const customers = 400_000;
    const outcome = simulateMm1Kernel(customers, 7);
    expect(outcome.customers).toBe(customers);
    expect(outcome.events).toBe(2 * customers);
    expect(MM1_THEORETICAL_SOJOURN_NS).toBeCloseTo(10_000, 6);
    // At rho 0.9 the sample mean's relative standard error is about 19/sqrt(n): 3% here; allow four.
    expect(Math.abs(outcome.meanSojourn_ns / MM1_THEORETICAL_SOJOURN_NS - 1)).toBeLessThan(0.12);
  });

  it('gives the same figures for the same seed and different ones for another', () => {
    const a = simulateMm1Kernel(50_000, 3);
    expect(simulateMm1Kernel(50_000, 3)).toEqual(a);
    expect(simulateMm1Kernel(50_000, 4).meanSojourn_ns).not.toBe(a.meanSojourn_ns);
  });

  it('rejects a customer count that is not a positive integer', () => {
    expect(() => simulateMm1Kernel(0, 1)).toThrow(RangeError);
    expect(() => simulateMm1Kernel(1.5, 1)).toThrow(RangeError);
  });
});
