/**
 * A one-line progress bar on stderr for long runs: simulated time, wall time, current IOPS. Drawn only
 * when stderr is a terminal, so pipes and CI logs stay clean.
 */
import { formatDuration, formatRate } from '../../sim/core/units.js';
import type { SimProgress } from '../targets/sim.js';

/** Returns a progress callback and a function that clears the line, or undefined off a terminal. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): { update: (p: SimProgress) => void; done: () => void } | undefined {
  if (!stream.isTTY) return undefined;
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    update(p) {
      if (p.wall_s - lastDraw < 0.1) return; // ten redraws a second are plenty
      lastDraw = p.wall_s;
      const width = 30;
      const fraction = Number.isFinite(p.end_ns) && p.end_ns > 0 ? Math.min(1, p.now_ns / p.end_ns) : 0;
      const bar = Number.isFinite(p.end_ns) ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}%` : '[running]';
      stream.write(`\r${bar} sim ${formatDuration(p.now_ns)} wall ${p.wall_s.toFixed(1)} s ${formatRate(p.iops)} IOPS\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
