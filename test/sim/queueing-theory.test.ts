/**
 * The kernel, the queue device, the open-loop generator and the recorders against queueing theory,
 * through `anvil run` with a `queue` profile and a Poisson `rate_iops` job. Sample sizes are chosen so
 * the closed forms are a fair test: at utilisation 0.9 the M/M/1 sojourn mean's relative standard error
 * is about 19/sqrt(n), so 8M customers put 2% beyond three standard errors.
 */
import { describe, expect, it } from 'vitest';
import { anvilRun } from '../cli-harness.js';

interface Fio {
  jobs: { read: { iops: number; total_ios: number; clat_ns: { mean: number; N: number; percentile: Record<string, number> } } }[];
}

function poissonJob(rate: number, seconds: number): string {
  return [
    '[global]',
    'rw=randread',
    'bs=4k',
    `rate_iops=${rate}`,
    'rate_process=poisson',
    'iodepth=65536',
    `runtime=${seconds}s`,
    'time_based',
    'percentile_list=50:90:99',
    '',
    '[mm]',
    '',
  ].join('\n');
}

async function measure(rate: number, seconds: number, profileYaml: string, seed = 11) {
  const { stdout } = await anvilRun(poissonJob(rate, seconds), { profileYaml, seed });
  const read = (JSON.parse(stdout) as Fio).jobs[0]!.read;
  return { mean: read.clat_ns.mean, p99: read.clat_ns.percentile['99.000000']!, n: read.total_ios, iops: read.iops };
}

/** Smallest t with P(T > t) <= 0.01, by bisection on a decreasing survival function. */
function quantile99(survival: (t: number) => number, hi: number): number {
  let lo = 0;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (survival(mid) > 0.01) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Erlang's C formula: probability an arrival waits in M/M/c with offered load a = lambda/mu. */
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

describe('queueing theory through anvil run', () => {
  it('M/M/1 at utilisation 0.9: mean and p99 sojourn time', async () => {
    const mu = 1e6; // service mean 1 us
    const lambda = 0.9e6;
    const m = await measure(lambda, 9, 'kind: queue\nservers: 1\nservice: { dist: exponential, mean: 1us }\n');
    expect(m.n).toBeGreaterThan(8e6);
    const mean = 1e9 / (mu - lambda); // 10 us
    const p99 = (Math.log(100) * 1e9) / (mu - lambda);
    expect(Math.abs(m.mean / mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(m.p99 / p99 - 1)).toBeLessThan(0.03);
    expect(Math.abs(m.iops / lambda - 1)).toBeLessThan(0.01);
  });

  it('M/M/c (Erlang C), c = 4 at utilisation 0.8: mean and p99 sojourn time', async () => {
    const c = 4;
    const mu = 1e9 / 4000; // service mean 4 us
    const lambda = 0.8 * c * mu;
    const m = await measure(lambda, 8, 'kind: queue\nservers: 4\nservice: { dist: exponential, mean: 4us }\n');
    const C = erlangC(c, lambda / mu);
    const theta = c * mu - lambda;
    const mean = (C / theta + 1 / mu) * 1e9;
    // Sojourn = wait + service: the wait is 0 with probability 1 - C, else exponential(theta).
    const survival = (t: number) =>
      (1 - C) * Math.exp(-mu * t) + (C * (theta * Math.exp(-mu * t) - mu * Math.exp(-theta * t))) / (theta - mu);
    const p99 = quantile99(survival, 1) * 1e9;
    expect(m.n).toBeGreaterThan(6e6);
    expect(Math.abs(m.mean / mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(m.p99 / p99 - 1)).toBeLessThan(0.03);
  });

  it('M/D/1 at utilisation 0.8: mean sojourn time (Pollaczek-Khinchine)', async () => {
    const D = 1e-6;
    const lambda = 0.8e6;
    const rho = lambda * D;
    const m = await measure(lambda, 6, 'kind: queue\nservers: 1\nservice: { dist: deterministic, mean: 1us }\n');
    const mean = (D + (lambda * D * D) / (2 * (1 - rho))) * 1e9; // 3 us
    expect(m.n).toBeGreaterThan(4e6);
    expect(Math.abs(m.mean / mean - 1)).toBeLessThan(0.02);
  });
});
