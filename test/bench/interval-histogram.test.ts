/**
 * interval_histogram.arrow keeps each interval's completion-latency histogram, so percentiles over
 * several jobs and intervals are merged from saved results (summing bucket counts, as fio's
 * fiologparser_hist does), never averaged.
 */
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../bench/profiles.js';
import { arrowTables } from '../../bench/results/arrow-tables.js';
import { runOnModel } from '../../bench/targets/sim.js';
import { BUCKETS, FIO_DEFAULT_PERCENTILES, bucketPercentile } from '../../sim/measure/latency-histogram.js';
import { workload } from './spec-factory.js';

/** fio's percentile over (bucket value, count) pairs: the first bucket where the running count reaches p%. */
function percentileOf(counts: Map<number, number>, p: number): number {
  const values = [...counts.keys()].sort((a, b) => a - b);
  const n = values.reduce((sum, v) => sum + counts.get(v)!, 0);
  let running = 0;
  for (const v of values) {
    running += counts.get(v)!;
    if (running >= (p / 100) * n && running > 0) return v;
  }
  throw new Error('empty histogram');
}

describe('interval_histogram.arrow', () => {
  it('merged over every interval and job, gives the percentiles of the whole-run histogram over the same window', () => {
    const queue = parseProfile('kind: queue\nservers: 2\nservice: { dist: exponential, mean: 50us }\ncapacity: 1G\n', 'queue.yaml');
    const jobs = [0, 1].map((clone) => workload({ name: 'mixed', clone, readFraction: 0.7, iodepth: 4, runtime_ns: 2e7, ramp_ns: 2e6 }));
    const run = runOnModel({ jobs, profile: queue, seed: 9, interval_ns: 2e6 });
    const table = tableFromIPC(arrowTables(run, { version: 'test', jobfile: 'x' }).get('interval_histogram.arrow')!);
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      'time_ns',
      'interval_ns',
      'job',
      'direction',
      'bucket_low_ns',
      'bucket_high_ns',
      'bucket_value_ns',
      'count',
    ]);

    for (const direction of ['read', 'write'] as const) {
      const merged = new Map<number, number>();
      const intervals = new Set<number>();
      for (const row of table) {
        if (row.direction !== direction) continue;
        // Int64 columns read back as bigint.
        intervals.add(Number(row.time_ns));
        merged.set(Number(row.bucket_value_ns), (merged.get(Number(row.bucket_value_ns)) ?? 0) + Number(row.count));
      }
      expect(intervals.size).toBe(10); // 20 ms of window in 2 ms intervals
      // The whole run's histogram: every job's, bucket by bucket.
      const whole = new Float64Array(BUCKETS);
      let n = 0;
      for (const job of run.jobs) {
        const clat = job.measured[direction].clat;
        for (let b = 0; b < BUCKETS; b++) whole[b]! += clat.counts[b]!;
        n += clat.n;
      }
      expect(n).toBeGreaterThan(100);
      expect([...merged.values()].reduce((a, b) => a + b, 0)).toBe(n);
      for (const p of FIO_DEFAULT_PERCENTILES) expect(percentileOf(merged, p)).toBe(bucketPercentile(whole, n, p));
    }
  });

  it('one interval of one job gives back that interval row of intervals.arrow', () => {
    const queue = parseProfile('kind: queue\nservers: 1\nservice: { dist: exponential, mean: 20us }\ncapacity: 1G\n', 'queue.yaml');
    const run = runOnModel({ jobs: [workload({ iodepth: 2, runtime_ns: 1e7 })], profile: queue, seed: 2, interval_ns: 1e6 });
    const rows = run.jobs[0]!.measured.read.intervals;
    const table = tableFromIPC(arrowTables(run, { version: 'test', jobfile: 'x' }).get('interval_histogram.arrow')!);
    const third = rows[2]!;
    const counts = new Map<number, number>();
    for (const row of table)
      if (Number(row.time_ns) === third.time_ns && row.direction === 'read') counts.set(Number(row.bucket_value_ns), Number(row.count));
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(third.ios);
    expect([percentileOf(counts, 50), percentileOf(counts, 99), percentileOf(counts, 99.9)]).toEqual([
      third.clat_p50_ns,
      third.clat_p99_ns,
      third.clat_p999_ns,
    ]);
  });
});
