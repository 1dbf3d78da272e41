/**
 * The bench's M/M/1 through `anvil run` (bench/perf/mm1-anvil.fio on mm1-queue.yaml, the compiled CLI) does
 * the work the C++ loop does: about the customers asked for, arriving as a Poisson process at rho 0.9 on one
 * exponential server, with a mean sojourn of 1/(mu - lambda). Its time is the bench's business: not read here.
 */
import { describe, expect, it } from 'vitest';
import { runMm1ThroughAnvil } from '../../../bench/perf/mm1-anvil-run.js';
import { MM1_THEORETICAL_SOJOURN_NS } from '../../../bench/perf/mm1-kernel.js';

describe('bench M/M/1 through anvil run', () => {
  it('serves about the customers asked for with the M/M/1 mean sojourn', () => {
    const customers = 300_000;
    const run = runMm1ThroughAnvil(customers, 7);
    // Poisson arrivals over a fixed runtime: the count's standard deviation is sqrt(n); allow five.
    expect(Math.abs(run.customers - customers)).toBeLessThan(5 * Math.sqrt(customers));
    // At rho 0.9 the sample mean's relative standard error is about 19/sqrt(n): 3.5% here; allow four.
    expect(Math.abs(run.meanSojourn_ns / MM1_THEORETICAL_SOJOURN_NS - 1)).toBeLessThan((4 * 19) / Math.sqrt(customers));
    expect(runMm1ThroughAnvil(20_000, 7).meanSojourn_ns).toBe(runMm1ThroughAnvil(20_000, 7).meanSojourn_ns);
  });
});
