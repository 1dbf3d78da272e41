/**
 * fio's log files from a model run, in fio's formats (HOWTO "Log File Formats"), read by fio's own
 * fio2gnuplot and fiologparser_hist.py:
 * - `PREFIX_bw.N.log`, `PREFIX_iops.N.log`: `time_ms, value, ddir, bs, 0` per direction with I/O and full
 *   period (KiB/s, I/Os per second), the period being log_avg_msec (bs 0), or bwavgtime / iopsavgtime
 *   when it is 0 (bs the job's block size);
 * - `PREFIX_slat.N.log`, `PREFIX_clat.N.log`, `PREFIX_lat.N.log`: the mean latency (ns) over each
 *   log_avg_msec, the last partial period included, as fio flushes it at the end; with log_avg_msec=0,
 *   one line per I/O (`time_ms, ns, ddir, bs, 0`) from the recorder's per-I/O log, up to its cap;
 * - `PREFIX_clat_hist.N.log`: `time_ms, ddir, bs, count...` per log_hist_msec, each line the I/Os completed
 *   in the period per fio bucket (halved log_hist_coarseness times); no line for the last partial period.
 * Times are ms from the start of the job's measurement (after ramp_time), as fio's. The averaged logs come
 * from the interval series the model records (one row per interval), never from per-I/O samples: the run's
 * interval is the periods' greatest common divisor (`logInterval_ns`), so a period is whole rows.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import { BUCKETS } from '../../sim/measure/latency-histogram.js';
import { MAX_IO_LOG_ENTRIES, type IoLogEntry, type IoLogView } from '../../sim/measure/io-log.js';
import type { FioLogRequest, WorkloadSpec } from '../../sim/workload/spec.js';
import type { JobMeasurement, MeasuredDirection, RunMeasurement } from './measurement.js';
import { ensureOutputDir } from './output-dir.js';

const MS = 1e6;

/** Most interval rows (jobs x rows per job) a run that writes logs may keep: about 100 MB of rows. */
export const MAX_LOG_ROWS = 200_000;

