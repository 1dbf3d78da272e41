/**
 * The job file the host target hands to fio (not to be confused with bench/workloads/jobfile.ts, the parser
 * of fio's job-file syntax): the user's own text, with only what Anvil must add appended to each
 * section (so it wins over the user's value): the per-interval logs the interval series is built from,
 * and, when `--filename` is given, the target file in each job section.
 */
import { parseDuration } from '../../../sim/core/units.js';
import { defaultInterval } from '../sim.js';

export interface JobAdditions {
  /** fio's `filename` for every job, when the user gave `--filename`. */
  readonly filename?: string;
  /** Prefix (a path) of the logs fio writes. */
  readonly logPrefix: string;
  /** Interval of the logs, ms. */
  readonly interval_ms: number;
}

const HEADER = /^\s*\[[^\]]+\]/;

function stripComment(line: string): string {
  const cut = line.search(/[;#]/);
  return (cut < 0 ? line : line.slice(0, cut)).trim();
}

/** The log additions as job-file lines (fio stores these options, so a later value replaces an earlier one). */
export function logLines(a: JobAdditions): string[] {
  return [
    `write_hist_log=${a.logPrefix}`,
    `log_hist_msec=${a.interval_ms}`,
    'log_hist_coarseness=0',
    `write_lat_log=${a.logPrefix}`,
    `log_avg_msec=${a.interval_ms}`,
  ];
}

/** `filename=F` as fio reads it: fio separates several files with ':', so a colon inside one path is written '\:'. */
export function filenameLine(filename: string): string {
  return `filename=${filename.replace(/:/g, '\\:')}`;
}

const FILENAME_OPTION = /^filename\s*(=|$)/;

/**
 * The user's text with the additions at the end of every section. fio's `filename` adds files rather
 * than replacing them (a job inherits [global]'s files and its own `filename=` adds one more, and fio
 * then splits `size` between them), so with `--filename` the file is named once, in each job section,
 * and the file's own `filename=` lines are commented out: each job uses exactly that one file, as
 * plain fio does with `filename=F` written once.
 */
export function withAdditions(text: string, a: JobAdditions): string {
  const logs = logLines(a);
  const out: string[] = [];
  let section: 'none' | 'global' | 'job' = 'none';
  const close = () => {
    if (section === 'none') return;
    out.push('; added by anvil run --target host');
    if (a.filename !== undefined && section === 'job') out.push(filenameLine(a.filename));
    out.push(...logs);
  };
  for (const line of text.replace(/^\uFEFF/, '').split('\n')) {
    const content = stripComment(line);
    if (HEADER.test(content)) {
      if (section !== 'none') {
        close();
        out.push('');
      }
      section = /^\s*\[global/.test(content) ? 'global' : 'job';
    } else if (a.filename !== undefined && section !== 'none' && FILENAME_OPTION.test(content)) {
      out.push(`; ${line.trim()}   (replaced by anvil run --filename)`);
      continue;
    }
    out.push(line);
  }
  close();
  return out.join('\n') + '\n';
}

/**
 * The longest a run can take if it is time-bound, ns: ramp plus runtime per job section, summed (an
 * upper bound whether jobs run together or one after another with `stonewall`); Infinity when some job
 * has no runtime (it runs until its `size` is done).
 */
export function runHorizon_ns(text: string): number {
  let global = { runtime: 0, ramp: 0 };
  let total = 0;
  let current: { runtime: number; ramp: number; global: boolean } | undefined;
  const close = () => {
    if (current && !current.global) total += current.runtime > 0 ? current.runtime + current.ramp : Infinity;
  };
  for (const raw of text.split('\n')) {
    const line = stripComment(raw);
    if (line === '') continue;
    const h = /^\[([^\]]+)\]/.exec(line);
    if (h) {
      close();
      if (current?.global) global = { runtime: current.runtime, ramp: current.ramp };
      current = { ...global, global: h[1]!.startsWith('global') };
      continue;
    }
    const m = /^(runtime|timeout|ramp_time)\s*=\s*(.+)$/.exec(line);
    if (m && current) {
      const ns = parseDuration(m[2]!, 's') ?? 0;
      if (m[1] === 'ramp_time') current.ramp = ns;
      else current.runtime = ns;
    }
  }
  close();
  return total;
}

/** The interval of the series for a run of that horizon: as the model's, at least 10 ms (fio logs in ms). */
export function logInterval_ms(horizon_ns: number): number {
  return Math.max(10, Math.round(defaultInterval(horizon_ns) / 1e6));
}
