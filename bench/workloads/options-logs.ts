/**
 * fio's log-file options, which the model writes as fio does (bench/results/fio-logs.ts): the bandwidth,
 * IOPS, latency and histogram logs, their averaging periods and naming. Rows only; `options.ts` puts
 * them into the one option table, `resolve.ts` hands the settings to the spec.
 */
import { readWhole } from './whole-option.js';
import type { FioLogRequest } from '../../sim/workload/spec.js';
import type { LogSettings } from './log-settings.js';

// The rows are typed by their shape, not by options.ts's FioOption, so this file imports nothing back
// from the table it feeds (options.ts checks them as FioOption where it spreads them in).
type Apply = (s: { logs: LogSettings }, value: string | undefined) => string | undefined;
/** One row of the option table (options.ts `FioOption`, the fields these rows use). */
interface LogOptionRow {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly support: 'model';
  readonly kind: 'string' | 'int' | 'bool';
  readonly default: string | undefined;
  readonly help: string;
  readonly apply: Apply;
}

/** The longest averaging period the model takes, ms (a day): longer gives no line in any run it can simulate. */
export const MAX_LOG_PERIOD_MS = 86_400_000;

function model(name: string, kind: LogOptionRow['kind'], def: string | undefined, help: string, apply: Apply): LogOptionRow {
  return { name, aliases: [], support: 'model', kind, default: def, help, apply };
}

function prefix(set: (l: LogSettings, v: string) => void): Apply {
  return (s, value) => {
    // A bare option (or an empty value) names the files after the job, as fio does.
    set(s.logs, value === undefined ? '' : value.trim());
    return undefined;
  };
}

function whole(name: string, min: number, max: number, set: (l: LogSettings, v: number) => void, example: string): Apply {
  return (s, value) => {
    const v = readWhole(name, value, min, max);
    if (typeof v === 'string') return /^\d+$/.test((value ?? '').trim()) ? v : `${v.slice(0, -1)}, e.g. ${name}=${example})`;
    set(s.logs, v);
    return undefined;
  };
}

const MS = (name: string, set: (l: LogSettings, v: number) => void, example: string) => whole(name, 0, MAX_LOG_PERIOD_MS, set, example);

/** The rows. */
export const LOG_OPTIONS: readonly LogOptionRow[] = [
  model(
    'write_bw_log',
    'string',
    undefined,
    'write the bandwidth log PREFIX_bw.N.log (KiB/s per period)',
    prefix((l, v) => (l.bw = v)),
  ),
  model(
    'write_iops_log',
    'string',
    undefined,
    'write the IOPS log PREFIX_iops.N.log',
    prefix((l, v) => (l.iops = v)),
  ),
  model(
    'write_lat_log',
    'string',
    undefined,
    'write the latency logs PREFIX_slat.N.log, PREFIX_clat.N.log, PREFIX_lat.N.log (ns; a line per I/O without log_avg_msec, up to 1000000 per run)',
    prefix((l, v) => (l.lat = v)),
  ),
  model(
    'write_hist_log',
    'string',
    undefined,
    'write the completion-latency histogram log PREFIX_clat_hist.N.log (needs log_hist_msec)',
    prefix((l, v) => (l.hist = v)),
  ),
  model(
    'log_avg_msec',
    'int',
    '0',
    'average each log line over this many ms (0: fio logs every I/O)',
    MS('log_avg_msec', (l, v) => (l.avg_ms = v), '100'),
  ),
  model(
    'log_hist_msec',
    'int',
    '0',
    'one histogram log line per this many ms (0: none)',
    MS('log_hist_msec', (l, v) => (l.hist_ms = v), '100'),
  ),
  model(
    'log_hist_coarseness',
    'int',
    '0',
    'halve the histogram log bins this many times, 0..6',
    whole('log_hist_coarseness', 0, 6, (l, v) => (l.histCoarseness = v), '0'),
  ),
  model(
    'bwavgtime',
    'int',
    '500',
    'bandwidth sampling period, ms (the bandwidth log period when log_avg_msec is 0)',
    whole('bwavgtime', 1, MAX_LOG_PERIOD_MS, (l, v) => (l.bwAvg_ms = v), '500'),
  ),
  model(
    'iopsavgtime',
    'int',
    '500',
    'IOPS sampling period, ms (the IOPS log period when log_avg_msec is 0)',
    whole('iopsavgtime', 1, MAX_LOG_PERIOD_MS, (l, v) => (l.iopsAvg_ms = v), '500'),
  ),
  model('per_job_logs', 'bool', '1', "log file names carry the job's number (.N.log)", (s, value) => {
    if (value === undefined) return void (s.logs.perJobLogs = true);
    if (!/^\s*\d+\s*$/.test(value)) return `per_job_logs=${value} is not 0 or 1`;
    return void (s.logs.perJobLogs = Number(value) !== 0);
  }),
];

/** The spec's log request for a job named `jobName` (its number is filled in once every job is known); undefined: no logs. */
export function logRequest(l: LogSettings, jobName: string): FioLogRequest | undefined {
  const name = (p: string | undefined) => (p === undefined ? undefined : p === '' ? jobName : p);
  const files = { bw: name(l.bw), iops: name(l.iops), lat: name(l.lat), hist: name(l.hist) };
  if (Object.values(files).every((p) => p === undefined)) return undefined;
  const present = Object.fromEntries(Object.entries(files).filter(([, p]) => p !== undefined)) as Partial<typeof files>;
  return {
    ...present,
    avg_ms: l.avg_ms,
    hist_ms: l.hist_ms,
    histCoarseness: l.histCoarseness,
    bwAvg_ms: l.bwAvg_ms,
    iopsAvg_ms: l.iopsAvg_ms,
    perJobLogs: l.perJobLogs,
    index: 0,
  };
}
