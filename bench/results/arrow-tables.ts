/**
 * The full detail of a run as Arrow IPC files (file format), readable from pandas, Polars or DuckDB:
 * `intervals.arrow` (one row per interval, job and direction), `latency_histogram.arrow` (one row per
 * non-empty completion-latency bucket, fio's buckets), `interval_histogram.arrow` (the same per interval,
 * so percentiles over jobs and windows can be merged) and `jobs.arrow` (one row per job and direction).
 * Jobs with labels add one utf8 column per label key, after `job`, to every table. Each table's schema
 * metadata records the schema version, Anvil's version, the target, profile and seed.
 */
import { BUCKETS, bucketLow, bucketValue, bucketWidth } from '../../sim/measure/latency-histogram.js';
import type { JobMeasurement, MeasuredDirection, MeasuredJob, RunMeasurement } from './measurement.js';
import { toIpc } from './arrow-ipc.js';
import { buildColumns, type BuiltColumn, type NumberColumns, type RowBlock, type TableSpec } from './column-builder.js';
import type { ColumnType } from './table-columns.js';

export type { Column } from './table-columns.js';
export { toIpc } from './arrow-ipc.js';

/** Version of the result files' layout (fio JSON extras, summary.json, Arrow tables). */
export const RESULT_SCHEMA_VERSION = 1;

/** A job's directions: read and write always, trim where the job trimmed (host runs). */
function directionsOf(job: MeasuredJob): [string, MeasuredDirection][] {
  return [['read', job.read], ['write', job.write], ...(job.trim ? [['trim', job.trim] as [string, MeasuredDirection]] : [])];
}

/** Builds the three tables of a run as name -> IPC file bytes. */
export function arrowTables(run: RunMeasurement, meta: { version: string; jobfile: string }): Map<string, Uint8Array> {
  const metadata = tableMetadata(run, meta);
  const files = new Map<string, Uint8Array>();
  files.set('intervals.arrow', toIpc(intervalColumns(run), metadata));
  files.set('latency_histogram.arrow', toIpc(histogramColumns(run), metadata));
  files.set('jobs.arrow', toIpc(jobColumns(run), metadata));
  files.set('interval_histogram.arrow', toIpc(intervalHistogramColumns(run), metadata));
  return files;
}

/** The schema metadata every table of a run carries (a caller's extra tables too). */
export function tableMetadata(run: RunMeasurement, meta: { version: string; jobfile: string }): Map<string, string> {
  return new Map<string, string>([
    ['anvil_schema_version', `${RESULT_SCHEMA_VERSION}`],
    ['anvil_version', meta.version],
    ['target', run.target],
    ['profile', run.profile.name],
    // A host run has no seed; the layout of schema version 1 keeps the key, with 0.
    ['seed', `${run.target === 'sim' ? run.seed : 0}`],
    ['jobfile', meta.jobfile],
  ]);
}

/** Every label key any job has, sorted: one column each. */
function labelKeys(run: RunMeasurement): string[] {
  const keys = new Set<string>();
  for (const job of run.jobs) for (const k of Object.keys(job.labels ?? {})) keys.add(k);
  return [...keys].sort();
}

/**
 * A table's columns: per job and direction (`perDirection`) or per job, a block of `rows` rows whose numbers
 * `fill` writes; its text columns are the job's name, the direction and the job's labels (an empty string
 * where a job lacks a label), label columns after `job`.
 */
