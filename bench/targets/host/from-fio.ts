/**
 * fio's results as a `HostRunMeasurement`, each job the one read-only `MeasuredJob` shape the model's
 * recorder also produces, so a host run is written by the same writers as a model run. Nothing is
 * re-estimated: histograms are fio's own buckets (json+ `bins`, the same 64 per power of two as the
 * model's), counts, bytes, min, max, mean and standard deviation are fio's figures,
 * and the interval series, each row with its completion-latency histogram as the model keeps them, comes
 * from fio's per-interval histogram and latency logs. Where the logs do not add up to fio's totals (fio
 * 3.33's client/server mode), the series is one row for the window.
 */
import {
  BUCKETS,
  FIO_DEFAULT_PERCENTILES,
  LatencyHistogram,
  bucketOf,
  bucketPercentile,
  bucketValue,
} from '../../../sim/measure/latency-histogram.js';
import type { IntervalRow } from '../../../sim/measure/job-recorder.js';
import type { IntervalHistogram } from '../../../sim/measure/measured-job.js';
import { workloadSpec, type WorkloadSpec } from '../../../sim/workload/spec.js';
import { parseDuration, parseSize } from '../../../sim/core/units.js';
import type { HostRunMeasurement, JobMeasurement, MeasuredDirection, MeasuredHistogram, MeasuredJob } from '../../results/measurement.js';
import { percentileKey } from '../../results/fio-json.js';
import type { FioDirection, FioJob, FioLatencyStats } from './fio-document.js';
import type { ThreadLogs } from './interval-logs.js';

/** A histogram holding fio's figures: bucket counts from `bins`, count, min, max, mean and deviation as fio computed them. */
export class ReportedHistogram implements MeasuredHistogram {
  readonly counts = new Float64Array(BUCKETS);
  readonly n: number;
  readonly min_ns: number;
  readonly max_ns: number;
  readonly mean_ns: number;
  readonly stddev_ns: number;
  /** fio's own percentiles, used when there are no bins (fio's plain json). */
  private readonly reportedPercentiles: Readonly<Record<string, number>>;
  private readonly hasBins: boolean;

  constructor(stats: FioLatencyStats) {
    if (stats.bins) for (const [value, count] of Object.entries(stats.bins)) this.counts[bucketOf(Number(value))]! += count;
    this.hasBins = stats.bins !== undefined && Object.keys(stats.bins).length > 0;
    this.reportedPercentiles = stats.percentile ?? {};
    this.n = stats.N;
    this.min_ns = stats.N > 0 ? stats.min : Infinity;
    this.max_ns = stats.max;
    this.mean_ns = stats.mean;
    this.stddev_ns = stats.stddev;
  }

  /** From the bins (json+), as fio computes it; without bins, fio's printed value where it printed one. */
  percentile(p: number): number {
    if (this.hasBins || this.n === 0) return bucketPercentile(this.counts, this.n, p);
    return this.reportedPercentiles[percentileKey(p)] ?? 0;
  }
}

/** One direction as fio reported it, its interval series and their histograms still being filled in. */
interface ReportedDirection extends MeasuredDirection {
  readonly intervals: IntervalRow[];
  readonly intervalHistograms: IntervalHistogram[];
}

function reportedDirection(d: FioDirection): ReportedDirection {
  return {
    slat: new ReportedHistogram(d.slat_ns),
    clat: new ReportedHistogram(d.clat_ns),
    lat: new ReportedHistogram(d.lat_ns),
    io_bytes: d.io_bytes,
    total_ios: d.total_ios,
    intervals: [],
    // From fio's histogram log, interval by interval (fillIntervals), as the model keeps them.
    intervalHistograms: [],
    // fio's JSON gives no submission depths per direction.
    depthAtSubmit: new Float64Array(7),
  };
}

/** A job's measurement as fio reported it: its window is fio's runtime. */
interface ReportedJob extends MeasuredJob {
  readonly read: ReportedDirection;
  readonly write: ReportedDirection;
  readonly trim?: ReportedDirection;
}

