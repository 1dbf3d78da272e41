/**
 * fio 3.x's JSON layout (stat.c: show_thread_status_json, json+ adds `bins`), so fio's own tools and
 * anything that reads fio JSON read Anvil's results unchanged. Units are in the keys, as in fio:
 * `runtime` ms, `bw` KiB/s, `bw_bytes` B/s, latencies ns.
 */
import { BUCKETS, bucketValue } from '../../sim/measure/latency-histogram.js';
import { FIO_PERCENTILES_OF, type WorkloadSpec } from '../../sim/workload/spec.js';
import type { JobMeasurement, MeasuredDirection, MeasuredHistogram, RunMeasurement } from './measurement.js';

export type OutputFormat = 'normal' | 'json' | 'json+';

/** errno of an I/O error (Linux EIO): fio's `error` for a job whose I/O failed. */
const EIO = 5;

/** fio's JSON for a run. `timestamp_s` is the run's timestamp (seconds since the epoch). */
export function fioJson(
  run: RunMeasurement,
  options: { format: 'json' | 'json+'; version: string; timestamp_s: number },
): Record<string, unknown> {
  const plus = options.format === 'json+';
  return {
    'fio version': `anvil-${options.version}`,
    timestamp: options.timestamp_s,
    timestamp_ms: options.timestamp_s * 1000,
    time: new Date(options.timestamp_s * 1000).toUTCString(),
    'global options': {},
    jobs: run.jobs.map((job) => jobJson(job, plus)),
  };
}

function jobJson(job: JobMeasurement, plus: boolean): Record<string, unknown> {
  const runtime_ms = Math.round(job.measured.window_ns / 1e6);
  const spec = job.specs[0]!;
  const total = job.measured.read.total_ios + job.measured.write.total_ios + (job.measured.trim?.total_ios ?? 0);
  return {
    jobname: job.name,
    groupid: job.groupid,
    job_start: 0,
    // fio's errno of the job's first error: EIO (5), the only error the model gives.
    error: job.measured.total_err !== undefined ? EIO : 0,
    eta: 0,
    elapsed: Math.round((spec.ramp_ns + job.measured.window_ns) / 1e9),
    'job options': jobOptions(spec, job.specs.length),
    read: directionJson(job.measured.read, runtime_ms, spec.percentiles, spec.percentilesOf ?? FIO_PERCENTILES_OF, plus),
    write: directionJson(job.measured.write, runtime_ms, spec.percentiles, spec.percentilesOf ?? FIO_PERCENTILES_OF, plus),
    trim: directionJson(job.measured.trim, runtime_ms, spec.percentiles, spec.percentilesOf ?? FIO_PERCENTILES_OF, plus),
    sync: { total_ios: 0, lat_ns: emptyStats() },
    job_runtime: runtime_ms,
    usr_cpu: 0,
    sys_cpu: 0,
    ctx: 0,
    majf: 0,
    minf: 0,
    iodepth_level: depthLevels(job),
    iodepth_submit: depthLevels(job),
    iodepth_complete: depthLevels(job),
    latency_ns: latencyShares(job, LATENCY_NS_EDGES, 1),
    latency_us: latencyShares(job, LATENCY_US_EDGES, 1e3),
    latency_ms: latencyShares(job, LATENCY_MS_EDGES, 1e6),
    latency_depth: spec.iodepth,
    latency_target: 0,
    latency_percentile: 100,
    latency_window: 0,
    total_ios_all: total,
    // As fio writes them for a job that went on after errors; only where the job had any.
    ...(job.measured.total_err !== undefined ? { total_err: job.measured.total_err, first_error: EIO } : {}),
    // Anvil's own key, after fio's (which stay intact so fio's tools read the entry): only where the job has labels.
    ...(job.labels && Object.keys(job.labels).length > 0 ? { anvil_labels: { ...job.labels } } : {}),
  };
}

/** The options the job ran with, as fio prints them (strings). */
function jobOptions(spec: WorkloadSpec, members: number): Record<string, string> {
  const rw = spec.trimMode ?? (spec.readFraction >= 1 ? 'read' : spec.readFraction <= 0 ? 'write' : 'rw');
  const options: Record<string, string> = {
    rw: spec.pattern === 'random' ? (rw === 'rw' ? 'randrw' : `rand${rw}`) : rw,
    bs:
      spec.blockSize_bytes.read === spec.blockSize_bytes.write
        ? `${spec.blockSize_bytes.read}`
        : `${spec.blockSize_bytes.read},${spec.blockSize_bytes.write}`,
    iodepth: `${spec.iodepth}`,
  };
  if (spec.readFraction > 0 && spec.readFraction < 1) options.rwmixread = `${Math.round(spec.readFraction * 100)}`;
  if (spec.rate_iops.read > 0 || spec.rate_iops.write > 0) {
    options.rate_iops = `${spec.rate_iops.read},${spec.rate_iops.write}`;
    options.rate_process = spec.rateProcess;
  }
  if (spec.size_bytes > 0) options.size = `${spec.size_bytes}`;
  if (spec.runtime_ns > 0) options.runtime = `${spec.runtime_ns / 1e9}`;
  if (spec.timeBased) options.time_based = '';
  if (spec.ramp_ns > 0) options.ramp_time = `${spec.ramp_ns / 1e9}`;
  if (members > 1) options.numjobs = `${members}`;
  if (spec.groupReporting) options.group_reporting = '';
  return options;
}