/** The log periods a request needs, ms (0 periods left out). */
function periods(r: FioLogRequest): number[] {
  const out: number[] = [];
  if (r.bw !== undefined) out.push(r.avg_ms || r.bwAvg_ms);
  if (r.iops !== undefined) out.push(r.avg_ms || r.iopsAvg_ms);
  if (r.lat !== undefined && r.avg_ms > 0) out.push(r.avg_ms);
  if (r.hist !== undefined && r.hist_ms > 0) out.push(r.hist_ms);
  return out;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The interval (ns) a run must record for its jobs' logs: the greatest common divisor of every period,
 * so each period is a whole number of rows. Undefined when no job asks for a timed log. Throws
 * ANVIL_ERR_JOB_VALUE when the run would keep more than MAX_LOG_ROWS rows over `horizon_ns` (its runtime, or
 * for a size-bound run its I/Os at the profile's rate); an unbounded horizon is refused too.
 */
export function logInterval_ns(specs: readonly WorkloadSpec[], horizon_ns: number, jobFile: string): number | undefined {
  let step = 0;
  for (const s of specs) if (s.logs) for (const p of periods(s.logs)) step = gcd(p, step);
  if (step === 0) return undefined;
  const interval_ns = step * MS;
  const rows = Math.ceil(horizon_ns / interval_ns) * specs.length;
  if (rows > MAX_LOG_ROWS) {
    throw new AnvilError(
      'ANVIL_ERR_JOB_VALUE',
      `${jobFile}: the log periods (log_avg_msec, log_hist_msec, bwavgtime, iopsavgtime) need a ${step} ms interval, ${Number.isFinite(rows) ? rows : 'unbounded'} rows over the run's ${specs.length} jobs, more than the ${MAX_LOG_ROWS} the model keeps; use longer periods (multiples of one another) or a shorter runtime or size`,
    );
  }
  return interval_ns;
}

/** One period's sums for one direction, folded from whole interval rows. */
interface PeriodSums {
  end_ms: number;
  full: boolean;
  ios: number;
  bytes: number;
  clatSum: number;
  slatSum: number;
}

/** The direction's rows folded into periods of `period_ms`, in time order. */
function foldPeriods(d: MeasuredDirection, windowStart_ns: number, period_ms: number): PeriodSums[] {
  const out: PeriodSums[] = [];
  const period_ns = period_ms * MS;
  let cur: PeriodSums | undefined;
  let covered = 0;
  for (const row of d.intervals) {
    if (cur === undefined) {
      cur = { end_ms: 0, full: false, ios: 0, bytes: 0, clatSum: 0, slatSum: 0 };
      covered = 0;
    }
    cur.ios += row.ios;
    cur.bytes += row.bytes;
    cur.clatSum += row.clat_mean_ns * row.ios;
    cur.slatSum += (row.slat_mean_ns ?? 0) * row.ios;
    covered += row.interval_ns;
    cur.end_ms = Math.round((row.time_ns - windowStart_ns) / MS);
    // Rows are whole divisions of the period; a rounding margin of a nanosecond keeps sums exact.
    if (covered >= period_ns - 1) {
      cur.full = true;
      out.push(cur);
      cur = undefined;
    }
  }
  if (cur !== undefined && cur.ios > 0) out.push(cur);
  return out;
}

/** The directions a job's log lines cover, with fio's ddir numbers. */
function directions(job: JobMeasurement): [number, MeasuredDirection][] {
  const spec = job.specs[0]!;
  const out: [number, MeasuredDirection][] = [];
  if (spec.readFraction > 0 || job.measured.read.total_ios > 0) out.push([0, job.measured.read]);
  if (spec.readFraction < 1 || job.measured.write.total_ios > 0) out.push([1, job.measured.write]);
  // fio logs trims as ddir 2; the model measures them for a job in a trim mode.
  if (job.measured.trim !== undefined) out.push([2, job.measured.trim]);
  return out;
}

/** Lines of an averaged log: `value(period)` per direction, periods interleaved by time as fio writes them. */
function averagedLog(
  job: JobMeasurement,
  period_ms: number,
  fullOnly: boolean,
  value: (p: PeriodSums, s_: number) => number | undefined,
  bs: (ddir: number) => number = () => 0,
): string {
  const perDirection = directions(job).map(([ddir, d]) => [ddir, foldPeriods(d, job.measured.windowStart_ns, period_ms)] as const);
  const lines: string[] = [];
  const count = Math.max(0, ...perDirection.map(([, ps]) => ps.length));
  for (let i = 0; i < count; i++) {
    for (const [ddir, ps] of perDirection) {
      const p = ps[i];
      if (p === undefined || (fullOnly && !p.full)) continue;
      // fio writes no line for a direction without I/O in the period ("No entries for interval").
      const v = p.ios > 0 ? value(p, period_ms / 1000) : undefined;
      if (v !== undefined) lines.push(`${p.end_ms}, ${v}, ${ddir}, ${bs(ddir)}, 0`);
    }
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** The histogram log: one line per direction and full period with I/O, counts per (coarsened) fio bucket. */
function histogramLog(job: JobMeasurement, period_ms: number, coarseness: number): string {
  const spec = job.specs[0]!;
  const stride = 1 << coarseness;
  const period_ns = period_ms * MS;
  const dense = new Float64Array(BUCKETS);
  const lines: { at: number; ddir: number; text: string }[] = [];
  for (const [ddir, d] of directions(job)) {
    const bs = ddir === 0 ? spec.blockSize_bytes.read : ddir === 2 ? trimBlockSize(spec) : spec.blockSize_bytes.write;
    dense.fill(0);
    let covered = 0;
    let ios = 0;
    for (const h of d.intervalHistograms) {
      for (let i = 0; i < h.buckets.length; i++) {
        dense[h.buckets[i]!]! += h.counts[i]!;
        ios += h.counts[i]!;
      }
      covered += h.interval_ns;
      if (covered < period_ns - 1) continue;
      const at = Math.round((h.time_ns - job.measured.windowStart_ns) / MS);
      if (ios > 0) {
        const fields: number[] = [];
        for (let j = 0; j < BUCKETS; j += stride) {
          let sum = 0;
          for (let k = j; k < j + stride; k++) sum += dense[k]!;
          fields.push(sum);
        }
        lines.push({ at, ddir, text: `${at}, ${ddir}, ${bs}, ${fields.join(', ')}` });
      }
      dense.fill(0);
      covered = 0;
      ios = 0;
    }
  }
  lines.sort((a, b) => a.at - b.at || a.ddir - b.ddir);
  return lines.map((l) => l.text + '\n').join('');
}

/** fio's unaveraged latency logs (log_avg_msec=0): one line per I/O, `time_ms, latency_ns, ddir, bs, 0`. */
function perIoLogs(log: IoLogView): [string, string, string] {
  const slat: string[] = [];
  const clat: string[] = [];
  const lat: string[] = [];
  const e: IoLogEntry = { time_ns: 0, direction: 0, slat_ns: 0, clat_ns: 0, bytes: 0 };
  for (let i = 0; i < log.count; i++) {
    log.entry(i, e);
    const tail = `, ${e.direction}, ${e.bytes}, 0\n`;
    const t = Math.floor(e.time_ns / MS);
    slat.push(`${t}, ${Math.round(e.slat_ns)}${tail}`);
    clat.push(`${t}, ${Math.round(e.clat_ns)}${tail}`);
    lat.push(`${t}, ${Math.round(e.slat_ns + e.clat_ns)}${tail}`);
  }
  return [slat.join(''), clat.join(''), lat.join('')];
}

/** Notes for logs the model cut short: the per-I/O latency logs of a run keep at most MAX_IO_LOG_ENTRIES I/Os together. */
export function fioLogNotes(run: RunMeasurement): string[] {
  const notes: string[] = [];
  for (const job of run.jobs) {
    const log = job.measured.ioLog;
    if (log === undefined || log.dropped === 0) continue;
    notes.push(
      `note: job '${job.name}': its per-I/O latency logs (write_lat_log without log_avg_msec) hold its first ${log.count} of ${log.count + log.dropped} I/Os: the model keeps ${MAX_IO_LOG_ENTRIES} per run, every job together; set log_avg_msec (ms) for averaged logs over the whole run`,
    );
  }
  return notes;
}

/** A trim's size (one range), bytes: its own bs where the job gives one, else the write size. */
function trimBlockSize(spec: WorkloadSpec): number {
  return spec.trimBlockSize_bytes ?? spec.blockSize_bytes.write;
}

/** The block size fio puts in an unaveraged sample: the direction's one size, or 0 for a mix of sizes. */
function sampleBlockSize(spec: WorkloadSpec, ddir: number): number {
  if (ddir === 2) return trimBlockSize(spec);
  const split = ddir === 0 ? spec.bsSplit?.read : spec.bsSplit?.write;
  if (split !== undefined && split.length > 1) return 0;
  return ddir === 0 ? spec.blockSize_bytes.read : spec.blockSize_bytes.write;
}

/** A log file's name as fio makes it: `PREFIX_TYPE.N.log`, or `PREFIX_TYPE.log` with per_job_logs=0. */
export function logFileName(prefix: string, type: string, r: FioLogRequest): string {
  return r.perJobLogs ? `${prefix}_${type}.${r.index}.log` : `${prefix}_${type}.log`;
}

/** The run's log files, path (relative to where they go) to contents, in job order. */
export function fioLogFiles(run: RunMeasurement): Map<string, string> {
  const files = new Map<string, string>();
  const add = (name: string, text: string) => files.set(name, (files.get(name) ?? '') + text);
  for (const job of run.jobs) {
    const r = job.specs[0]!.logs;
    if (!r) continue;
    // Unaveraged (log_avg_msec=0), fio's bandwidth and IOPS samples carry the job's block size where it has one.
    const bs = r.avg_ms > 0 ? undefined : (ddir: number) => sampleBlockSize(job.specs[0]!, ddir);
    if (r.bw !== undefined) {
      add(
        logFileName(r.bw, 'bw', r),
        averagedLog(job, r.avg_ms || r.bwAvg_ms, true, (p, s) => Math.floor(p.bytes / s / 1024), bs),
      );
    }
    if (r.iops !== undefined) {
      add(
        logFileName(r.iops, 'iops', r),
        averagedLog(job, r.avg_ms || r.iopsAvg_ms, true, (p, s) => Math.floor(p.ios / s), bs),
      );
    }
    if (r.lat !== undefined && r.avg_ms === 0 && job.measured.ioLog !== undefined) {
      const [slat, clat, lat] = perIoLogs(job.measured.ioLog);
      add(logFileName(r.lat, 'slat', r), slat);
      add(logFileName(r.lat, 'clat', r), clat);
      add(logFileName(r.lat, 'lat', r), lat);
    }
    if (r.lat !== undefined && r.avg_ms > 0) {
      const mean = (sum: (p: PeriodSums) => number) => (p: PeriodSums) => (p.ios > 0 ? Math.round(sum(p) / p.ios) : undefined);
      add(
        logFileName(r.lat, 'slat', r),
        averagedLog(
          job,
          r.avg_ms,
          false,
          mean((p) => p.slatSum),
        ),
      );
      add(
        logFileName(r.lat, 'clat', r),
        averagedLog(
          job,
          r.avg_ms,
          false,
          mean((p) => p.clatSum),
        ),
      );
      add(
        logFileName(r.lat, 'lat', r),
        averagedLog(
          job,
          r.avg_ms,
          false,
          mean((p) => p.slatSum + p.clatSum),
        ),
      );
    }
    // fio writes the histogram log empty when log_hist_msec is 0.
    if (r.hist !== undefined) add(logFileName(r.hist, 'clat_hist', r), r.hist_ms > 0 ? histogramLog(job, r.hist_ms, r.histCoarseness) : '');
  }
  return files;
}

/**
 * Writes the run's log files: a relative prefix under `dir` (the --out folder, or the working directory
 * as fio writes them), an absolute one where it says. Returns the paths written. A job of a reporting
 * group measured as one (group_reporting) writes the group's logs once, under its first job's number.
 */
export function writeFioLogs(run: RunMeasurement, dir: string): string[] {
  const written: string[] = [];
  for (const [name, text] of fioLogFiles(run)) {
    const path = resolve(dir, name);
    ensureOutputDir(dirname(path));
    try {
      writeFileSync(path, text);
    } catch (e) {
      throw new AnvilError(
        'ANVIL_ERR_OUTPUT',
        `cannot write fio's log ${path}: ${(e as Error).message}; check the write_*_log prefix and the folder`,
      );
    }
    written.push(path);
  }
  return written;
}