function reportedJob(job: FioJob): ReportedJob {
  const windowEnd_ns = Math.max(job.read.runtime, job.write.runtime, job.trim?.runtime ?? 0) * 1e6;
  return {
    windowStart_ns: 0,
    windowEnd_ns,
    window_ns: windowEnd_ns,
    read: reportedDirection(job.read),
    write: reportedDirection(job.write),
    ...(job.trim && job.trim.total_ios > 0 ? { trim: reportedDirection(job.trim) } : {}),
  };
}

export interface FioConversion {
  /** The job entries to convert (a single host's `jobs`, or one server's entries of `client_stats`). */
  readonly jobs: readonly FioJob[];
  /** fio's `global options`, which the entries' `job options` override. */
  readonly globalOptions: Readonly<Record<string, string>>;
  /** Per-thread logs in fio's thread order; empty when there are none. */
  readonly threadLogs: readonly ThreadLogs[];
  /** The logs' interval, ns. */
  readonly interval_ns: number;
  /** What ran the jobs, for the result's profile fields: e.g. "fio-3.33 on node1". */
  readonly title: string;
  /** The interval series of entry `entry`'s `direction`, where it comes from elsewhere than the logs (fio's aggregate: the servers' rows summed). */
  readonly intervalsOf?: (entry: number, direction: 'read' | 'write' | 'trim') => readonly IntervalRow[];
}

/** fio's results as a measurement of target `host`. */
export function measurementFromFio(c: FioConversion): HostRunMeasurement {
  const threadsPerJob = c.jobs.map((j) => threadCount(j, c.jobs, c.globalOptions));
  const logsMatch = c.threadLogs.length > 0 && threadsPerJob.reduce((a, b) => a + b, 0) === c.threadLogs.length;
  let nextThread = 0;
  const jobs: JobMeasurement[] = c.jobs.map((job, i) => {
    const measured = reportedJob(job);
    const threads = logsMatch ? c.threadLogs.slice(nextThread, nextThread + threadsPerJob[i]!) : [];
    nextThread += threadsPerJob[i]!;
    fillIntervals(measured, threads, c.interval_ns);
    if (c.intervalsOf) {
      for (const dir of ['read', 'write', 'trim'] as const) {
        const d = measured[dir];
        if (!d) continue;
        d.intervals.splice(0, d.intervals.length, ...c.intervalsOf(i, dir));
        // Rows summed across servers have no histograms of their own: none rather than ones that do not match.
        d.intervalHistograms.length = 0;
      }
    }
    const specs = Array.from({ length: threadsPerJob[i]! }, (_, clone) => specOf(job, c.globalOptions, clone));
    return { name: job.jobname, groupid: job.groupid, specs, measured };
  });
  return { target: 'host', profile: { name: 'host', title: c.title, kind: 'fio', path: '' }, interval_ns: c.interval_ns, jobs };
}

/**
 * The threads (job clones) an entry stands for. fio's JSON does not list flags such as group_reporting,
 * but without it each of `numjobs` clones has an entry of its own: fewer entries of a name than its
 * numjobs means they were reported together.
 */
function threadCount(job: FioJob, all: readonly FioJob[], global: Readonly<Record<string, string>>): number {
  const numjobs = Number({ ...global, ...job['job options'] }.numjobs ?? '1');
  if (!Number.isInteger(numjobs) || numjobs <= 1) return 1;
  const entries = all.filter((j) => j.jobname === job.jobname && (j.hostname ?? '') === (job.hostname ?? '')).length;
  return entries < numjobs ? numjobs : 1;
}

type Slot = { counts: Float64Array; bytes: number; latSum_ns: number; latIos: number };

