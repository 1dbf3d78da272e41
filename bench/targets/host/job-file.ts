/**
 * The job file handed to fio: the user's own text, with only what Anvil must add appended to each
 * section (so it wins over the user's value): the target file when `--filename` is given, and the
 * per-interval logs the interval series is built from.
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

/** The additions as job-file lines. */
export function additionLines(a: JobAdditions): string[] {
  const lines = ['; added by anvil run --target host'];
  // fio separates several files with ':'; a colon inside one path is written '\:'.
  if (a.filename !== undefined) lines.push(`filename=${a.filename.replace(/:/g, '\\:')}`);
  lines.push(`write_hist_log=${a.logPrefix}`, `log_hist_msec=${a.interval_ms}`, 'log_hist_coarseness=0');
  lines.push(`write_lat_log=${a.logPrefix}`, `log_avg_msec=${a.interval_ms}`);
  return lines;
}

/** The user's text with the additions at the end of every section. */
export function withAdditions(text: string, a: JobAdditions): string {
  const add = additionLines(a);
  const out: string[] = [];
  let inSection = false;
  for (const line of text.replace(/^\uFEFF/, '').split('\n')) {
    if (HEADER.test(stripComment(line))) {
      if (inSection) out.push(...add, '');
      inSection = true;
    }
    out.push(line);
  }
  if (inSection) out.push(...add);
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
