/**
 * The `fitted` kind between sizes and in mixes. A known drive (4K rows per depth, size factors that are
 * not linear per KiB, mix factors: it completes more in a mix than its two paths composed) is run through
 * the calibration sweep on the model; the fit recovers its factors, and jobs the sweep never ran (8K and
 * 32K; 70/30 and 30/70 mixes) are predicted from them within a few percent.
 */
import { describe, expect, it } from 'vitest';
import { FITTED_PROBABILITIES, fitFitted, fittedProfileYaml } from '../../../bench/calibrate/fit-fitted.js';
import { pointsOf, sweepJobText, sweepJobs, type SweepJob, type SweepPoint } from '../../../bench/calibrate/sweep.js';
import { parseProfile, profileCapacity, type DeviceProfile } from '../../../bench/profiles.js';
import { runOnModel } from '../../../bench/targets/sim.js';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import { AnvilError } from '../../../platform/errors.js';
import type { FittedParams } from '../../../sim/devices/fitted/fitted-schema.js';
import { PathTable } from '../../../sim/devices/fitted/path-table.js';

/** Quantiles at FITTED_PROBABILITIES of a latency about `median_ns` with a smooth tail (p99 about twice the median). */
function row(median_ns: number): number[] {
  return FITTED_PROBABILITIES.map((p) => Math.round(median_ns * (0.5 + p) * (1 + 0.005 / (1.002 - p))));
}

const SIZES = [16384, 65536, 131072];
/** Factors per size (rows) at QD 1 and 16: flat to 16K, steep after, and steeper at depth (bandwidth-bound). */
const KNOWN_SIZE = {
  read: {
    host: [
      [1.02, 1.05],
      [1.1, 1.3],
      [1.2, 1.6],
    ],
    clat: [
      [1.1, 1.5],
      [1.9, 4.2],
      [3.1, 8.0],
    ],
  },
  write: {
    host: [
      [1.05, 1.1],
      [1.2, 1.5],
      [1.4, 2.0],
    ],
    clat: [
      [1.2, 1.8],
      [2.4, 5.0],
      [4.0, 9.0],
    ],
  },
};
/** Factors at 50/50 and QD 2, 8 and 32: a mix completes faster than its two paths composed (host extras are fractions of the 4K time per I/O). */
const KNOWN_MIX = { host: [[-0.1, -0.04, -0.01]], read: [[0.85, 0.7, 0.6]], write: [[0.8, 0.65, 0.5]] };

function knownParams(withSizes: boolean, withMixes: boolean): FittedParams {
  const path = (depths: number[], host: number[], medians: number[], dir: 'read' | 'write') => ({
    depths,
    host_ns: host,
    clat_ns: medians.map(row),
    clat_ns_per_kib: 0,
    host_ns_per_kib: 0,
    ...(withSizes ? { size_scale: { sizes: [...SIZES], depths: [1, 16], ...structuredClone(KNOWN_SIZE[dir]) } } : {}),
    ...(withMixes ? { mix_scale: { read_fractions: [0.5], depths: [2, 8, 32], host: KNOWN_MIX.host, clat: KNOWN_MIX[dir] } } : {}),
  });
  return {
    kind: 'fitted',
    capacity: '1g',
    reference_size: '4096',
    probabilities: [...FITTED_PROBABILITIES],
    read: path([1, 4, 16, 64], [20_000, 9_000, 6_000, 5_000], [30_000, 45_000, 120_000, 360_000], 'read'),
    write: path([1, 8, 64], [25_000, 10_000, 6_000], [60_000, 150_000, 500_000], 'write'),
  };
}

const asProfile = (params: FittedParams, name: string): DeviceProfile =>
  parseProfile(fittedProfileYaml(params, [], { filename: 'x', host: 'h', date: '', fioVersion: '' }), name);

function runJob(profile: DeviceProfile, job: SweepJob, seed: number): SweepPoint[] {
  const { specs } = loadWorkloads(sweepJobText(job, { size_bytes: 1 << 28, runtime_s: 1 }), job.name, profileCapacity(profile));
  return pointsOf(job, runOnModel({ jobs: specs, profile, seed }));
}

/**
 * Largest |IOPS error| and |p99 error| of `predicted` against `known` on `jobs`, percent. Both run on
 * the same seed (the same latency draws), so the error is the models' and not the draws' (a p99 of a
 * one-second run moves by several percent from seed to seed).
 */
function heldOutError(known: DeviceProfile, predicted: DeviceProfile, jobs: readonly SweepJob[]) {
  let iops = 0;
  let p99 = 0;
  for (const job of jobs) {
    const want = runJob(known, job, 21);
    const got = runJob(predicted, job, 21);
    for (const w of want) {
      const g = got.find((p) => p.direction === w.direction)!;
      iops = Math.max(iops, Math.abs(g.iops / w.iops - 1) * 100);
      p99 = Math.max(p99, Math.abs(g.clat_p99_ns / w.clat_p99_ns - 1) * 100);
    }
  }
  return { iops, p99 };
}

