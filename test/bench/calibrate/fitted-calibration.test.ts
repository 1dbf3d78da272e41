/**
 * The `fitted` device kind and its fit: a sweep run on a known `fitted` device is fitted back to its
 * own host times and latency quantiles (round trip, so the fit and not the hardware is under test); the
 * profile written reproduces the sweep, sizes and mixes included; leave-one-depth-out predicts a depth it never
 * saw; and a sweep fio recorded on a real (virtio) disk fits with every training job reproduced.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FITTED_PROBABILITIES,
  crossValidate,
  fitFitted,
  fittedProfileYaml,
  histogramQuantiles,
  monotone,
  predictClosedLoop,
} from '../../../bench/calibrate/fit-fitted.js';
import { pointsOf, sweepJobText, sweepJobs, type SweepPoint } from '../../../bench/calibrate/sweep.js';
import { compareRuns, validationTable } from '../../../bench/calibrate/validate.js';
import { parseProfile, profileCapacity, type DeviceProfile } from '../../../bench/profiles.js';
import { runOnModel } from '../../../bench/targets/sim.js';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import { AnvilError } from '../../../platform/errors.js';

/** A latency shape (quantiles at FITTED_PROBABILITIES) with median `median_ns`, a lognormal of sigma 0.4. */
function shape(median_ns: number): number[] {
  // Inverse normal CDF by bisection on erf's series-free approximation (Abramowitz-Stegun 7.1.26).
  const phi = (x: number) => {
    const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
    return 0.5 * (1 + Math.sign(x) * y);
  };
  const z = (p: number) => {
    let [lo, hi] = [-4.5, 4.5];
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (phi(mid) < p) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  return FITTED_PROBABILITIES.map((p) => Math.round(median_ns * Math.exp(0.4 * z(Math.min(Math.max(p, 3e-6), 1 - 3e-6)))));
}

/** A drive whose IOPS rise with depth at every depth (as a closed loop's do), read and write apart. */
const KNOWN = {
  read: { depths: [1, 4, 16, 64], host: [20_000, 9_000, 6_000, 5_000], median: [30_000, 45_000, 120_000, 360_000] },
  write: { depths: [1, 8, 64], host: [25_000, 10_000, 6_000], median: [60_000, 150_000, 500_000] },
};

function knownYaml(): string {
  const path = (k: typeof KNOWN.read) =>
    `  depths: [${k.depths.join(', ')}]\n  host_ns: [${k.host.join(', ')}]\n  clat_ns:\n${k.median.map((m) => `    - [${shape(m).join(', ')}]`).join('\n')}\n`;
  return `kind: fitted\ncapacity: 1g\nprobabilities: [${FITTED_PROBABILITIES.join(', ')}]\nread:\n${path(KNOWN.read)}write:\n${path(KNOWN.write)}`;
}

function modelSweep(profile: DeviceProfile): SweepPoint[] {
  return sweepJobs().flatMap((job) => {
    const text = sweepJobText(job, { size_bytes: 1 << 28, runtime_s: 1 });
    const { specs } = loadWorkloads(text, job.name, profileCapacity(profile));
    return pointsOf(job, runOnModel({ jobs: specs, profile, seed: 5 }));
  });
}

const known = parseProfile(knownYaml(), 'known.yaml');
const sweep = modelSweep(known);

describe('the fitted device kind, fitted from its own sweep', () => {
  it('recovers the host time and the latency quantiles of every depth it was built with', () => {
    const fit = fitFitted(sweep, 1 << 30);
    for (const direction of ['read', 'write'] as const) {
      const k = KNOWN[direction];
      k.depths.forEach((depth, i) => {
        const row = fit[direction].depths.indexOf(depth);
        expect(row, `${direction} QD${depth} is a row`).toBeGreaterThanOrEqual(0);
        const label = `${direction} QD${depth}`;
        const want = shape(k.median[i]!);
        // The time per I/O (host time and mean latency) to 2%; the host time alone where it is a fifth of it or more.
        const mean = (row: readonly number[]) =>
          row.reduce(
            (a, v, j) => (j === 0 ? 0 : a + (FITTED_PROBABILITIES[j]! - FITTED_PROBABILITIES[j - 1]!) * (v + row[j - 1]!) * 0.5),
            0,
          );
        const cycle = k.host[i]! + mean(want);
        expect((fit[direction].host_ns[row]! + mean(fit[direction].clat_ns[row]!)) / cycle, `${label} time per I/O`).toBeCloseTo(1, 1.7);
        if (k.host[i]! > cycle / 5) expect(fit[direction].host_ns[row]! / k.host[i]!, `${label} host time`).toBeCloseTo(1, 1);
        for (const p of [0.5, 0.9, 0.99]) {
          const j = FITTED_PROBABILITIES.indexOf(p);
          expect(fit[direction].clat_ns[row]![j]! / want[j]!, `${label} p${p * 100}`).toBeCloseTo(1, 1);
        }
      });
    }
  });

  it('writes a profile the model loads that reproduces the sweep, its sizes and 50/50 mixes included', () => {
    const yaml = fittedProfileYaml(fitFitted(sweep, 1 << 30), sweep, {
      filename: '/dev/x',
      host: 'h',
      date: '2026-12-03',
      fioVersion: 'fio-3.33',
    });
    const again = modelSweep(parseProfile(yaml, 'fitted.yaml'));
    for (const want of sweep) {
      const got = again.find((p) => p.job.name === want.job.name && p.direction === want.direction)!;
      const label = `${want.job.name} ${want.direction}`;
      expect(Math.abs(got.iops / want.iops - 1), `${label} IOPS`).toBeLessThan(0.03);
      expect(Math.abs(got.clat_p99_ns / want.clat_p99_ns - 1), `${label} p99`).toBeLessThan(0.06);
    }
  });

  it('predicts a depth left out of the fit from the depths either side', () => {
    // A drive whose host time and latency change evenly on log depth: any depth is the blend of its neighbours.
    const even = parseProfile(
      knownYaml()
        .replace('depths: [1, 4, 16, 64]', 'depths: [1, 64]')
        .replace('host_ns: [20000, 9000, 6000, 5000]', 'host_ns: [20000, 5000]')
        .replace(/(read:[\s\S]*?clat_ns:\n)((?: {4}- \[.*\n){4})/, (_, head: string, rows: string) => {
          const lines = rows.trimEnd().split('\n');
          return `${head}${lines[0]}\n${lines[3]}\n`;
        }),
      'even.yaml',
    );
    const rows = crossValidate(modelSweep(even), 1 << 30);
    expect(rows.map((r) => r.job)).toContain('randread-4k-qd8');
    for (const r of rows.filter((row) => row.direction === 'read')) {
      expect(Math.abs(r.iops_error_pct), `${r.job} IOPS`).toBeLessThan(3);
      expect(Math.abs(r.clat_p99_error_pct), `${r.job} p99`).toBeLessThan(6);
    }
  });

  it('grows latency with depth beyond the deepest row as a saturated drive does (flat IOPS)', () => {
    const fit = fitFitted(sweep, 1 << 30);
    const at64 = predictClosedLoop(fit, 'read', 64);
    const at256 = predictClosedLoop(fit, 'read', 256);
    expect(at256.iops / at64.iops).toBeCloseTo(1, 6);
    expect(at256.p99_ns / at64.p99_ns).toBeCloseTo(4, 6);
  });

  it('guarantees the closed loop rate at the QoS depth, the mix weighted by its paths', () => {
    const fit = fitFitted(sweep, 1 << 30);
    const profile = parseProfile(fittedProfileYaml(fit, sweep, { filename: 'x', host: 'h', date: '', fioVersion: '' }), 'g.yaml');
    const guarantee = (readFraction: number) =>
      profile.kind.guaranteedIops!(profile.params, { size_bytes: 4096, readFraction, depth: 16, utilisation: 0.95 });
    expect(guarantee(1) / (predictClosedLoop(fit, 'read', 16).iops * 0.95)).toBeCloseTo(1, 3);
    expect(guarantee(0) / (predictClosedLoop(fit, 'write', 16).iops * 0.95)).toBeCloseTo(1, 3);
    const cycle = 0.7 / predictClosedLoop(fit, 'read', 16).iops + 0.3 / predictClosedLoop(fit, 'write', 16).iops;
    expect(guarantee(0.7) / (0.95 / cycle)).toBeCloseTo(1, 3);
  });

  it('reads quantiles off fio buckets, spreading a bucket evenly across its width', () => {
    // 100 I/Os in the bucket of 1000 ns (one ns wide below 128 ns... 1000 ns is 16 ns wide) and 100 at 2000 ns.
    const q = histogramQuantiles({ '1000': 100, '2000': 100 }, [0, 0.25, 0.5, 0.75, 1]);
    expect(q[0]).toBeLessThanOrEqual(1000);
    expect(q[2]).toBeLessThanOrEqual(1008);
    expect(q[3]).toBeGreaterThanOrEqual(1984);
    expect(q[4]).toBeGreaterThanOrEqual(2000);
  });

  it('refuses a profile whose tables disagree, naming the field', () => {
    const bad = knownYaml().replace('host_ns: [20000, 9000, 6000, 5000]', 'host_ns: [20000, 9000]');
    let error: unknown;
    try {
      parseProfile(bad, 'bad.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AnvilError);
    expect((error as AnvilError).code).toBe('ANVIL_ERR_PROFILE_INVALID');
    expect((error as AnvilError).details.join('\n')).toMatch(/bad\.yaml: .*\/read\/host_ns: 2 values for 4 depths; give one per depth/);
  });

  it('refuses a sweep without random writes', () => {
    expect(() =>
      fitFitted(
        sweep.filter((p) => p.job.rw !== 'randwrite'),
        1 << 30,
      ),
    ).toThrow(/no 4K randwrite/);
  });
});

describe('a sweep fio recorded on a virtio disk', () => {
  const recorded = JSON.parse(
    readFileSync(new URL('../../fixtures/calibration/virtio-sweep.json', import.meta.url), 'utf8'),
  ) as SweepPoint[];

  it('fits a profile that reproduces the training jobs measured in order, and never falls with depth', () => {
    const fit = fitFitted(recorded, 256 << 20);
    // The reads were measured rising with depth (7.9K to 31.6K IOPS): each is reproduced.
    for (const p of recorded.filter((q) => q.job.rw === 'randread')) {
      const predicted = predictClosedLoop(fit, 'read', p.job.iodepth);
      expect(Math.abs(predicted.iops / p.iops - 1), `${p.job.name} IOPS`).toBeLessThan(0.02);
      expect(Math.abs(predicted.p99_ns / p.clat_p99_ns - 1), `${p.job.name} p99`).toBeLessThan(0.05);
    }
    // The writes dipped at QD 4, 8 and 64 (a busy machine): the fit pools QD 2-8 into their mean (and 32-64).
    const writes = recorded.filter((q) => q.job.rw === 'randwrite').map((p) => predictClosedLoop(fit, 'write', p.job.iodepth));
    for (let i = 1; i < writes.length; i++)
      expect(writes[i]!.iops, `write IOPS at row ${i}`).toBeGreaterThanOrEqual(writes[i - 1]!.iops * 0.999);
    const pooled = ['randwrite-4k-qd2', 'randwrite-4k-qd4', 'randwrite-4k-qd8'].map((name) => recorded.find((q) => q.job.name === name)!);
    const mean = pooled.reduce((a, p) => a + p.iops, 0) / pooled.length;
    for (const p of pooled) expect(predictClosedLoop(fit, 'write', p.job.iodepth).iops / mean, `${p.job.name} pooled`).toBeCloseTo(1, 3);
  });

  it('pools adjacent violators into their mean', () => {
    expect(monotone([1, 3, 2, 2, 5, 4])).toEqual([1, 7 / 3, 7 / 3, 7 / 3, 4.5, 4.5]);
    expect(monotone([3, 2, 1])).toEqual([2, 2, 2]);
  });
});

describe('validating a fitted profile', () => {
  it('reports each job of a job file with its own errors', () => {
    const fitted = parseProfile(
      fittedProfileYaml(fitFitted(sweep, 1 << 30), sweep, { filename: '/dev/x', host: 'h', date: '', fioVersion: '' }),
      'fitted.yaml',
    );
    const text = `[global]\nsize=256m\nruntime=1\ntime_based\n\n[rr-qd6]\nrw=randread\nbs=4k\niodepth=6\n\n[rw-qd24]\nstonewall\nrw=randwrite\nbs=4k\niodepth=24\n`;
    const { specs } = loadWorkloads(text, 'held.fio', 1 << 30);
    const measured = runOnModel({ jobs: specs, profile: known, seed: 11 });
    const rows = compareRuns('held.fio', measured, runOnModel({ jobs: specs, profile: fitted, seed: 12 }));
    expect(rows.map((r) => `${r.job} ${r.direction}`)).toEqual(['held.fio:rr-qd6 read', 'held.fio:rw-qd24 write']);
    for (const r of rows) {
      expect(Math.abs(r.iops_error_pct), `${r.job} IOPS`).toBeLessThan(3);
      expect(Math.abs(r.clat_p99_error_pct), `${r.job} p99`).toBeLessThan(6);
    }
    expect(validationTable(rows)).toMatch(/held\.fio:rw-qd24\s+write\s+\d+\s+\d+\s+[+-]\d+\.\d%/);
  });
});
