/** A node's host CPU as a FIFO c-server resource, against arithmetic and queueing theory. */
import { describe, expect, it } from 'vitest';
import { Deterministic, Exponential } from '../../../sim/core/distributions.js';
import { Simulator } from '../../../sim/core/kernel.js';
import { RandomStreams } from '../../../sim/core/random.js';
import { CpuLoad } from '../../../sim/resources/cpu-load.js';
import { CPU_APPLICATION, CPU_NETWORK, CPU_STORAGE, HostCpu } from '../../../sim/resources/host-cpu.js';

/** Erlang C: probability an arrival waits in an M/M/c queue with offered load a = λ/μ. */
function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c / (1 - a / c);
  return last / (sum + last);
}

describe('host CPU', () => {
  it('serves charges first come first served on the earliest free core, accounting per class', () => {
    const cpu = new HostCpu('node-a', 2);
    expect(cpu.reserve(0, 100, CPU_APPLICATION)).toBe(100);
    expect(cpu.reserve(0, 300, CPU_STORAGE)).toBe(300);
    // Both cores busy: the third waits for the first to free (at 100).
    expect(cpu.reserve(10, 50, CPU_NETWORK)).toBe(150);
    expect(cpu.lastStart_ns).toBe(100);
    // An idle core takes work at once.
    expect(cpu.reserve(400, 20, CPU_STORAGE)).toBe(420);
    expect(cpu.lastStart_ns).toBe(400);
    expect([...cpu.busy_ns]).toEqual([100, 320, 50]);
    expect([...cpu.charges]).toEqual([1, 2, 1]);
    expect(cpu.infrastructure_ns()).toBe(370);
    expect(cpu.reserve(500, 0, CPU_STORAGE)).toBe(500);
    expect(cpu.charges[CPU_STORAGE]).toBe(2);
  });

  it('refuses a node without a whole number of cores', () => {
    expect(() => new HostCpu('node-a', 0)).toThrow(/cores must be a whole number ≥ 1/);
    expect(() => new HostCpu('node-a', 1.5)).toThrow(/cores/);
  });

  it('an application that wants every core gets c cores: slices done = c x time / slice', () => {
    const sim = new Simulator();
    const cpu = new HostCpu('node-a', 4);
    const app = new CpuLoad(sim, cpu, { slice_ns: new Deterministic(100_000), threads: 8, stop_ns: 1e9 });
    sim.run(2e9);
    expect(app.slicesDone).toBe((4 * 1e9) / 100_000);
    // 8 threads on 4 cores: every slice waits one slice, then runs one; the first 4 find a core free.
    const slices = app.slicesDone;
    expect(app.meanResponse_ns()).toBeCloseTo((4 * 100_000 + (slices - 4) * 200_000) / slices, 3);
  });

  it('M/M/c: Poisson slices with exponential sizes wait as Erlang C says (c = 2, ρ = 0.7)', () => {
    const sim = new Simulator();
    const cpu = new HostCpu('node-a', 2);
    const streams = new RandomStreams(11);
    const mean_ns = 100_000;
    const lambda_per_ns = (0.7 * 2) / mean_ns;
    const app = new CpuLoad(sim, cpu, {
      slice_ns: new Exponential(mean_ns, streams.get('sizes')),
      interarrival_ns: new Exponential(1 / lambda_per_ns, streams.get('gaps')),
      stop_ns: 2e10,
    });
    sim.run(2.1e10);
    const a = lambda_per_ns * mean_ns;
    const expected = mean_ns + (erlangC(2, a) * mean_ns) / (2 - a);
    expect(app.slicesDone).toBeGreaterThan(250_000);
    expect(Math.abs(app.meanResponse_ns() / expected - 1)).toBeLessThan(0.03);
    expect(cpu.coresUsed(CPU_APPLICATION, 2e10)).toBeCloseTo(1.4, 1);
  });

  it('refuses a load that is neither closed nor open loop', () => {
    const sim = new Simulator();
    const cpu = new HostCpu('node-a', 1);
    expect(() => new CpuLoad(sim, cpu, { slice_ns: new Deterministic(1), stop_ns: 1 })).toThrow(/either threads/);
  });
});
