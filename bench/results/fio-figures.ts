/**
 * The figures fio derives from a job's measurement, written once for its JSON and its text: the job's
 * runtime, the latency distribution (latency_ns/us/ms), the IO depth shares, and each reporting group's
 * status (stat.c: aggregate bandwidth over the group's longest runtime, the jobs' slowest and fastest).
 */
import { firstBucketAtOrAbove } from '../../sim/measure/latency-histogram.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';
import type { JobMeasurement, MeasuredDirection, MeasuredHistogram } from './measurement.js';

export type DirectionName = 'read' | 'write' | 'trim';

/** The job's runtime as fio reports it, ms (its measurement window, rounded). */
export function runtime_ms(job: JobMeasurement): number {
  return Math.round(job.measured.window_ns / 1e6);
}

/** One direction of a reporting group (fio's group_run_stats), bytes and bytes/s. */
export interface GroupDirection {
  readonly io_bytes: number;
  /** Bytes over the group's longest runtime, B/s. */
  readonly agg_bytes_per_s: number;
  /** Slowest and fastest job's bandwidth, B/s. */
  readonly min_bw: number;
  readonly max_bw: number;
  /** Shortest and longest runtime of the jobs that moved data this way, ms (0: none did). */
  readonly min_run_ms: number;
  readonly max_run_ms: number;
}

export type GroupStatus = Readonly<Record<DirectionName, GroupDirection>>;

/** Every reporting group's status, by group id, in the order groups first appear. */
export function groupStatus(jobs: readonly JobMeasurement[]): Map<number, GroupStatus> {
  const byGroup = new Map<number, JobMeasurement[]>();
  for (const job of jobs) {
    const list = byGroup.get(job.groupid) ?? [];
    list.push(job);
    byGroup.set(job.groupid, list);
  }
  const out = new Map<number, GroupStatus>();
  for (const [groupid, members] of byGroup) {
    const one = (dir: DirectionName): GroupDirection => {
      let io_bytes = 0;
      let minBw = Infinity;
      let maxBw = 0;
      let minRun = Infinity;
      let maxRun = 0;
      for (const job of members) {
        const d = job.measured[dir];
        const ms = runtime_ms(job);
        if (!d || d.io_bytes === 0 || ms === 0) continue;
        io_bytes += d.io_bytes;
        const bw = Math.floor((d.io_bytes * 1000) / ms);
        minBw = Math.min(minBw, bw);
        maxBw = Math.max(maxBw, bw);
        minRun = Math.min(minRun, ms);
        maxRun = Math.max(maxRun, ms);
      }
      if (maxRun === 0) return { io_bytes: 0, agg_bytes_per_s: 0, min_bw: 0, max_bw: 0, min_run_ms: 0, max_run_ms: 0 };
      return {
        io_bytes,
        agg_bytes_per_s: Math.floor((io_bytes * 1000) / maxRun),
        min_bw: minBw,
        max_bw: maxBw,
        min_run_ms: minRun,
        max_run_ms: maxRun,
      };
    };
    out.set(groupid, { read: one('read'), write: one('write'), trim: one('trim') });
  }
  return out;
}

const DEPTH_KEYS = ['1', '2', '4', '8', '16', '32', '>=64'];

/** fio's iodepth_level: the share (percent) of I/Os submitted at each depth bucket. */
export function depthShares(job: JobMeasurement): Record<string, number> {
  const r = job.measured.read.depthAtSubmit;
  const w = job.measured.write.depthAtSubmit;
  const t = job.measured.trim?.depthAtSubmit;
  const at = (i: number) => r[i]! + w[i]! + (t?.[i] ?? 0);
  let total = 0;
  for (let i = 0; i < 7; i++) total += at(i);
  const out: Record<string, number> = {};
  DEPTH_KEYS.forEach((k, i) => (out[k] = total > 0 ? (at(i) * 100) / total : 0));
  return out;
}

/** fio's iodepth_submit and iodepth_complete: the model submits and completes one I/O at a time (fio's 1-4 bucket). */
export function batchShares(job: JobMeasurement): Record<string, number> {
  const any = job.measured.read.total_ios + job.measured.write.total_ios + (job.measured.trim?.total_ios ?? 0) > 0;
  return { '0': 0, '4': any ? 100 : 0, '8': 0, '16': 0, '32': 0, '64': 0, '>=64': 0 };
}

