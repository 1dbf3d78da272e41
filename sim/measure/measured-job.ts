/**
 * What was measured for one job, read-only: the one shape every target's results take. The model's
 * `JobRecorder` hands out a view of itself as one (`measured()`), once its window is closed; the host
 * target builds one from fio's own figures. The writers (fio JSON, text, Arrow) read only this.
 */

import type { IoLogView } from './io-log.js';

/** One row of the interval series for one direction. */
export interface IntervalRow {
  /** End of the interval, ns since the start of the run. */
  readonly time_ns: number;
  /** Length of the interval, ns. */
  readonly interval_ns: number;
  /** I/Os completed in the interval. */
  readonly ios: number;
  /** Bytes completed in the interval. */
  readonly bytes: number;
  /** Mean completion latency in the interval, ns (0 when no I/O). */
  readonly clat_mean_ns: number;
  readonly clat_p50_ns: number;
  readonly clat_p99_ns: number;
  readonly clat_p999_ns: number;
  readonly clat_max_ns: number;
  /** Mean submission latency in the interval, ns (the model's rows; fio's logs give none to a host run). */
  readonly slat_mean_ns?: number;
}

/**
 * The completion-latency histogram of one interval, sparse (non-empty buckets only, fio's buckets), so
 * percentiles over several jobs or a longer window can be merged from saved results: never averaged.
 */
export interface IntervalHistogram {
  /** End of the interval, ns since the start of the run. */
  readonly time_ns: number;
  /** Length of the interval, ns. */
  readonly interval_ns: number;
  /** Bucket indexes (`bucketOf`), ascending. */
  readonly buckets: Int32Array;
  /** I/Os in each of those buckets. */
  readonly counts: Float64Array;
}

/** A latency histogram as measured: fio's buckets (`bucketOf`) with exact summary figures beside them. */
export interface MeasuredHistogram {
  /** I/Os per bucket, BUCKETS long. */
  readonly counts: ArrayLike<number>;
  /** Samples. */
  readonly n: number;
  /** Smallest sample, ns (Infinity when empty). */
  readonly min_ns: number;
  /** Largest sample, ns (0 when empty). */
  readonly max_ns: number;
  /** Mean, ns (0 when empty). */
  readonly mean_ns: number;
  /** Sample standard deviation, ns. */
  readonly stddev_ns: number;
  /** The latency at percentile `p` (0..100), ns, as fio reports it. */
  percentile(p: number): number;
}

/** One data direction of a job. */
export interface MeasuredDirection {
  /** Submission, completion and total latency. */
  readonly slat: MeasuredHistogram;
  readonly clat: MeasuredHistogram;
  readonly lat: MeasuredHistogram;
  /** Bytes completed in the window. */
  readonly io_bytes: number;
  /** I/Os completed in the window. */
  readonly total_ios: number;
  /** The interval series. */
  readonly intervals: readonly IntervalRow[];
  /** Per interval, its completion-latency histogram (a host run's from fio's histogram log; empty where none was kept). */
  readonly intervalHistograms: readonly IntervalHistogram[];
  /** I/Os submitted at each of fio's iodepth_level buckets (1, 2, 4, 8, 16, 32, >=64). */
  readonly depthAtSubmit: ArrayLike<number>;
}

/** One job's (or reporting group's) measurement over its window. */
export interface MeasuredJob {
  /** Start and end of the measurement window, ns since the start of the run. */
  readonly windowStart_ns: number;
  readonly windowEnd_ns: number;
  /** Length of the window, ns. */
  readonly window_ns: number;
  readonly read: MeasuredDirection;
  readonly write: MeasuredDirection;
  /** Trims, where a job trims (rw=trim, randtrim, trimwrite; on the model or a host). */
  readonly trim?: MeasuredDirection;
  /** I/Os that ended in an error (EIO), where any did: fio's total_err; they are in no latency or I/O count. */
  readonly total_err?: number;
  /** Every I/O of the window (up to a cap), where the job asked for fio's unaveraged latency logs. */
  readonly ioLog?: IoLogView;
}
