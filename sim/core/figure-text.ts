/**
 * Figures as people read them, in the units SLA checks measure: a figure, a margin against its limit, a
 * check's name. Here, beside the units they format, because both the checks (bench/check, anvil check's
 * table) and the control plane's API (a run's verdicts) show them, and neither may import the other.
 */
import { formatByteRate, formatDuration, formatRate } from './units.js';

/** The unit of an SLA figure: I/Os a second, bytes a second, nanoseconds, or pods (admission). */
export type FigureUnit = 'IOPS' | 'bytes/s' | 'ns' | 'pods';

/** A figure in its unit, as people read it: 20.1k IOPS, 250 MB/s, 480 us. */
export function formatFigure(value: number, unit: FigureUnit): string {
  if (unit === 'IOPS') return `${formatRate(value)} IOPS`;
  if (unit === 'bytes/s') return formatByteRate(value);
  if (unit === 'pods') return `${value} pod${value === 1 ? '' : 's'}`;
  return formatDuration(value);
}

/** The margin as a signed percentage of the limit, or in the unit where the limit is 0. */
export function formatMargin(margin: number, fraction: number | null, unit: FigureUnit): string {
  if (fraction !== null) {
    const pct = fraction * 100;
    // A figure a hair from its limit shows its sign and first digit, not a bare 0.0%.
    const digits = pct !== 0 && Math.abs(pct) < 0.05 ? pct.toPrecision(1) : pct.toFixed(1);
    return `${pct >= 0 ? '+' : ''}${digits}%`;
  }
  return `${margin >= 0 ? '+' : '-'}${formatFigure(Math.abs(margin), unit)}`;
}

/** The check as a person reads it: `p99 latency (per interval)`. */
export function checkLabel(check: string, window: 'run' | 'interval'): string {
  const what =
    check === 'min_iops'
      ? 'IOPS'
      : check === 'min_bandwidth'
        ? 'bandwidth'
        : check === 'max_outage'
          ? 'outage'
          : check.endsWith('_admitted_pods')
            ? 'admitted pods'
            : `${check.slice('max_latency_'.length)} latency`;
  return window === 'interval' ? `${what} per interval` : what;
}