/** One direction's logged intervals, by interval number, threads merged. */
function loggedSlots(threads: readonly ThreadLogs[], direction: number, interval_ms: number): Map<number, Slot> {
  const slots = new Map<number, Slot>();
  for (const t of threads) {
    const iosAt = new Map<number, number>();
    for (const line of t.histogram) {
      if (line.direction !== direction) continue;
      const k = Math.max(1, Math.round(line.time_ms / interval_ms));
      const slot = slots.get(k) ?? { counts: new Float64Array(BUCKETS), bytes: 0, latSum_ns: 0, latIos: 0 };
      let ios = 0;
      for (let b = 0; b < BUCKETS; b++) {
        slot.counts[b]! += line.counts[b]!;
        ios += line.counts[b]!;
      }
      slot.bytes += ios * line.blockSize_bytes;
      slots.set(k, slot);
      iosAt.set(k, ios);
    }
    // fio's per-interval mean, weighted by the I/Os of that thread in that interval.
    for (const line of t.clatMean) {
      if (line.direction !== direction) continue;
      const k = Math.max(1, Math.round(line.time_ms / interval_ms));
      const slot = slots.get(k);
      const ios = iosAt.get(k);
      if (slot && ios) {
        slot.latSum_ns += line.value * ios;
        slot.latIos += ios;
      }
    }
  }
  return slots;
}

/**
 * The interval rows of every direction: one per logged interval (threads merged by interval number),
 * then the rest of the run (fio's totals minus the logged lines) as the last, partial interval. Every
 * direction has a row, with no I/O where it logged none, at each interval any direction logged: the
 * job's rows share one grid, as the model's do, so a rate over both directions spans the run once.
 */
function fillIntervals(job: ReportedJob, threads: readonly ThreadLogs[], interval_ns: number): void {
  const interval_ms = interval_ns / 1e6;
  const directions: [number, ReportedDirection][] = [
    [0, job.read],
    [1, job.write],
    ...(job.trim ? [[2, job.trim] as [number, ReportedDirection]] : []),
  ];
  const logged = directions.map(([direction]) => loggedSlots(threads, direction, interval_ms));
  const keys = [...new Set(logged.flatMap((slots) => [...slots.keys()]))].sort((a, b) => a - b);
  const rests = directions.map(([, d], i) => {
    const rest = { counts: Float64Array.from(d.clat.counts), bytes: d.io_bytes };
    for (const slot of logged[i]!.values()) {
      for (let b = 0; b < BUCKETS; b++) rest.counts[b]! -= slot.counts[b]!;
      rest.bytes -= slot.bytes;
    }
    return rest;
  });
  const restIos = (i: number) => rests[i]!.counts.reduce((a, b) => a + b, 0);
  const restRow = keys.length === 0 || directions.some((_, i) => restIos(i) > 0);
  directions.forEach(([direction, d], i) => {
    const rest = rests[i]!;
    if (!rest.counts.every((n) => n >= 0)) {
      // The logs hold more in some bucket than fio's totals: fio 3.33's client/server mode sends
      // histogram logs that do not add up. Rather than a wrong series, one exact row for the window.
      d.intervals.push(intervalRow(job.windowEnd_ns, job.windowEnd_ns, d.clat.counts, d.io_bytes, d.clat.mean_ns));
      d.intervalHistograms.push(intervalHistogram(job.windowEnd_ns, job.windowEnd_ns, d.clat.counts));
      return;
    }
    const none = { counts: new Float64Array(BUCKETS), bytes: 0, latSum_ns: 0, latIos: 0 };
    let end_ns = 0;
    for (const k of keys) {
      const slot = logged[i]!.get(k) ?? none;
      const time_ns = Math.min(k * interval_ns, job.windowEnd_ns);
      d.intervals.push(
        intervalRow(time_ns, time_ns - end_ns, slot.counts, slot.bytes, slot.latIos > 0 ? slot.latSum_ns / slot.latIos : undefined),
      );
      d.intervalHistograms.push(intervalHistogram(time_ns, time_ns - end_ns, slot.counts));
      end_ns = time_ns;
    }
    if (restRow && job.windowEnd_ns > end_ns) {
      const lastMean = lastLoggedMean(threads, direction, job.windowEnd_ns / 1e6, interval_ms);
      d.intervals.push(
        intervalRow(
          job.windowEnd_ns,
          job.windowEnd_ns - end_ns,
          rest.counts,
          rest.bytes,
          d.intervals.length === 0 ? d.clat.mean_ns : lastMean,
        ),
      );
      d.intervalHistograms.push(intervalHistogram(job.windowEnd_ns, job.windowEnd_ns - end_ns, rest.counts));
    }
  });
}

