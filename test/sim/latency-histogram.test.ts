import { describe, expect, it } from 'vitest';
import {
  BUCKETS,
  BucketHistogram,
  LatencyHistogram,
  bucketLow,
  bucketOf,
  bucketValue,
  bucketWidth,
  firstBucketAtOrAbove,
} from '../../sim/measure/latency-histogram.js';
import { RandomStream } from '../../sim/core/random.js';

describe('latency histogram (fio buckets)', () => {
  it('keeps values below 128 ns exact and cuts each power of two into 64 buckets above', () => {
    for (const v of [0, 1, 63, 64, 127]) expect(bucketValue(bucketOf(v))).toBe(v);
    expect(bucketOf(128)).toBe(128);
    expect(bucketOf(129)).toBe(128); // 128..129 share a bucket of width 2
    expect(bucketWidth(bucketOf(1e6))).toBe(2 ** (Math.floor(Math.log2(1e6)) - 6));
    expect(bucketOf(2 ** 60)).toBe(BUCKETS - 1);
  });

  it('puts every value inside its bucket, within 1/64 of the bucket value', () => {
    const s = new RandomStream(5, 'hist');
    for (let i = 0; i < 5_000; i++) {
      const v = Math.floor(Math.exp(s.next() * 30));
      const b = bucketOf(v);
      if (b === BUCKETS - 1) continue;
      expect(v).toBeGreaterThanOrEqual(bucketLow(b));
      expect(v).toBeLessThan(bucketLow(b) + bucketWidth(b));
      expect(Math.abs(bucketValue(b) - v) / Math.max(v, 1)).toBeLessThanOrEqual(1 / 64);
    }
  });

  it('finds the first bucket whose value reaches a latency, as a scan of every bucket does', () => {
    const scan = (ns: number): number => {
      for (let i = 0; i < BUCKETS; i++) if (bucketValue(i) >= ns) return i;
      return BUCKETS;
    };
    const s = new RandomStream(7, 'first-bucket');
    const values = [0, 1, 127, 128, 129, 130, 1e3, 2e3, 1e6, 2e9, bucketValue(BUCKETS - 1), bucketValue(BUCKETS - 1) + 1, Infinity];
    for (let i = 0; i < 2_000; i++) values.push(Math.exp(s.next() * 40));
    for (const v of values) expect(firstBucketAtOrAbove(v), `${v} ns`).toBe(scan(v));
  });

  it('matches fio on known bucket indices (stat.c plat_val_to_idx / plat_idx_to_val)', () => {
    // 1000 ns: msb 9, error bits 3, base (3+1)*64 = 256, offset (1000 >> 3) & 63 = 125 & 63 = 61
    expect(bucketOf(1000)).toBe(317);
    expect(bucketValue(317)).toBe(512 + 61 * 8 + 4);
  });

  it('reports exact mean, stddev, min and max, and percentiles as fio computes them', () => {
    const h = new LatencyHistogram();
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) * 1000);
    for (const v of values) h.record(v);
    expect(h.n).toBe(1000);
    expect(h.mean_ns).toBeCloseTo(500_500, 6);
    const mean = 500_500;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 999);
    expect(h.stddev_ns).toBeCloseTo(sd, 3);
    expect(h.min_ns).toBe(1000);
    expect(h.max_ns).toBe(1_000_000);
    expect(Math.abs(h.percentile(50) / 500_000 - 1)).toBeLessThan(1 / 64);
    expect(Math.abs(h.percentile(99) / 990_000 - 1)).toBeLessThan(1 / 64);
  });

  it('merges to the same histogram as recording everything in one', () => {
    const s = new RandomStream(9, 'merge');
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 0; i < 10_000; i++) {
      const v = s.next() * 1e6;
      (i % 3 ? a : b).record(v);
      all.record(v);
    }
    a.merge(b);
    expect(a.n).toBe(all.n);
    expect(Array.from(a.counts)).toEqual(Array.from(all.counts));
    expect(a.mean_ns).toBeCloseTo(all.mean_ns, 6);
    expect(a.stddev_ns).toBeCloseTo(all.stddev_ns, 6);
    expect(a.percentile(99.9)).toBe(all.percentile(99.9));
  });

  it('an interval histogram gives the same count, mean, max and percentiles as a full one, to the last bit, and empties', () => {
    const s = new RandomStream(4, 'interval');
    const full = new LatencyHistogram();
    const interval = new BucketHistogram();
    for (let i = 0; i < 5_000; i++) {
      const v = Math.floor(s.next() * 3e6) + 0.5 * (i % 2);
      full.record(v);
      interval.recordInBucket(v, bucketOf(v));
    }
    expect(interval.n).toBe(full.n);
    expect(interval.mean_ns).toBe(full.mean_ns);
    expect(interval.max_ns).toBe(full.max_ns);
    for (const p of [1, 50, 99, 99.9, 100]) expect(interval.percentile(p)).toBe(full.percentile(p));
    interval.reset();
    expect([interval.n, interval.mean_ns, interval.max_ns, interval.percentile(50)]).toEqual([0, 0, 0, 0]);
    interval.recordInBucket(700, bucketOf(700));
    expect([interval.n, interval.mean_ns, interval.max_ns]).toEqual([1, 700, 700]);
  });
});