describe('the fitted kind at sizes between the measured ones', () => {
  it('interpolates the factors on log size and grows in proportion to the size past the largest', () => {
    const params = knownParams(true, false);
    const table = new PathTable(params.read, params.probabilities, 4096);
    const cycle = (bytes: number) => table.meanCycle(1, bytes);
    // 32K is halfway between 16K and 64K on log size: its time per I/O is halfway between theirs (QD1, one depth row).
    expect(cycle(32768)).toBeCloseTo((cycle(16384) + cycle(65536)) / 2, 6);
    expect(cycle(8192)).toBeCloseTo((cycle(4096) + cycle(16384)) / 2, 6);
    expect(cycle(262144) / cycle(131072)).toBeCloseTo(2, 9);
    expect(cycle(65536) / cycle(4096)).toBeGreaterThan(1.5); // not the 4K row: the factor applied
  });

  it('adds host time as a fraction of the 4K time per I/O, so a depth whose 4K host time is 0 stays bounded', () => {
    const params = knownParams(false, false);
    params.read = { ...params.read, depths: [1, 16], host_ns: [20_000, 0], clat_ns: [row(30_000), row(120_000)] };
    params.read.size_scale = { sizes: [65536], depths: [1, 16], host: [[0.5, 0.5]], clat: [[1, 1]] };
    const table = new PathTable(params.read, params.probabilities, 4096);
    for (const depth of [1, 4, 16]) {
      const added = table.hostTime(depth, 65536) - table.hostTime(depth, 4096);
      expect(added / (0.5 * table.meanCycle(depth, 4096)), `QD${depth}`).toBeCloseTo(1, 9);
    }
  });

  it('refuses a size grid whose rows disagree with its sizes, or sizes not above the reference, naming the field', () => {
    const refusal = (spoil: (p: FittedParams) => void) => {
      const bad = knownParams(true, false);
      spoil(bad);
      try {
        asProfile(bad, 'bad.yaml');
      } catch (e) {
        expect((e as AnvilError).code).toBe('ANVIL_ERR_PROFILE_INVALID');
        return (e as AnvilError).details.join('\n');
      }
      return 'accepted';
    };
    expect(refusal((p) => p.read.size_scale!.clat.pop())).toMatch(/\/read\/size_scale\/clat: 2 rows for 3 sizes; give one per value/);
    expect(refusal((p) => (p.write.size_scale!.sizes[0] = 2048))).toMatch(
      /\/write\/size_scale\/sizes\/0: 2048 is not above 4096; give them ascending and above reference_size/,
    );
  });

  const known = asProfile(knownParams(true, false), 'known-sizes.yaml');
  const sweep = sweepJobs().flatMap((job) => runJob(known, job, 5));
  const fit = fitFitted(sweep, 1 << 30);

  it('recovers the size factors from the sweep', () => {
    for (const dir of ['read', 'write'] as const) {
      const scale = fit[dir].size_scale!;
      expect(scale.sizes).toEqual(SIZES);
      expect(scale.depths).toEqual([1, 16]);
      scale.clat.forEach((factors, i) =>
        factors.forEach((f, j) =>
          expect(f / KNOWN_SIZE[dir].clat[i]![j]!, `${dir} ${SIZES[i]} QD${scale.depths[j]} latency`).toBeCloseTo(1, 1),
        ),
      );
    }
  });

  it('predicts 8K and 32K jobs the sweep never ran', () => {
    const held: SweepJob[] = [
      { name: 'randread-8k-qd4', rw: 'randread', bs_bytes: 8192, iodepth: 4 },
      { name: 'randread-32k-qd4', rw: 'randread', bs_bytes: 32768, iodepth: 4 },
      { name: 'randwrite-32k-qd8', rw: 'randwrite', bs_bytes: 32768, iodepth: 8 },
      { name: 'randread-32k-qd1', rw: 'randread', bs_bytes: 32768, iodepth: 1 },
    ];
    const error = heldOutError(known, asProfile(fit, 'fitted-sizes.yaml'), held);
    expect(error.iops).toBeLessThan(5);
    expect(error.p99).toBeLessThan(8);
  });
});

describe('the fitted kind in mixes', () => {
  const known = asProfile(knownParams(false, true), 'known-mixes.yaml');
  const sweep = sweepJobs().flatMap((job) => runJob(known, job, 5));
  const fit = fitFitted(sweep, 1 << 30);
  const held: SweepJob[] = [
    { name: 'mix-70-30-4k-qd8', rw: 'randrw', bs_bytes: 4096, iodepth: 8, rwmixread: 70 },
    { name: 'mix-30-70-4k-qd16', rw: 'randrw', bs_bytes: 4096, iodepth: 16, rwmixread: 30 },
  ];

  it('recovers the mix factors from the 50/50 jobs', () => {
    const read = fit.read.mix_scale!;
    expect(read.read_fractions).toEqual([0.5]);
    expect(read.depths).toEqual([2, 8, 32]);
    for (const [dir, want] of [
      ['read', KNOWN_MIX.read],
      ['write', KNOWN_MIX.write],
    ] as const)
      fit[dir].mix_scale!.clat[0]!.forEach((f, j) => expect(f / want[0]![j]!, `${dir} QD${read.depths[j]} latency`).toBeCloseTo(1, 1));
    // The host time added at 50/50, a fraction of the 4K time per I/O (the fitted rows', within 2% of the known): within 0.03.
    read.host[0]!.forEach((f, j) => expect(Math.abs(f - KNOWN_MIX.host[0]![j]!), `QD${read.depths[j]} host`).toBeLessThan(0.03));
  });

  it('predicts 70/30 and 30/70 mixes from them, where the two paths composed miss', () => {
    const error = heldOutError(known, asProfile(fit, 'fitted-mixes.yaml'), held);
    expect(error.iops).toBeLessThan(5);
    expect(error.p99).toBeLessThan(8);
    const composed = structuredClone(fit);
    delete composed.read.mix_scale;
    delete composed.write.mix_scale;
    expect(heldOutError(known, asProfile(composed, 'composed.yaml'), held).iops).toBeGreaterThan(15);
  });
});
