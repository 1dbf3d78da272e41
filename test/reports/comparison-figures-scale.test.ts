/**
 * compareFigures' p99 per interval merges each interval's seeds in one pass: the intervals' histograms are
 * read a bounded number of times per interval, not once per interval for every interval (quadratic).
 * Counted element reads, never wall time.
 */
import { describe, expect, it } from 'vitest';
import type { SlaSeries } from '../../bench/check/baseline.js';
import type { PairedRuns } from '../../bench/check/baseline-report.js';
import { jobSlas } from '../../bench/check/compare-dirs.js';
import { compareFigures } from '../../bench/check/compare-figures.js';

const INTERVALS = 400;

/** `INTERVALS` 1 ms intervals, a few buckets each; element reads of its latency list counted in `reads`. */
function countedSeries(reads: { n: number }, scale: number): SlaSeries {
  const latency = Array.from({ length: INTERVALS }, (_, i) => new Map([[Math.round((100_000 + (i % 7) * 1000) * scale), 3]]));
  const counted = new Proxy(latency, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.n++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return {
    ends_ns: latency.map((_, i) => (i + 1) * 1e6),
    lengths_ns: latency.map(() => 1e6),
    ios: latency.map(() => 3),
    bytes: latency.map(() => 0),
    latency: counted,
  };
}

describe('comparison figures over many intervals', () => {
  it('reads each interval of each seed a bounded number of times, and charts every interval', () => {
    const reads = { n: 0 };
    const seeds = [1, 2];
    const paired: PairedRuns = {
      key: 'rr',
      scenario: 'rr.fio',
      stack: '-',
      baseline: '/b',
      of: 'jobs',
      pairs: [
        {
          sla: jobSlas('job', ['rr'], 0.05, 0)[0]!,
          seeds,
          baseline: seeds.map(() => countedSeries(reads, 1)),
          current: seeds.map(() => countedSeries(reads, 1.2)),
        },
      ],
    };
    const figures = compareFigures([paired], [], 0);
    expect(figures.intervals).toHaveLength(2 * INTERVALS);
    const histograms = 2 * seeds.length * INTERVALS;
    // A walk of every interval per interval would read INTERVALS times each histogram (here 640 000).
    expect(reads.n).toBeLessThan(10 * histograms);
  });
});
