/**
 * A one-line progress bar on stderr for long runs: simulated time, wall time, current IOPS. Drawn only
 * when stderr is a terminal, so pipes and CI logs stay clean.
 */
import { formatDuration, formatRate } from '../../sim/core/units.js';

/**
 * What a model run's bar shows. Declared here, by what the bar reads, so results import no target: the
 * model's own progress report (SimProgress in bench/targets/sim.ts) has these fields.
 */
export interface ModelProgress {
  /** Simulated time reached, ns. */
  readonly now_ns: number;
  /** Where the run will end, ns (Infinity when jobs are size-bound without a runtime). */
  readonly end_ns: number;
  /** I/Os per second completed over the last slice of simulated time. */
  readonly iops: number;
  /** Wall-clock seconds since the start. */
  readonly wall_s: number;
}

/** Returns a progress callback and a function that clears the line, or undefined off a terminal. */
export function progressBar(
  stream: NodeJS.WriteStream = process.stderr,
): { update: (p: ModelProgress) => void; done: () => void } | undefined {
  if (!stream.isTTY) return undefined;
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    update(p) {
      if (p.wall_s - lastDraw < 0.1) return; // ten redraws a second are plenty
      lastDraw = p.wall_s;
      const width = 30;
      const fraction = Number.isFinite(p.end_ns) && p.end_ns > 0 ? Math.min(1, p.now_ns / p.end_ns) : 0;
      const bar = Number.isFinite(p.end_ns)
        ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}%`
        : '[running]';
      stream.write(`\r${bar} sim ${formatDuration(p.now_ns)} wall ${p.wall_s.toFixed(1)} s ${formatRate(p.iops)} IOPS\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/** What a host run's bar shows: fio's own progress, or only the wall time where fio reports none. */
export interface HostProgress {
  /** Share done, 0..1; undefined while unknown (fio laying out files, or no status from fio). */
  readonly fraction?: number;
  /** I/Os per second over fio's last status period; undefined where fio reports none. */
  readonly iops_per_s?: number;
  /** fio's estimate of the time left, s. */
  readonly eta_s?: number;
  /** Wall-clock seconds since the start. */
  readonly wall_s: number;
}

/** The same one-line bar for the host target (fio's percent, wall time, current IOPS); undefined off a terminal. */
export function hostProgressBar(
  stream: NodeJS.WriteStream = process.stderr,
): { update: (p: HostProgress) => void; done: () => void } | undefined {
  if (!stream.isTTY) return undefined;
  let drawn = false;
  return {
    update(p) {
      // fio reports a few times a second at most, so every report is drawn.
      const width = 30;
      const bar =
        p.fraction !== undefined
          ? `[${'#'.repeat(Math.round(p.fraction * width)).padEnd(width, '.')}] ${(p.fraction * 100).toFixed(0).padStart(3)}%`
          : '[running]';
      const eta = p.eta_s !== undefined ? ` eta ${p.eta_s.toFixed(0)} s` : '';
      const iops = p.iops_per_s !== undefined ? ` ${formatRate(p.iops_per_s)} IOPS` : '';
      stream.write(`\r${bar} fio wall ${p.wall_s.toFixed(1)} s${eta}${iops}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/** What a sweep's bar shows: points finished (run, or skipped as unchanged), failed, and the time left. */
export interface SweepProgress {
  /** Points finished so far, failed ones included. */
  readonly finished: number;
  readonly failed: number;
  readonly total: number;
  /** Wall-clock seconds since the start. */
  readonly wall_s: number;
  /** Estimated wall-clock seconds left; undefined until a point has run. */
  readonly eta_s: number | undefined;
}

/** The same one-line bar for a sweep: points done of all, failed, ETA; undefined off a terminal. */
export function sweepProgressBar(
  stream: NodeJS.WriteStream = process.stderr,
): { update: (p: SweepProgress) => void; done: () => void } | undefined {
  if (!stream.isTTY) return undefined;
  let drawn = false;
  return {
    update(p) {
      const width = 30;
      const fraction = p.total > 0 ? p.finished / p.total : 1;
      const bar = `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
      const eta = p.eta_s !== undefined ? ` eta ${formatDuration(p.eta_s * 1e9)}` : '';
      stream.write(`\r${bar} ${p.finished}/${p.total} points, ${p.failed} failed, wall ${p.wall_s.toFixed(1)} s${eta}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
