/**
 * Per-job measurement: for each data direction, latency histograms (submission, completion, total) and
 * byte and I/O counters over the measurement window, plus a per-interval series. O(1) per completion;
 * an interval row is written once per interval, never per I/O.
 */
import { BUCKETS, BucketHistogram, LatencyHistogram, bucketOf } from './latency-histogram.js';
import type { IntervalHistogram, IntervalRow, MeasuredDirection, MeasuredJob } from './measured-job.js';
import type { IoLog } from './io-log.js';

export type { IntervalHistogram, IntervalRow } from './measured-job.js';

/** Everything measured for one direction of one job. */
export class DirectionRecorder implements MeasuredDirection {
  readonly slat = new LatencyHistogram();
  readonly clat = new LatencyHistogram();
  /**
   * Total latency. While every submission latency so far was 0 it equals `clat` sample for sample, so it
   * is not recorded twice per I/O: it follows `clat` and is copied from it when read or when it departs.
   */
  private readonly totalLatency = new LatencyHistogram();
  private latFollowsClat = true;
  /** Bytes completed in the window. */
  io_bytes = 0;
  /** I/Os completed in the window: every completion is in the clat histogram. */
  get total_ios(): number {
    return this.clat.n;
  }
  readonly intervals: IntervalRow[] = [];
  /** Per interval, its completion-latency histogram (a host run's come from fio's histogram log). */
  readonly intervalHistograms: IntervalHistogram[] = [];
  /** I/Os submitted at each depth bucket (1, 2, 4, 8, 16, 32, >=64), as fio's iodepth_level counts them. */
  readonly depthAtSubmit = new Float64Array(7);

  // The open interval keeps only scalars per I/O; its bucket counts are the whole-window clat counts
  // less those at the interval's start, taken when it closes (one histogram touched per I/O, not two).
  private intervalBytes = 0;
  private intervalIos = 0;
  private intervalClatSum_ns = 0;
  private intervalClatMax_ns = 0;
  private intervalSlatSum_ns = 0;
  /** `clat.counts` when the open interval started. */
  private readonly clatCountsAtIntervalStart = new Float64Array(BUCKETS);
  /** The closing interval's histogram, rebuilt at each close. */
  private readonly intervalClat = new BucketHistogram();

  /** Total latency (submission plus completion), a histogram like the others. */
  get lat(): LatencyHistogram {
    if (this.latFollowsClat) this.totalLatency.copyFrom(this.clat);
    return this.totalLatency;
  }

  record(slat_ns: number, clat_ns: number, bytes: number): void {
    if (slat_ns !== 0 && this.latFollowsClat) {
      // The first I/O that waited before submission: total latency departs from completion latency here.
      this.totalLatency.copyFrom(this.clat);
      this.latFollowsClat = false;
    }
    const clatBucket = bucketOf(clat_ns);
    this.clat.recordInBucket(clat_ns, clatBucket);
    this.intervalIos++;
    this.intervalClatSum_ns += clat_ns;
    if (clat_ns > this.intervalClatMax_ns) this.intervalClatMax_ns = clat_ns;
    this.intervalSlatSum_ns += slat_ns;
    // Closed loops submit at once: no submission latency, and total latency is the completion latency.
    if (slat_ns === 0) {
      this.slat.recordZero();
      if (!this.latFollowsClat) this.totalLatency.recordInBucket(clat_ns, clatBucket);
    } else {
      this.slat.record(slat_ns);
      this.totalLatency.record(slat_ns + clat_ns);
    }
    this.io_bytes += bytes;
    this.intervalBytes += bytes;
  }

  /** Closes the current interval as ending at `time_ns`. */
  closeInterval(time_ns: number, interval_ns: number): void {
    const h = this.intervalClat;
    h.loadDifference(this.clat.counts, this.clatCountsAtIntervalStart, this.intervalIos, this.intervalClatSum_ns, this.intervalClatMax_ns);
    this.intervals.push({
      time_ns,
      interval_ns,
      ios: h.n,
      bytes: this.intervalBytes,
      clat_mean_ns: h.mean_ns,
      clat_p50_ns: h.percentile(50),
      clat_p99_ns: h.percentile(99),
      clat_p999_ns: h.percentile(99.9),
      clat_max_ns: h.n > 0 ? h.max_ns : 0,
      slat_mean_ns: h.n > 0 ? this.intervalSlatSum_ns / h.n : 0,
    });
    this.intervalHistograms.push({ time_ns, interval_ns, ...h.nonEmptyBuckets() });
    this.clatCountsAtIntervalStart.set(this.clat.counts);
    this.intervalBytes = 0;
    this.intervalIos = 0;
    this.intervalClatSum_ns = 0;
    this.intervalClatMax_ns = 0;
    this.intervalSlatSum_ns = 0;
  }

