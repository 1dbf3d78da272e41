/**
 * The recorder's hot path keeps less per I/O than it reports: the open interval holds scalars only (its
 * buckets are the window's clat counts less those at its start), and a zero submission latency skips
 * Welford's update while it cannot change it. What it reports must be what one histogram per interval and
 * a plain `record` of every latency give, to the last bit.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../sim/core/random.js';
import { BucketHistogram, LatencyHistogram, bucketOf } from '../../sim/measure/latency-histogram.js';
import { DirectionRecorder } from '../../sim/measure/job-recorder.js';

const state = (h: LatencyHistogram) => ({
  n: h.n,
  mean: h.mean_ns,
  sd: h.stddev_ns,
  min: h.min_ns,
  max: h.max_ns,
  counts: Array.from(h.counts),
});

describe('recorder hot path', () => {
  it('reports the interval series and histograms of a recorder that keeps everything per I/O', () => {
    const stream = new RandomStream(7, 'recorder');
    const recorder = new DirectionRecorder();
    const slat = new LatencyHistogram();
    const lat = new LatencyHistogram();
    const expected: { row: object; buckets: number[]; counts: number[] }[] = [];
    let interval = new BucketHistogram();
    let bytes = 0;
    let slatSum = 0;
    for (let k = 0; k < 12; k++) {
      // Intervals of all zero, some zero and no zero submission latencies, and an empty one.
      const ios = k === 5 ? 0 : 200 + Math.floor(stream.next() * 300);
      for (let i = 0; i < ios; i++) {
        const slat_ns = k < 3 || stream.next() < 0.5 ? 0 : Math.floor(stream.next() * 50_000);
        const clat_ns = Math.floor(Math.exp(stream.next() * 16)) + stream.next();
        recorder.record(slat_ns, clat_ns, 4096);
        slat.record(slat_ns);
        lat.record(slat_ns + clat_ns);
        interval.recordInBucket(clat_ns, bucketOf(clat_ns));
        bytes += 4096;
        slatSum += slat_ns;
      }
      recorder.closeInterval((k + 1) * 1e6, 1e6);
      const sparse = interval.nonEmptyBuckets();
      expected.push({
        row: {
          time_ns: (k + 1) * 1e6,
          interval_ns: 1e6,
          ios: interval.n,
          bytes,
          clat_mean_ns: interval.mean_ns,
          clat_p50_ns: interval.percentile(50),
          clat_p99_ns: interval.percentile(99),
          clat_p999_ns: interval.percentile(99.9),
          clat_max_ns: interval.n > 0 ? interval.max_ns : 0,
          slat_mean_ns: interval.n > 0 ? slatSum / interval.n : 0,
        },
        buckets: Array.from(sparse.buckets),
        counts: Array.from(sparse.counts),
      });
      interval = new BucketHistogram();
      bytes = 0;
      slatSum = 0;
    }
    expect(recorder.intervals).toEqual(expected.map((e) => e.row));
    expect(recorder.intervalHistograms.map((h) => ({ buckets: Array.from(h.buckets), counts: Array.from(h.counts) }))).toEqual(
      expected.map(({ buckets, counts }) => ({ buckets, counts })),
    );
    expect(state(recorder.slat)).toEqual(state(slat));
    expect(state(recorder.lat)).toEqual(state(lat));
    expect(recorder.openIntervalIos).toBe(0);
  });

  it('keeps total latency equal to a plain per-I/O histogram when read before, at and after the first submission wait', () => {
    const stream = new RandomStream(11, 'lat-follows-clat');
    const recorder = new DirectionRecorder();
    const lat = new LatencyHistogram();
    for (let i = 0; i < 3000; i++) {
      // No submission wait for the first 1000 I/Os (total latency is completion latency), then some.
      const slat_ns = i < 1000 || stream.next() < 0.7 ? 0 : 1 + Math.floor(stream.next() * 20_000);
      const clat_ns = 50 + stream.next() * 1e6;
      recorder.record(slat_ns, clat_ns, 512);
      lat.record(slat_ns + clat_ns);
      if (i % 250 === 0 || i === 999 || i === 1000) expect(state(recorder.lat)).toEqual(state(lat));
    }
    expect(state(recorder.lat)).toEqual(state(lat));
    expect(state(recorder.lat)).not.toEqual(state(recorder.clat));
  });

  it('records a zero latency as record(0) does, before and after non-zero ones', () => {
    const fast = new LatencyHistogram();
    const plain = new LatencyHistogram();
    for (const ns of [0, 0, 0, 1500, 0, 7, 0, 0]) {
      if (ns === 0) fast.recordZero();
      else fast.record(ns);
      plain.record(ns);
      expect(state(fast)).toEqual(state(plain));
    }
  });
});
