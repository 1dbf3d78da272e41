import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../bench/profiles.js';
import { runOnModel } from '../../bench/targets/sim.js';
import { workload } from './spec-factory.js';

const nullProfile = (latency: string) => parseProfile(`kind: null\nlatency: ${latency}\ncapacity: 1G\n`, 'null.yaml');
const fixedQueue = (servers: number, service: string) =>
  parseProfile(`kind: queue\nservers: ${servers}\nservice: { dist: deterministic, mean: ${service} }\ncapacity: 1G\n`, 'queue.yaml');

describe('sim target with reference devices', () => {
  it('a closed loop on a fixed-latency device completes iodepth I/Os per latency', () => {
    const run = runOnModel({ jobs: [workload({ iodepth: 8, runtime_ns: 1e6 })], profile: nullProfile('10us'), seed: 1 });
    const r = run.jobs[0]!.measured.read;
    // 1 ms / 10 us = 100 rounds of 8 I/Os; completions exactly at 1 ms still count.
    expect(r.total_ios).toBe(800);
    expect(r.clat.min_ns).toBe(10_000);
    expect(r.clat.max_ns).toBe(10_000);
    expect(run.jobs[0]!.measured.window_ns).toBe(1e6);
  });

  it('excludes the ramp from the statistics', () => {
    const run = runOnModel({ jobs: [workload({ iodepth: 1, runtime_ns: 1e6, ramp_ns: 5e5 })], profile: nullProfile('10us'), seed: 1 });
    expect(run.jobs[0]!.measured.read.total_ios).toBe(100);
    expect(run.jobs[0]!.measured.window_ns).toBe(1e6);
  });

  it('a size-bound job stops after size bytes and reports the time it took', () => {
    const run = runOnModel({
      jobs: [workload({ timeBased: false, runtime_ns: 0, size_bytes: 4096 * 50, pattern: 'sequential', iodepth: 2 })],
      profile: nullProfile('1us'),
      seed: 1,
    });
    const rec = run.jobs[0]!.measured;
    expect(rec.read.total_ios).toBe(50);
    expect(rec.read.io_bytes).toBe(4096 * 50);
    expect(rec.window_ns).toBe(25_000);
  });

  it("splits a mix by rwmixread and uses each direction's block size", () => {
    const run = runOnModel({
      jobs: [workload({ readFraction: 0.7, blockSize_bytes: { read: 4096, write: 8192 }, iodepth: 4, runtime_ns: 10e6 })],
      profile: nullProfile('1us'),
      seed: 3,
    });
    const { read, write } = run.jobs[0]!.measured;
    const share = read.total_ios / (read.total_ios + write.total_ios);
    expect(share).toBeGreaterThan(0.69);
    expect(share).toBeLessThan(0.71);
    expect(write.io_bytes).toBe(write.total_ios * 8192);
    expect(read.io_bytes).toBe(read.total_ios * 4096);
  });

  it('an open-loop linear rate issues exactly rate x runtime I/Os', () => {
    const run = runOnModel({
      jobs: [workload({ rate_iops: { read: 10_000, write: 0 }, iodepth: 64, runtime_ns: 1e9 })],
      profile: fixedQueue(1, '20us'),
      seed: 1,
    });
    const r = run.jobs[0]!.measured.read;
    expect(r.total_ios).toBeGreaterThanOrEqual(9_999);
    expect(r.total_ios).toBeLessThanOrEqual(10_000);
    expect(r.clat.max_ns).toBe(20_000); // evenly spaced at 100 us, never queued
  });

  it('holds arrivals that find iodepth in flight, and counts their wait as submission latency', () => {
    // 100k/s offered to a device that serves 50k/s with one slot: arrivals back up at the generator.
    const run = runOnModel({
      jobs: [workload({ rate_iops: { read: 100_000, write: 0 }, iodepth: 1, runtime_ns: 1e7 })],
      profile: fixedQueue(1, '20us'),
      seed: 1,
    });
    const r = run.jobs[0]!.measured.read;
    // First arrival at 10 us, then one completion every 20 us: (10 ms - 10 us) / 20 us = 499.5.
    expect(r.total_ios).toBe(499);
    expect(r.clat.max_ns).toBe(20_000);
    expect(r.slat.max_ns).toBeGreaterThan(1e6);
    expect(r.lat.mean_ns).toBeGreaterThan(r.clat.mean_ns);
  });

  it('merges clones under group_reporting into one entry with one recorder', () => {
    const jobs = [0, 1, 2, 3].map((clone) => workload({ clone, groupReporting: true, iodepth: 2, runtime_ns: 1e6 }));
    const run = runOnModel({ jobs, profile: nullProfile('10us'), seed: 1 });
    expect(run.jobs).toHaveLength(1);
    expect(run.jobs[0]!.specs).toHaveLength(4);
    expect(run.jobs[0]!.measured.read.total_ios).toBe(4 * 2 * 100);
  });

  it('writes one interval row per interval covering every completion', () => {
    const run = runOnModel({ jobs: [workload({ iodepth: 4, runtime_ns: 1e6 })], profile: nullProfile('10us'), seed: 1, interval_ns: 1e5 });
    const r = run.jobs[0]!.measured.read;
    expect(r.intervals).toHaveLength(10);
    expect(r.intervals.reduce((n, row) => n + row.ios, 0)).toBe(r.total_ios);
    expect(r.intervals.map((row) => row.time_ns)).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 1e5));
  });

  it('reports a model that never advances time instead of hanging', () => {
    expect(() => runOnModel({ jobs: [workload({ iodepth: 4 })], profile: nullProfile('0ns'), seed: 1 })).toThrow(
      /ANVIL_ERR_NO_PROGRESS|zero time/,
    );
  });

  it('is deterministic: the same seed gives the same measurements, another seed others', () => {
    const go = (seed: number) => {
      const run = runOnModel({
        jobs: [workload({ rate_iops: { read: 40_000, write: 0 }, rateProcess: 'poisson', iodepth: 64, runtime_ns: 1e8 })],
        profile: parseProfile('kind: queue\nservice: { dist: exponential, mean: 20us }\n', 'q.yaml'),
        seed,
      });
      const r = run.jobs[0]!.measured.read;
      return [r.total_ios, r.clat.mean_ns, r.clat.percentile(99), Array.from(r.clat.counts).join(',')];
    };
    expect(go(5)).toEqual(go(5));
    expect(go(5)).not.toEqual(go(6));
  });
});
