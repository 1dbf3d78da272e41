/**
 * Garbage collection and the write buffer: the analytic write amplification, sequential writes without
 * it, 3D XPoint without GC at all, backpressure when the buffer is full, and GC showing in the tail
 * latency of reads that run beside random writes.
 */
import { describe, expect, test } from 'vitest';
import { SequentialDetector, lrwWriteAmplification, lrwWriteAmplificationApprox } from '../../sim/devices/nvme/index.js';
import { loadNvmeProfile, runClosedLoop, runJob, type HarnessJob } from './nvme-harness.js';

describe('LRW write amplification (Desnoyers, SYSTOR 2012)', () => {
  test('solves u = exp(-(1 + rho)(1 - u)) with A = 1 / (1 - u)', () => {
    for (const rho of [0.05, 0.07, 0.1, 0.28, 0.5, 1, 3]) {
      const a = lrwWriteAmplification(rho);
      const u = 1 - 1 / a;
      expect(u).toBeCloseTo(Math.exp(-(1 + rho) * (1 - u)), 10);
      expect(a).toBeGreaterThan(1);
    }
  });

  test('falls as the spare factor grows, and tends to the (1 + rho) / (2 rho) approximation for small rho', () => {
    let last = Infinity;
    for (const rho of [0.02, 0.05, 0.1, 0.2, 0.5, 1]) {
      const a = lrwWriteAmplification(rho);
      expect(a).toBeLessThan(last);
      last = a;
    }
    // The approximation is first order in rho: within 2% at 2% spare, within 10% at 28%.
    expect(Math.abs(lrwWriteAmplification(0.02) / lrwWriteAmplificationApprox(0.02) - 1)).toBeLessThan(0.02);
    expect(Math.abs(lrwWriteAmplification(0.28) / lrwWriteAmplificationApprox(0.28) - 1)).toBeLessThan(0.1);
  });

  test('rejects a spare factor of zero or less', () => {
    expect(() => lrwWriteAmplification(0)).toThrow(RangeError);
  });
});

describe('sequential write detection', () => {
  test('a write continuing a recent stream is sequential; a jump is not', () => {
    const d = new SequentialDetector(2);
    expect(d.isSequential(0, 4096)).toBe(false);
    expect(d.isSequential(4096, 4096)).toBe(true);
    expect(d.isSequential(1 << 30, 4096)).toBe(false); // a second stream starts
    expect(d.isSequential(8192, 4096)).toBe(true); // the first goes on
    expect(d.isSequential((1 << 30) + 4096, 4096)).toBe(true);
  });
});