/**
 * One direction. As fio's stat.c, a latency with its percentiles on gets the `percentile` table and, in
 * json+, its `bins`; one with them off gets neither (clat_percentiles=0 drops clat's bins too).
 */
function directionJson(
  d: MeasuredDirection | undefined,
  runtime_ms: number,
  percentiles: readonly number[],
  of: { readonly slat: boolean; readonly clat: boolean; readonly lat: boolean },
  plus: boolean,
): Record<string, unknown> {
  const ios = d?.total_ios ?? 0;
  const bytes = d?.io_bytes ?? 0;
  const ms = ios > 0 ? runtime_ms : 0;
  const bw_bytes = ms > 0 ? Math.round((bytes * 1000) / ms) : 0;
  const iops = ms > 0 ? (ios * 1000) / ms : 0;
  const samples = d ? intervalSamples(d) : { bw: [], iops: [] };
  return {
    io_bytes: bytes,
    io_kbytes: Math.floor(bytes / 1024),
    bw_bytes,
    bw: Math.floor(bw_bytes / 1024),
    iops,
    runtime: ms,
    total_ios: ios,
    short_ios: 0,
    drop_ios: 0,
    slat_ns: d ? latencyJson(d.slat, of.slat ? percentiles : [], plus && of.slat) : emptyStats(),
    clat_ns: d ? latencyJson(d.clat, of.clat ? percentiles : [], plus && of.clat) : emptyStats(),
    lat_ns: d ? latencyJson(d.lat, of.lat ? percentiles : [], plus && of.lat) : emptyStats(),
    ...sampleStats('bw', samples.bw, ['bw_min', 'bw_max', 'bw_agg', 'bw_mean', 'bw_dev', 'bw_samples']),
    ...sampleStats('iops', samples.iops, ['iops_min', 'iops_max', 'iops_mean', 'iops_stddev', 'iops_samples']),
  };
}

/** Per-interval bandwidth (KiB/s) and IOPS, as fio samples them over its averaging window. */
function intervalSamples(d: MeasuredDirection): { bw: number[]; iops: number[] } {
  const rows = d.intervals.filter((r) => r.interval_ns > 0);
  return {
    bw: rows.map((r) => (r.bytes * 1e9) / r.interval_ns / 1024),
    iops: rows.map((r) => (r.ios * 1e9) / r.interval_ns),
  };
}

function sampleStats(kind: 'bw' | 'iops', values: number[], keys: string[]): Record<string, number> {
  const n = values.length;
  const mean = n > 0 ? values.reduce((a, b) => a + b, 0) / n : 0;
  const dev = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const min = n > 0 ? Math.min(...values) : 0;
  const max = n > 0 ? Math.max(...values) : 0;
  if (kind === 'bw') {
    const [kMin, kMax, kAgg, kMean, kDev, kSamples] = keys as [string, string, string, string, string, string];
    return { [kMin]: Math.round(min), [kMax]: Math.round(max), [kAgg]: n > 0 ? 100 : 0, [kMean]: mean, [kDev]: dev, [kSamples]: n };
  }
  const [kMin, kMax, kMean, kDev, kSamples] = keys as [string, string, string, string, string];
  return { [kMin]: Math.round(min), [kMax]: Math.round(max), [kMean]: mean, [kDev]: dev, [kSamples]: n };
}

function emptyStats(): Record<string, number> {
  return { min: 0, max: 0, mean: 0, stddev: 0, N: 0 };
}

/** fio's percentile key: printf("%f"). */
export function percentileKey(p: number): string {
  return p.toFixed(6);
}

function latencyJson(h: MeasuredHistogram, percentiles: readonly number[], plus: boolean): Record<string, unknown> {
  if (h.n === 0) return emptyStats();
  const out: Record<string, unknown> = {
    min: Math.round(h.min_ns),
    max: Math.round(h.max_ns),
    mean: h.mean_ns,
    stddev: h.stddev_ns,
    N: h.n,
  };
  if (percentiles.length > 0) {
    const table: Record<string, number> = {};
    for (const p of percentiles) table[percentileKey(p)] = h.percentile(p);
    out.percentile = table;
  }
  if (plus) {
    const bins: Record<string, number> = {};
    for (let i = 0; i < BUCKETS; i++) if (h.counts[i]! > 0) bins[`${bucketValue(i)}`] = h.counts[i]!;
    out.bins = bins;
  }
  return out;
}

const DEPTH_KEYS = ['1', '2', '4', '8', '16', '32', '>=64'];

function depthLevels(job: JobMeasurement): Record<string, number> {
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

const LATENCY_NS_EDGES = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000];
const LATENCY_US_EDGES = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000];
const LATENCY_MS_EDGES = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000, 2000];

/**
 * fio's latency distribution: the share (percent) of I/Os whose total latency lies in [previous edge,
 * edge) in the unit `scale_ns` (the first range of the us and ms tables starts at 1 us and 1 ms);
 * `latency_ms` adds ">=2000".
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

/** Samples whose bucket lies in [from_ns, to_ns). */
function countIn(parts: readonly MeasuredHistogram[], from_ns: number, to_ns: number): number {
  let count = 0;
  for (const h of parts) {
    for (let i = 0; i < BUCKETS; i++) {
      const v = bucketValue(i);
      if (v >= from_ns && v < to_ns) count += h.counts[i]!;
    }
  }
  return count;
}