  /** I/Os completed in the interval still open. */
  get openIntervalIos(): number {
    return this.intervalIos;
  }
}

/** fio's iodepth_level bucket of each depth from 0 to 64 (64 and over share the last). */
const DEPTH_BUCKETS = Uint8Array.from({ length: 65 }, (_, depth) =>
  depth >= 64 ? 6 : depth >= 32 ? 5 : depth >= 16 ? 4 : depth >= 8 ? 3 : depth >= 4 ? 2 : depth >= 2 ? 1 : 0,
);

/** fio's iodepth_level buckets (1, 2, 4, 8, 16, 32, >=64): index of the bucket for a depth. */
export function depthBucket(depth: number): number {
  return DEPTH_BUCKETS[depth < 64 ? depth : 64]!;
}

/** Measurement for one job (one clone): a window starting at `windowStart_ns` and fixed-length intervals. */
export class JobRecorder {
  readonly read = new DirectionRecorder();
  readonly write = new DirectionRecorder();
  /** Trims (fio's third direction); measured and reported only once `recordTrims` has been called. */
  readonly trim = new DirectionRecorder();
  private tracksTrim = false;
  /** End of the window: set when the job finishes, ns. */
  windowEnd_ns = 0;
  /** I/Os that came back with an error (STATUS_ERROR), over the whole run: fio's total_err. */
  errors = 0;
  /** Every I/O of the window, where the job asks fio for unaveraged latency logs; absent otherwise. */
  ioLog: IoLog | undefined = undefined;
  private nextIntervalEnd: number;

  /**
   * @param windowStart_ns completions before this (the ramp) are not counted
   * @param interval_ns length of each row of the interval series
   * @param windowLimit_ns completions after this (the runtime's end) are not counted; Infinity for none
   */
  constructor(
    readonly windowStart_ns: number,
    readonly interval_ns: number,
    readonly windowLimit_ns = Infinity,
  ) {
    this.nextIntervalEnd = windowStart_ns + interval_ns;
  }

  /** Reports trims too (a job that issues them): call before the run starts, so every interval has its trim row. */
  recordTrims(): void {
    this.tracksTrim = true;
  }

  /** Records a completion at `now_ns` of an I/O in direction `op` (0 read, 1 write, 2 trim). */
  record(op: number, slat_ns: number, clat_ns: number, bytes: number, now_ns: number): void {
    // The window is (start, limit]: an I/O completing exactly at the ramp's end belongs to the ramp.
    if (now_ns < this.windowStart_ns || (now_ns === this.windowStart_ns && now_ns > 0) || now_ns > this.windowLimit_ns) return;
    if (now_ns > this.nextIntervalEnd) this.advanceTo(now_ns);
    (op === 0 ? this.read : op === 1 ? this.write : this.trim).record(slat_ns, clat_ns, bytes);
    if (this.ioLog !== undefined) this.ioLog.push(now_ns - this.windowStart_ns, op, slat_ns, clat_ns, bytes);
  }

  /** Closes every interval that ended at or before `now_ns`. */
  advanceTo(now_ns: number): void {
    while (now_ns > this.nextIntervalEnd) {
      this.read.closeInterval(this.nextIntervalEnd, this.interval_ns);
      this.write.closeInterval(this.nextIntervalEnd, this.interval_ns);
      if (this.tracksTrim) this.trim.closeInterval(this.nextIntervalEnd, this.interval_ns);
      this.nextIntervalEnd += this.interval_ns;
    }
  }

  /** Ends the window at `end_ns`, closing the last (possibly partial) interval. */
  finish(end_ns: number): void {
    this.advanceTo(end_ns);
    this.windowEnd_ns = Math.max(end_ns, this.windowStart_ns);
    const partial = this.windowEnd_ns - (this.nextIntervalEnd - this.interval_ns);
    if (partial > 0) {
      this.read.closeInterval(this.windowEnd_ns, partial);
      this.write.closeInterval(this.windowEnd_ns, partial);
      if (this.tracksTrim) this.trim.closeInterval(this.windowEnd_ns, partial);
    }
    this.nextIntervalEnd = Infinity;
  }

  /** Length of the measurement window, ns. */
  get window_ns(): number {
    return this.windowEnd_ns - this.windowStart_ns;
  }

  /** What was measured, read-only: a view of this recorder, to be taken once `finish` has closed the window. */
  measured(): MeasuredJob {
    return {
      windowStart_ns: this.windowStart_ns,
      windowEnd_ns: this.windowEnd_ns,
      window_ns: this.window_ns,
      read: this.read,
      write: this.write,
      ...(this.tracksTrim ? { trim: this.trim } : {}),
      ...(this.errors > 0 ? { total_err: this.errors } : {}),
      ...(this.ioLog !== undefined ? { ioLog: this.ioLog } : {}),
    };
  }
}