function labelledTable<S extends TableSpec>(
  run: RunMeasurement,
  spec: S,
  rows: (d: MeasuredDirection) => number,
  fill: (n: NumberColumns<S>, at: number, job: JobMeasurement, d: MeasuredDirection) => void,
): BuiltColumn[] {
  const keys = labelKeys(run);
  const fixedNames = new Set(Object.keys(spec));
  const clash = keys.find((k) => fixedNames.has(k));
  if (clash !== undefined) throw new RangeError(`job label "${clash}" has the name of a result column; rename the label`);
  const blocks: RowBlock<S>[] = [];
  for (const job of run.jobs) {
    const labels = new Map<string, string>();
    for (const k of keys) labels.set(k, job.labels?.[k] ?? '');
    for (const [dir, d] of directionsOf(job.measured)) {
      const text: Record<string, string> = {};
      for (const [k, v] of labels) text[k] = v;
      text.job = job.name;
      text.direction = dir;
      blocks.push({ rows: rows(d), text, fill: (n, at) => fill(n, at, job, d) });
    }
  }
  return buildColumns(spec, keys, blocks);
}

/** The columns every table has, as each spec names them (their order is each spec's). */
const JOB: [ColumnType, string] = ['utf8', 'fio jobname'];
const DIRECTION: [ColumnType, string] = ['utf8', 'read or write; trim too where a host run trimmed'];
/** The interval tables' time columns and the histogram tables' bucket columns. */
const TIME: [ColumnType, string] = ['i64', 'end of the interval, ns since the start of the run'];
const INTERVAL: [ColumnType, string] = ['i64', 'length of the interval, ns'];
const BUCKET_LOW: [ColumnType, string] = ['i64', 'lowest completion latency in the bucket, ns'];
const BUCKET_HIGH: [ColumnType, string] = ['i64', 'first latency above the bucket, ns'];
const BUCKET_VALUE: [ColumnType, string] = ['i64', "the bucket's value as fio reports it in json+ bins (midpoint), ns"];

/** The bucket columns of row `r`: histogram bucket `i`'s bounds and fio's value for it, ns. */
function putBucket(n: Record<'bucket_low_ns' | 'bucket_high_ns' | 'bucket_value_ns', Float64Array>, r: number, i: number): void {
  n.bucket_low_ns[r] = bucketLow(i);
  n.bucket_high_ns[r] = bucketLow(i) + bucketWidth(i);
  n.bucket_value_ns[r] = bucketValue(i);
}

function intervalHistogramColumns(run: RunMeasurement): BuiltColumn[] {
  const spec = {
    time_ns: TIME,
    interval_ns: INTERVAL,
    job: JOB,
    direction: DIRECTION,
    bucket_low_ns: BUCKET_LOW,
    bucket_high_ns: BUCKET_HIGH,
    bucket_value_ns: BUCKET_VALUE,
    count: ['i64', 'I/Os completed in the interval whose completion latency fell in the bucket'],
  } satisfies TableSpec;
  return labelledTable(
    run,
    spec,
    (d) => {
      let rows = 0;
      for (const h of d.intervalHistograms) rows += h.buckets.length;
      return rows;
    },
    (n, at, _job, d) => {
      let r = at;
      for (const h of d.intervalHistograms) {
        for (let j = 0; j < h.buckets.length; j++, r++) {
          const i = h.buckets[j]!;
          n.time_ns[r] = h.time_ns;
          n.interval_ns[r] = h.interval_ns;
          putBucket(n, r, i);
          n.count[r] = h.counts[j]!;
        }
      }
    },
  );
}

function intervalColumns(run: RunMeasurement): BuiltColumn[] {
  const spec = {
    time_ns: TIME,
    interval_ns: INTERVAL,
    job: JOB,
    direction: DIRECTION,
    ios: ['i64', 'I/Os completed in the interval'],
    iops: ['f64', 'I/Os per second over the interval'],
    bw_bytes: ['f64', 'bytes per second over the interval'],
    clat_mean_ns: ['f64', 'mean completion latency, ns'],
    clat_p50_ns: ['f64', 'median completion latency, ns'],
    clat_p99_ns: ['f64', '99th percentile completion latency, ns'],
    clat_p999_ns: ['f64', '99.9th percentile completion latency, ns'],
    clat_max_ns: ['f64', 'largest completion latency, ns'],
  } satisfies TableSpec;
  return labelledTable(
    run,
    spec,
    (d) => d.intervals.length,
    (n, at, _job, d) => {
      let r = at;
      for (const row of d.intervals) {
        n.time_ns[r] = row.time_ns;
        n.interval_ns[r] = row.interval_ns;
        n.ios[r] = row.ios;
        n.iops[r] = row.interval_ns > 0 ? (row.ios * 1e9) / row.interval_ns : 0;
        n.bw_bytes[r] = row.interval_ns > 0 ? (row.bytes * 1e9) / row.interval_ns : 0;
        n.clat_mean_ns[r] = row.clat_mean_ns;
        n.clat_p50_ns[r] = row.clat_p50_ns;
        n.clat_p99_ns[r] = row.clat_p99_ns;
        n.clat_p999_ns[r] = row.clat_p999_ns;
        n.clat_max_ns[r] = row.clat_max_ns;
        r++;
      }
    },
  );
}