const LATENCY_NS_EDGES = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000];
const LATENCY_US_EDGES = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000];
const LATENCY_MS_EDGES = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000, 2000];

/** fio's latency distribution of a job's total latencies, percent per bucket, keys as fio writes them. */
export function latencyDistribution(job: JobMeasurement): {
  ns: Record<string, number>;
  us: Record<string, number>;
  ms: Record<string, number>;
} {
  return {
    ns: latencyShares(job, LATENCY_NS_EDGES, 1),
    us: latencyShares(job, LATENCY_US_EDGES, 1e3),
    ms: latencyShares(job, LATENCY_MS_EDGES, 1e6),
  };
}

/**
 * The share (percent) of I/Os whose total latency lies in [previous edge, edge) in the unit `scale_ns`
 * (the first range of the us and ms tables starts at 1 us and 1 ms); the ms table adds ">=2000".
 */
function latencyShares(job: JobMeasurement, edges: number[], scale_ns: number): Record<string, number> {
  const parts = [job.measured.read.lat, job.measured.write.lat, ...(job.measured.trim ? [job.measured.trim.lat] : [])];
  const n = parts.reduce((sum, h) => sum + h.n, 0);
  const out: Record<string, number> = {};
  let lower = scale_ns === 1 ? 0 : scale_ns;
  for (const edge of edges) {
    const upper = edge * scale_ns;
    out[`${edge}`] = n > 0 ? (countIn(parts, lower, upper) * 100) / n : 0;
    lower = upper;
  }
  if (scale_ns === 1e6) out['>=2000'] = n > 0 ? (countIn(parts, lower, Infinity) * 100) / n : 0;
  return out;
}

/** Samples whose bucket's value lies in [from_ns, to_ns): the buckets of that range only (values rise with the index). */
function countIn(parts: readonly MeasuredHistogram[], from_ns: number, to_ns: number): number {
  const from = firstBucketAtOrAbove(from_ns);
  const to = firstBucketAtOrAbove(to_ns);
  let count = 0;
  for (const h of parts) {
    for (let i = from; i < to; i++) count += h.counts[i]!;
  }
  return count;
}

/** fio's rw= name of a job. */
export function rwName(spec: WorkloadSpec): string {
  const mode = spec.trimMode ?? (spec.readFraction >= 1 ? 'read' : spec.readFraction <= 0 ? 'write' : 'rw');
  if (spec.pattern !== 'random') return mode;
  return mode === 'rw' ? 'randrw' : `rand${mode}`;
}

/** A latency the job measured: fio counts none where every sample is 0 (the model's slat of a sync engine). */
export function hasSamples(h: MeasuredHistogram): boolean {
  return h.n > 0 && h.max_ns > 0;
}

/** Per-interval bandwidth (KiB/s) and IOPS of a direction: fio's bw and iops samples. */
export function intervalSamples(d: MeasuredDirection): { bw: number[]; iops: number[] } {
  const rows = d.intervals.filter((r) => r.interval_ns > 0);
  return {
    bw: rows.map((r) => (r.bytes * 1e9) / r.interval_ns / 1024),
    iops: rows.map((r) => (r.ios * 1e9) / r.interval_ns),
  };
}

/** fio's summary of samples: count, extremes, mean and sample standard deviation (all 0 when there are none). */
export function sampleSummary(values: readonly number[]): { n: number; min: number; max: number; mean: number; dev: number } {
  const n = values.length;
  if (n === 0) return { n, min: 0, max: 0, mean: 0, dev: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const dev = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, min: Math.min(...values), max: Math.max(...values), mean, dev };
}

/** fio's bw `per`/`bw_agg`: the samples' mean (KiB/s) as a percentage of the group's bandwidth (B/s), at most 100. */
export function shareOfGroup(meanKiB: number, agg_bytes_per_s: number): number {
  return agg_bytes_per_s > 1024 ? Math.min(100, (meanKiB * 100) / (agg_bytes_per_s / 1024)) : 100;
}
