/**
 * fio's per-interval logs, which give the interval series of a host run:
 * - the completion-latency histogram log (`write_hist_log`, `log_hist_msec`): per line `time_ms, ddir,
 *   bs, count...` with one count per fio bucket (coarseness 0), each line the I/Os completed since the
 *   previous line. fio writes no line for the last, partial interval: the run's totals minus the lines
 *   give it exactly.
 * - the averaged completion-latency log (`write_lat_log` with `log_avg_msec`): per line `time_ms,
 *   mean_ns, ddir, bs, offset[, prio]`, the mean over each interval, last interval included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUCKETS } from '../../../sim/measure/latency-histogram.js';
import { AnvilError } from '../../../platform/errors.js';

/** One line of a histogram log. */
export interface HistogramLogLine {
  /** Time since the job started, ms. */
  readonly time_ms: number;
  /** 0 read, 1 write, 2 trim. */
  readonly direction: number;
  readonly blockSize_bytes: number;
  /** I/Os per fio bucket completed since the previous line. */
  readonly counts: Float64Array;
}

/** One line of an averaged log. */
export interface AverageLogLine {
  readonly time_ms: number;
  /** The logged value's mean over the interval (ns for latency logs). */
  readonly value: number;
  readonly direction: number;
}

function numbers(line: string): number[] {
  return line.split(',').map((f) => Number(f.trim()));
}

export function parseHistogramLog(text: string, source: string): HistogramLogLine[] {
  const out: HistogramLogLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const f = numbers(line);
    if (f.length !== 3 + BUCKETS || f.some((v) => !Number.isFinite(v))) {
      throw new AnvilError(
        'ANVIL_ERR_FIO_OUTPUT',
        `${source}:${i + 1}: a histogram log line needs time, direction, block size and ${BUCKETS} bucket counts (log_hist_coarseness=0); it has ${f.length} fields`,
      );
    }
    out.push({ time_ms: f[0]!, direction: f[1]!, blockSize_bytes: f[2]!, counts: Float64Array.from(f.slice(3)) });
  });
  return out;
}

export function parseAverageLog(text: string, source: string): AverageLogLine[] {
  const out: AverageLogLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const f = numbers(line);
    if (f.length < 3 || f.slice(0, 3).some((v) => !Number.isFinite(v))) {
      throw new AnvilError('ANVIL_ERR_FIO_OUTPUT', `${source}:${i + 1}: a log line needs time, value and direction`);
    }
    out.push({ time_ms: f[0]!, value: f[1]!, direction: f[2]! });
  });
  return out;
}

/** The logs of one fio thread (job clone). */
export interface ThreadLogs {
  readonly histogram: HistogramLogLine[];
  readonly clatMean: AverageLogLine[];
}

/**
 * Reads the logs fio wrote under `dir` with prefix `prefix`, one entry per thread in fio's numbering
 * (`PREFIX_clat_hist.N.log`, `PREFIX_clat.N.log`, N from 1). In client/server mode the client writes the
 * logs each server sends with the server's address appended (`PREFIX_clat_hist.N.log.HOST`): `host`
 * selects those.
 */
export function readThreadLogs(dir: string, prefix: string, host?: string): ThreadLogs[] {
  const suffix = host === undefined ? '' : `.${host}`;
  const threads: ThreadLogs[] = [];
  const names = readdirSync(dir);
  for (let n = 1; ; n++) {
    const hist = `${prefix}_clat_hist.${n}.log${suffix}`;
    const clat = `${prefix}_clat.${n}.log${suffix}`;
    if (!names.includes(hist) && !names.includes(clat)) break;
    threads.push({
      histogram: names.includes(hist) ? parseHistogramLog(readFileSync(join(dir, hist), 'utf8'), hist) : [],
      clatMean: names.includes(clat) ? parseAverageLog(readFileSync(join(dir, clat), 'utf8'), clat) : [],
    });
  }
  return threads;
}
