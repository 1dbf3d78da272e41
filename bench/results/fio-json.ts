/**
 * fio 3.x's JSON layout (stat.c: show_thread_status_json, json+ adds `bins`), so fio's own tools and
 * anything that reads fio JSON read Anvil's results unchanged. Units are in the keys, as in fio:
 * `runtime` ms, `bw` KiB/s, `bw_bytes` B/s, latencies ns.
 */
import { BUCKETS, bucketValue } from '../../sim/measure/latency-histogram.js';
import { FIO_PERCENTILES_OF, type WorkloadSpec } from '../../sim/workload/spec.js';
import {
  batchShares,
  depthShares,
  groupStatus,
  hasSamples,
  intervalSamples,
  latencyDistribution,
  runtime_ms,
  rwName,
  sampleSummary,
  shareOfGroup,
  type GroupDirection,
} from './fio-figures.js';
import { ctimeUtc } from './fio-numbers.js';
import type { JobMeasurement, MeasuredDirection, MeasuredHistogram, RunMeasurement } from './measurement.js';

/**
 * The options of each section as the job file gives them, values as strings (fio's `global options` and
 * each job's `job options`: a section's own options, not those it inherits). Bare flags are not listed, as fio.
 */
export interface GivenOptions {
  readonly global: Readonly<Record<string, string>>;
  /** By job name. */
  readonly jobs: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

export type OutputFormat = 'normal' | 'json' | 'json+';

/** errno of an I/O error (Linux EIO): fio's `error` for a job whose I/O failed. */
const EIO = 5;

/** fio's JSON for a run. `timestamp_s` is the run's timestamp (seconds since the epoch). */
export function fioJson(
  run: RunMeasurement,
  options: { format: 'json' | 'json+'; version: string; timestamp_s: number; given?: GivenOptions },
): Record<string, unknown> {
  const plus = options.format === 'json+';
  const groups = groupStatus(run.jobs);
  return {
    'fio version': `anvil-${options.version}`,
    timestamp: options.timestamp_s,
    timestamp_ms: options.timestamp_s * 1000,
    // fio's ctime(3) text (in UTC, so a fixed SOURCE_DATE_EPOCH gives the same document everywhere).
    time: ctimeUtc(options.timestamp_s),
    'global options': options.given ? { ...options.given.global } : {},
    jobs: run.jobs.map((job) => {
      const group = groups.get(job.groupid)!;
      const own = options.given ? { ...(options.given.jobs.get(job.name) ?? {}) } : derivedOptions(job.specs[0]!, job.specs.length);
      return jobJson(job, plus, own, group);
    }),
  };
}

function jobJson(
  job: JobMeasurement,
  plus: boolean,
  jobOptions: Record<string, string>,
  group: Readonly<Record<'read' | 'write' | 'trim', GroupDirection>>,
): Record<string, unknown> {
  const ms = runtime_ms(job);
  const spec = job.specs[0]!;
  const of = spec.percentilesOf ?? FIO_PERCENTILES_OF;
  const dist = latencyDistribution(job);
  return {
    jobname: job.name,
    groupid: job.groupid,
    // fio's errno of the job's first error: EIO (5), the only error the model gives.
    error: job.measured.total_err !== undefined ? EIO : 0,
    eta: 0,
    elapsed: Math.round((spec.ramp_ns + job.measured.window_ns) / 1e9),
    'job options': jobOptions,
    read: directionJson(job.measured.read, ms, spec.percentiles, of, plus, group.read),
    write: directionJson(job.measured.write, ms, spec.percentiles, of, plus, group.write),
    trim: directionJson(job.measured.trim, ms, spec.percentiles, of, plus, group.trim),
    sync: { total_ios: 0, lat_ns: emptyStats() },
    job_runtime: ms,
    usr_cpu: 0,
    sys_cpu: 0,
    ctx: 0,
    majf: 0,
    minf: 0,
    iodepth_level: depthShares(job),
    iodepth_submit: batchShares(job),
    iodepth_complete: batchShares(job),
    latency_ns: dist.ns,
    latency_us: dist.us,
    latency_ms: dist.ms,
    latency_depth: spec.iodepth,
    latency_target: 0,
    latency_percentile: 100,
    latency_window: 0,
    // As fio writes them for a job that went on after errors; only where the job had any.
    ...(job.measured.total_err !== undefined ? { total_err: job.measured.total_err, first_error: EIO } : {}),
    // Anvil's own key, after fio's (which stay intact so fio's tools read the entry): only where the job has labels.
    ...(job.labels && Object.keys(job.labels).length > 0 ? { anvil_labels: { ...job.labels } } : {}),
  };
}

/** Where no job file is at hand (a scenario's workloads): the options the job ran with, as strings. */
function derivedOptions(spec: WorkloadSpec, members: number): Record<string, string> {
  const options: Record<string, string> = {
    rw: rwName(spec),
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
  jobRuntime_ms: number,
  percentiles: readonly number[],
  of: { readonly slat: boolean; readonly clat: boolean; readonly lat: boolean },
  plus: boolean,
  group: GroupDirection,
): Record<string, unknown> {
  const ios = d?.total_ios ?? 0;
  const bytes = d?.io_bytes ?? 0;
  const ms = ios > 0 ? jobRuntime_ms : 0;
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
    ...sampleStats('bw', samples.bw, ['bw_min', 'bw_max', 'bw_agg', 'bw_mean', 'bw_dev', 'bw_samples'], group.agg_bytes_per_s),
    ...sampleStats('iops', samples.iops, ['iops_min', 'iops_max', 'iops_mean', 'iops_stddev', 'iops_samples']),
  };
}

/** `agg_bytes_per_s`: the group's aggregate bandwidth, of which fio's bw_agg is the samples' mean share (percent). */
function sampleStats(kind: 'bw' | 'iops', values: number[], keys: string[], agg_bytes_per_s = 0): Record<string, number> {
  const { n, min, max, mean, dev } = sampleSummary(values);
  if (kind === 'bw') {
    const [kMin, kMax, kAgg, kMean, kDev, kSamples] = keys as [string, string, string, string, string, string];
    const agg = n === 0 ? 0 : shareOfGroup(mean, agg_bytes_per_s);
    return { [kMin]: Math.round(min), [kMax]: Math.round(max), [kAgg]: agg, [kMean]: mean, [kDev]: dev, [kSamples]: n };
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
  if (!hasSamples(h)) return emptyStats();
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
