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
import { columns, push, type Column } from './table-columns.js';

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

/** Inserts the label columns after `job` (empty string where a job lacks the label). */
function withLabels(run: RunMeasurement, fixed: Record<string, Column>): Column[] {
  const keys = labelKeys(run);
  const out: Column[] = [];
  for (const col of Object.values(fixed)) {
    out.push(col);
    if (col.name === 'job') for (const k of keys) out.push({ name: k, type: 'utf8', values: [], doc: `job label ${k}` });
  }
  return out;
}

/** Appends `job`'s label values to the label columns for its `rows` rows (its fixed columns were pushed already). */
function fillLabels(cols: Column[], fixedNames: ReadonlySet<string>, job: JobMeasurement, rows: number): void {
  for (const col of cols) {
    if (fixedNames.has(col.name)) continue;
    const value = job.labels?.[col.name] ?? '';
    for (let i = 0; i < rows; i++) col.values.push(value);
  }
}

/** A table's columns: the fixed ones filled by `fill` per job, then each job's labels for its rows. */
function labelledTable<K extends string>(
  run: RunMeasurement,
  spec: Record<K, [Column['type'], string]>,
  fill: (c: Record<K, Column>, job: JobMeasurement) => void,
): Column[] {
  const c = columns(spec);
  const cols = withLabels(run, c);
  const fixedNames = new Set<string>(Object.keys(spec));
  const clash = labelKeys(run).find((k) => fixedNames.has(k));
  if (clash !== undefined) throw new RangeError(`job label "${clash}" has the name of a result column; rename the label`);
  const anyFixed = Object.values<Column>(c)[0]!;
  for (const job of run.jobs) {
    const before = anyFixed.values.length;
    fill(c, job);
    fillLabels(cols, fixedNames, job, anyFixed.values.length - before);
  }
  return cols;
}

function intervalHistogramColumns(run: RunMeasurement): Column[] {
  const spec = {
    time_ns: ['i64', 'end of the interval, ns since the start of the run'],
    interval_ns: ['i64', 'length of the interval, ns'],
    job: ['utf8', 'fio jobname'],
    direction: ['utf8', 'read or write; trim too where a host run trimmed'],
    bucket_low_ns: ['i64', 'lowest completion latency in the bucket, ns'],
    bucket_high_ns: ['i64', 'first latency above the bucket, ns'],
    bucket_value_ns: ['i64', "the bucket's value as fio reports it in json+ bins (midpoint), ns"],
    count: ['i64', 'I/Os completed in the interval whose completion latency fell in the bucket'],
  } satisfies Record<string, [Column['type'], string]>;
  return labelledTable(run, spec, (c, job) => {
    for (const [dir, d] of directionsOf(job.measured)) {
      for (const h of d.intervalHistograms) {
        for (let j = 0; j < h.buckets.length; j++) {
          const i = h.buckets[j]!;
          push(c, {
            time_ns: h.time_ns,
            interval_ns: h.interval_ns,
            job: job.name,
            direction: dir,
            bucket_low_ns: bucketLow(i),
            bucket_high_ns: bucketLow(i) + bucketWidth(i),
            bucket_value_ns: bucketValue(i),
            count: h.counts[j]!,
          });
        }
      }
    }
  });
}

function intervalColumns(run: RunMeasurement): Column[] {
  return labelledTable(
    run,
    {
      time_ns: ['i64', 'end of the interval, ns since the start of the run'],
      interval_ns: ['i64', 'length of the interval, ns'],
      job: ['utf8', 'fio jobname'],
      direction: ['utf8', 'read or write; trim too where a host run trimmed'],
      ios: ['i64', 'I/Os completed in the interval'],
      iops: ['f64', 'I/Os per second over the interval'],
      bw_bytes: ['f64', 'bytes per second over the interval'],
      clat_mean_ns: ['f64', 'mean completion latency, ns'],
      clat_p50_ns: ['f64', 'median completion latency, ns'],
      clat_p99_ns: ['f64', '99th percentile completion latency, ns'],
      clat_p999_ns: ['f64', '99.9th percentile completion latency, ns'],
      clat_max_ns: ['f64', 'largest completion latency, ns'],
    },
    (c, job) => {
      for (const [dir, d] of directionsOf(job.measured)) {
        for (const row of d.intervals) {
          push(c, {
            time_ns: row.time_ns,
            interval_ns: row.interval_ns,
            job: job.name,
            direction: dir,
            ios: row.ios,
            iops: row.interval_ns > 0 ? (row.ios * 1e9) / row.interval_ns : 0,
            bw_bytes: row.interval_ns > 0 ? (row.bytes * 1e9) / row.interval_ns : 0,
            clat_mean_ns: row.clat_mean_ns,
            clat_p50_ns: row.clat_p50_ns,
            clat_p99_ns: row.clat_p99_ns,
            clat_p999_ns: row.clat_p999_ns,
            clat_max_ns: row.clat_max_ns,
          });
        }
      }
    },
  );
}

function histogramColumns(run: RunMeasurement): Column[] {
  return labelledTable(
    run,
    {
      job: ['utf8', 'fio jobname'],
      direction: ['utf8', 'read or write; trim too where a host run trimmed'],
      bucket_low_ns: ['i64', 'lowest completion latency in the bucket, ns'],
      bucket_high_ns: ['i64', 'first latency above the bucket, ns'],
      bucket_value_ns: ['i64', "the bucket's value as fio reports it in json+ bins (midpoint), ns"],
      count: ['i64', 'I/Os whose completion latency fell in the bucket'],
    },
    (c, job) => {
      for (const [dir, d] of directionsOf(job.measured)) {
        const h = d.clat;
        for (let i = 0; i < BUCKETS; i++) {
          const n = h.counts[i]!;
          if (n === 0) continue;
          push(c, {
            job: job.name,
            direction: dir,
            bucket_low_ns: bucketLow(i),
            bucket_high_ns: bucketLow(i) + bucketWidth(i),
            bucket_value_ns: bucketValue(i),
            count: n,
          });
        }
      }
    },
  );
}

function jobColumns(run: RunMeasurement): Column[] {
  return labelledTable(
    run,
    {
      job: ['utf8', 'fio jobname'],
      clones: ['i32', 'job clones measured together (numjobs with group_reporting)'],
      direction: ['utf8', 'read or write; trim too where a host run trimmed'],
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
    },
    (c, job) => {
      const window = job.measured.window_ns;
      for (const [dir, d] of directionsOf(job.measured)) {
        push(c, {
          job: job.name,
          clones: job.specs.length,
          direction: dir,
          runtime_ns: window,
          total_ios: d.total_ios,
          io_bytes: d.io_bytes,
          iops: window > 0 ? (d.total_ios * 1e9) / window : 0,
          bw_bytes: window > 0 ? (d.io_bytes * 1e9) / window : 0,
          clat_mean_ns: d.clat.mean_ns,
          clat_stddev_ns: d.clat.stddev_ns,
          clat_p50_ns: d.clat.percentile(50),
          clat_p99_ns: d.clat.percentile(99),
          clat_p999_ns: d.clat.percentile(99.9),
          clat_p9999_ns: d.clat.percentile(99.99),
          lat_mean_ns: d.lat.mean_ns,
        });
      }
    },
  );
}
