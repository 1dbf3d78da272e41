/**
 * How fio 3.33 writes numbers in its normal output (lib/num2str.c, stat.c), so scripts that parse fio's
 * text read Anvil's: sizes and rates cut to a number of significant digits with a unit prefix, latencies
 * in the unit fio picks from their range, and times as C's ctime(3) writes them (in UTC here, so a
 * fixed `SOURCE_DATE_EPOCH` gives the same text on every machine).
 */

/** fio's `sig_figs` default: digits kept in sizes and rates. */
export const FIO_SIG_FIGS = 4;

/** What a number counts: nothing, bytes, or bytes per second (fio's N2S_NONE, N2S_BYTE, N2S_BYTEPERSEC). */
export type NumberUnit = 'none' | 'bytes' | 'bytes/s';

const SI_PREFIX = ['', 'k', 'M', 'G', 'T', 'P'];
const IEC_PREFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
const UNIT_TEXT: Record<NumberUnit, string> = { none: '', bytes: 'B', 'bytes/s': 'B/s' };

/**
 * `value` (a non-negative integer count: I/Os, bytes, bytes/s) in at most `digits` digits with fio's
 * rounding: divided by 1000 (or 1024 with `binary`) until it fits, the remainder shown as decimals where
 * room is left ("11.9k", "46.3MiB/s", "64.0KiB"), rounded up by half a unit where none is.
 */
export function fioNumber(value: number, digits: number, binary: boolean, unit: NumberUnit): string {
  const thousand = binary ? 1024 : 1000;
  const prefixes = binary ? IEC_PREFIX : SI_PREFIX;
  let num = Math.max(0, Math.floor(value));
  let remainder = -1;
  let carry = false;
  let prefix = 0;
  while (prefix < prefixes.length && `${num}`.length > digits) {
    remainder = num % thousand;
    num = Math.floor(num / thousand);
    carry = remainder >= thousand / 2;
    prefix++;
  }
  const done = (n: number) => `${n}${prefix < prefixes.length ? prefixes[prefix] : ''}${UNIT_TEXT[unit]}`;
  if (remainder < 0) return done(num);
  const room = digits - `${num}`.length - 1;
  if (room <= 0) return done(carry ? num + 1 : num);
  // fio prints the remainder's fraction with `room` decimals and keeps what follows "0."
  const fraction = (remainder / thousand).toFixed(room);
  return `${num}.${fraction.slice(2)}${prefixes[prefix]}${UNIT_TEXT[unit]}`;
}

/** A latency's summary figures in the unit fio shows them in. */
export interface ScaledLatency {
  readonly unit: 'nsec' | 'usec' | 'msec';
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly dev: number;
}

/**
 * fio's display_lat: msec when the smallest is over 2 ms, the largest over 100 ms and the deviation over
 * 1 ms; usec at a thousandth of those; nsec otherwise. min and max are whole numbers in that unit.
 */
export function scaleLatency(min_ns: number, max_ns: number, mean_ns: number, dev_ns: number): ScaledLatency {
  const min = Math.round(min_ns);
  const max = Math.round(max_ns);
  if (min > 2_000_000 && max > 99_999_999 && dev_ns > 1_000_000) {
    return { unit: 'msec', min: Math.floor(min / 1e6), max: Math.floor(max / 1e6), mean: mean_ns / 1e6, dev: dev_ns / 1e6 };
  }
  if (min > 2000 && max > 99_999 && dev_ns > 1000) {
    return { unit: 'usec', min: Math.floor(min / 1e3), max: Math.floor(max / 1e3), mean: mean_ns / 1e3, dev: dev_ns / 1e3 };
  }
  return { unit: 'nsec', min, max, mean: mean_ns, dev: dev_ns };
}

/** C's printf `%W.Pf`: `value` with `decimals` decimals, right-aligned in `width` characters. */
export function fixed(value: number, width: number, decimals: number): string {
  return value.toFixed(decimals).padStart(width);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C's ctime(3) layout, in UTC, without its newline: "Thu Dec  3 11:45:38 2026". `epoch_s`: seconds since the epoch. */
export function ctimeUtc(epoch_s: number): string {
  const d = new Date(epoch_s * 1000);
  const two = (n: number) => `${n}`.padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${`${d.getUTCDate()}`.padStart(2)} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`
  );
}