function histogramColumns(run: RunMeasurement): BuiltColumn[] {
  const spec = {
    job: JOB,
    direction: DIRECTION,
    bucket_low_ns: BUCKET_LOW,
    bucket_high_ns: BUCKET_HIGH,
    bucket_value_ns: BUCKET_VALUE,
    count: ['i64', 'I/Os whose completion latency fell in the bucket'],
  } satisfies TableSpec;
  return labelledTable(
    run,
    spec,
    (d) => {
      // One row per non-empty bucket.
      let rows = 0;
      for (let i = 0; i < BUCKETS; i++) if (d.clat.counts[i]! !== 0) rows++;
      return rows;
    },
    (n, at, _job, d) => {
      const counts = d.clat.counts;
      let r = at;
      for (let i = 0; i < BUCKETS; i++) {
        const c = counts[i]!;
        if (c === 0) continue;
        putBucket(n, r, i);
        n.count[r] = c;
        r++;
      }
    },
  );
}

function jobColumns(run: RunMeasurement): BuiltColumn[] {
  const spec = {
    job: JOB,
    clones: ['i32', 'job clones measured together (numjobs with group_reporting)'],
    direction: DIRECTION,
    runtime_ns: ['i64', 'measurement window, ns'],
    total_ios: ['i64', 'I/Os completed in the window'],
    io_bytes: ['i64', 'bytes completed in the window'],
    iops: ['f64', 'I/Os per second'],
    bw_bytes: ['f64', 'bytes per second'],
    clat_mean_ns: ['f64', 'mean completion latency, ns'],
    clat_stddev_ns: ['f64', 'standard deviation of completion latency, ns'],
    clat_p50_ns: ['f64', 'median completion latency, ns'],
    clat_p99_ns: ['f64', '99th percentile completion latency, ns'],
    clat_p999_ns: ['f64', '99.9th percentile completion latency, ns'],
    clat_p9999_ns: ['f64', '99.99th percentile completion latency, ns'],
    lat_mean_ns: ['f64', 'mean total latency (submission + completion), ns'],
  } satisfies TableSpec;
  return labelledTable(
    run,
    spec,
    () => 1,
    (n, r, job, d) => {
      const window = job.measured.window_ns;
      n.clones[r] = job.specs.length;
      n.runtime_ns[r] = window;
      n.total_ios[r] = d.total_ios;
      n.io_bytes[r] = d.io_bytes;
      n.iops[r] = window > 0 ? (d.total_ios * 1e9) / window : 0;
      n.bw_bytes[r] = window > 0 ? (d.io_bytes * 1e9) / window : 0;
      n.clat_mean_ns[r] = d.clat.mean_ns;
      n.clat_stddev_ns[r] = d.clat.stddev_ns;
      n.clat_p50_ns[r] = d.clat.percentile(50);
      n.clat_p99_ns[r] = d.clat.percentile(99);
      n.clat_p999_ns[r] = d.clat.percentile(99.9);
      n.clat_p9999_ns[r] = d.clat.percentile(99.99);
      n.lat_mean_ns[r] = d.lat.mean_ns;
    },
  );
}