/** The logged mean of the interval ending at the window's end, when every thread logged it alone. */
function lastLoggedMean(threads: readonly ThreadLogs[], direction: number, end_ms: number, interval_ms: number): number | undefined {
  const k = Math.max(1, Math.round(end_ms / interval_ms));
  const values = threads.map((t) => t.clatMean.find((l) => l.direction === direction && Math.round(l.time_ms / interval_ms) === k)?.value);
  return values.length === 1 ? values[0] : undefined;
}

/** One interval's completion-latency buckets, sparse as the model keeps them (non-empty buckets, ascending). */
function intervalHistogram(time_ns: number, interval_ns: number, counts: ArrayLike<number>): IntervalHistogram {
  const buckets: number[] = [];
  const kept: number[] = [];
  for (let b = 0; b < BUCKETS; b++) {
    if (counts[b]! <= 0) continue;
    buckets.push(b);
    kept.push(counts[b]!);
  }
  return { time_ns, interval_ns, buckets: Int32Array.from(buckets), counts: Float64Array.from(kept) };
}

function intervalRow(
  time_ns: number,
  interval_ns: number,
  counts: ArrayLike<number>,
  bytes: number,
  mean_ns: number | undefined,
): IntervalRow {
  const h = new LatencyHistogram();
  let ios = 0;
  let top = -1;
  let weighted = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const n = counts[b]!;
    if (n <= 0) continue;
    h.counts[b] = n;
    ios += n;
    top = b;
    weighted += n * bucketValue(b);
  }
  h.n = ios;
  return {
    time_ns,
    interval_ns,
    ios,
    bytes,
    // fio's logged mean when there is one, else the buckets' (within 1/64 of it).
    clat_mean_ns: ios === 0 ? 0 : (mean_ns ?? weighted / ios),
    clat_p50_ns: h.percentile(50),
    clat_p99_ns: h.percentile(99),
    clat_p999_ns: h.percentile(99.9),
    clat_max_ns: top < 0 ? 0 : bucketValue(top),
  };
}

/** What a job entry ran, read back from fio's options (the file may use options the model has not got). */
function specOf(job: FioJob, global: Readonly<Record<string, string>>, clone: number): WorkloadSpec {
  const o: Record<string, string> = { ...global, ...job['job options'] };
  const rw = o.rw ?? o.readwrite ?? 'read';
  const random = rw.startsWith('rand');
  const kind = rw.replace(/^rand/, '');
  const readFraction =
    kind === 'read'
      ? 1
      : kind === 'write' || kind === 'trim'
        ? 0
        : Number(o.rwmixread ?? (o.rwmixwrite ? 100 - Number(o.rwmixwrite) : 50)) / 100;
  const [bsRead, bsWrite] = (o.bs ?? o.blocksize ?? '4k').split(',');
  const size = (text: string | undefined, fallback: number) =>
    text === undefined || text === '' ? fallback : (parseSize(text) ?? fallback);
  const duration = (text: string | undefined) => (text === undefined ? 0 : (parseDuration(text) ?? 0));
  const percentiles = o.percentile_list ? o.percentile_list.split(':').map(Number).filter(Number.isFinite) : FIO_DEFAULT_PERCENTILES;
  return workloadSpec({
    name: job.jobname,
    clone,
    group: job.groupid,
    groupReporting: 'group_reporting' in o || threadCount(job, [job], global) > 1,
    pattern: random ? 'random' : 'sequential',
    readFraction,
    blockSize_bytes: { read: size(bsRead, 4096), write: size(bsWrite ?? bsRead, 4096) },
    iodepth: Number(o.iodepth ?? '1') || 1,
    size_bytes: size(o.size, 0),
    offset_bytes: size(o.offset, 0),
    runtime_ns: duration(o.runtime),
    timeBased: 'time_based' in o,
    ramp_ns: duration(o.ramp_time),
    percentiles,
  });
}