describe('intel-p4510-4tb: steady-state writes', () => {
  const { params } = loadNvmeProfile('intel-p4510-4tb');

  test('random writes copy (WA - 1) program units per unit of host data; sequential writes copy none', () => {
    const random = runClosedLoop(params, [{ op: 'write', pattern: 'random', bs: 4096, iodepth: 64 }], {
      ramp_ns: 100e6,
      runtime_ns: 400e6,
    });
    const { hostPrograms, gcPrograms } = random.device.backend.counts;
    const wa = random.device.config.randomWriteAmplification;
    expect(wa).toBeGreaterThan(5);
    expect(gcPrograms / hostPrograms).toBeGreaterThan((wa - 1) * 0.95);
    expect(gcPrograms / hostPrograms).toBeLessThan((wa - 1) * 1.05);

    const sequential = runClosedLoop(params, [{ op: 'write', pattern: 'sequential', bs: 131072, iodepth: 32 }], {
      ramp_ns: 50e6,
      runtime_ns: 200e6,
    });
    const seq = sequential.device.backend.counts;
    expect(seq.hostPrograms).toBeGreaterThan(1000);
    // Only the stream's first write, not yet recognised as sequential, brings GC work.
    expect(seq.gcPrograms).toBeLessThan(0.01 * seq.hostPrograms);
    // Without GC the same media writes several times more host data.
    expect(sequential.jobs[0]!.bytes_per_s).toBeGreaterThan(5 * random.jobs[0]!.bytes_per_s);
  });

  test('the steady state holds: the second half of a random-write run matches the first within 3%', () => {
    const first = runJob(params, { op: 'write', pattern: 'random', bs: 4096, iodepth: 64 }, { ramp_ns: 200e6, runtime_ns: 400e6 });
    const both = runJob(params, { op: 'write', pattern: 'random', bs: 4096, iodepth: 64 }, { ramp_ns: 200e6, runtime_ns: 800e6 });
    const secondHalfIops = (both.ios - first.ios) / 0.4;
    expect(Math.abs(secondHalfIops / first.iops - 1)).toBeLessThan(0.03);
  });

  test('a full buffer holds writes back: latency is the queue depth over the media rate, far above the buffered write time', () => {
    const shallow = runJob(params, { op: 'write', pattern: 'random', bs: 4096, iodepth: 1 }, { ramp_ns: 1e6, runtime_ns: 50e6 });
    const deep = runJob(params, { op: 'write', pattern: 'random', bs: 4096, iodepth: 128 }, { ramp_ns: 200e6, runtime_ns: 400e6 });
    expect(shallow.lat.mean_ns).toBeLessThan(25_000);
    expect(deep.lat.mean_ns).toBeGreaterThan(50 * shallow.lat.mean_ns);
    expect(deep.lat.mean_ns).toBeCloseTo((128 / deep.iops) * 1e9, -4);
  });

  test('GC interference: random-read tail latency grows when random writes run alongside', () => {
    const reads: HarnessJob = { op: 'read', pattern: 'random', bs: 4096, iodepth: 16 };
    const writes: HarnessJob = { op: 'write', pattern: 'random', bs: 4096, iodepth: 32 };
    const alone = runJob(params, reads, { ramp_ns: 50e6, runtime_ns: 500e6 });
    const mixed = runClosedLoop(params, [reads, writes], { ramp_ns: 200e6, runtime_ns: 500e6 });
    const withWrites = mixed.jobs[0]!;
    const { erases, gcPrograms } = mixed.device.backend.counts;
    expect(gcPrograms).toBeGreaterThan(0);
    expect(erases).toBeGreaterThan(0);
    expect(withWrites.ios).toBeGreaterThan(10_000);
    // Reads queue behind programs, GC copies (ms each) and erases on their die.
    expect(withWrites.lat.percentile(99.9)).toBeGreaterThan(3 * alone.lat.percentile(99.9));
    expect(withWrites.lat.percentile(99.99)).toBeGreaterThan(3e6);
    expect(alone.lat.percentile(99.99)).toBeLessThan(1e6);
  });
});

describe('optane-p4800x: 3D XPoint writes in place', () => {
  const { params } = loadNvmeProfile('optane-p4800x');

  test('no GC and no erases: write amplification 1, random writes near the read rate', () => {
    const r = runClosedLoop(params, [{ op: 'write', pattern: 'random', bs: 4096, iodepth: 16 }], { ramp_ns: 10e6, runtime_ns: 100e6 });
    expect(r.device.config.randomWriteAmplification).toBe(1);
    expect(r.device.backend.counts.gcPrograms).toBe(0);
    expect(r.device.backend.counts.erases).toBe(0);
    expect(r.jobs[0]!.iops).toBeGreaterThan(400_000);
  });

  test('reads beside writes keep a tail in tens of microseconds, not milliseconds', () => {
    const mixed = runClosedLoop(
      params,
      [
        { op: 'read', pattern: 'random', bs: 4096, iodepth: 8 },
        { op: 'write', pattern: 'random', bs: 4096, iodepth: 8 },
      ],
      { ramp_ns: 10e6, runtime_ns: 100e6 },
    );
    expect(mixed.jobs[0]!.lat.percentile(99.99)).toBeLessThan(200_000);
  });
});
