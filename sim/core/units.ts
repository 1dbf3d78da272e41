/**
 * The one place where human input becomes numbers: sizes ("4k", "1MiB") to bytes, durations ("100us",
 * "2s") to nanoseconds, rates ("25Gbit", "3.2GB/s") to per-second figures. Each parser returns
 * `undefined` for text it cannot read, so the caller can say which file, line or field was wrong.
 *
 * Each notation's grammar is one regex source, exported so that a JSON Schema `pattern` (which has no
 * flags) is built from the very text the parser runs: a value one accepts, the other accepts. The
 * sources are case-insensitive by spelling ("[kK]"), not by the `i` flag, for the same reason.
 */

/** A regex source matching `word` in any case of its ASCII letters (others as they are). */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('');
}

/** A decimal number as the notations write it: "4", "3.84", ".5". */
const NUMBER_SOURCE = String.raw`(\d+(?:\.\d+)?|\.\d+)`;

const SIZE_POWER: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/**
 * A size in fio's notation ("4k", "16KiB", "3.84T", "512"): groups are the number, the unit letter, the
 * "i" (only after a unit letter) and the "b".
 */
export const SIZE_SOURCE = String.raw`^\s*${NUMBER_SOURCE}\s*(?:([kmgtpeKMGTPE])([iI]?))?([bB]?)\s*$`;
const SIZE_REGEX = new RegExp(SIZE_SOURCE);

/**
 * An I/O size as a perf tier prices its guarantee, as fio's bs is usually written: a whole number of
 * bytes, or of k or m (binary), an optional b ("4k", "128K", "1m", "512"). Not the IEC forms: fio reads
 * "4KiB" as 4000 bytes (kb_base=1024 flips the IEC prefixes), so they would mean other sizes there.
 */
export const IO_SIZE_SOURCE = String.raw`^\s*\d+\s*[kKmM]?[bB]?\s*$`;

/**
 * Parses a size the way fio does, in bytes. With `kbBase` 1024 (fio's default) `4k`, `4K` and `4KB` are
 * 4096 and, for compatibility, `4KiB` is 4000; `kbBase` 1000 swaps the two. A bare number is bytes.
 */
export function parseSize(text: string, kbBase: 1000 | 1024 = 1024): number | undefined {
  const m = SIZE_REGEX.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const base = m[3] ? (kbBase === 1024 ? 1000 : 1024) : kbBase;
  const value = Number(m[1]) * base ** SIZE_POWER[unit]!;
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

const TIME_NS: Record<string, number> = {
  ns: 1,
  nsec: 1,
  us: 1e3,
  usec: 1e3,
  µs: 1e3,
  ms: 1e6,
  msec: 1e6,
  s: 1e9,
  sec: 1e9,
  m: 60e9,
  min: 60e9,
  h: 3600e9,
  hr: 3600e9,
  d: 86400e9,
};

/** The duration units, longest first so that "msec" is not read as "ms" and a stray "ec". */
const TIME_UNIT_SOURCE = Object.keys(TIME_NS)
  .sort((a, b) => b.length - a.length)
  .map(anyCase)
  .join('|');

/**
 * A duration ("75us", "3.8ms", "2e3", "5 min"): groups are the number, the power of ten after "e", and
 * the unit (any of the units above, any letter case; none means the caller's default unit).
 */
export const DURATION_SOURCE = String.raw`^\s*${NUMBER_SOURCE}(?:[eE]([+-]?\d+))?\s*(${TIME_UNIT_SOURCE})?\s*$`;
const DURATION_REGEX = new RegExp(DURATION_SOURCE);

/**
 * Parses a duration to nanoseconds. A bare number is in `defaultUnit` (fio's `runtime` and `ramp_time`
 * are in seconds; profile fields say their own unit).
 */
export function parseDuration(text: string, defaultUnit: 'ns' | 'us' | 'ms' | 's' = 's'): number | undefined {
  const m = DURATION_REGEX.exec(text);
  if (!m) return undefined;
  const scale = TIME_NS[(m[3] || defaultUnit).toLowerCase()]!;
  return Number(m[1]) * 10 ** Number(m[2] ?? 0) * scale;
}

const DECIMAL_POWER: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };

/** A bit rate ("25Gbit", "10G", "100Mbit/s"): groups are the number and the decimal prefix. */
export const BIT_RATE_SOURCE = String.raw`^\s*(\d+(?:\.\d+)?)\s*([kmgtKMGT]?)(?:${anyCase('bit')}|${anyCase('bps')}|[bB])?(?:/[sS])?\s*$`;
const BIT_RATE_REGEX = new RegExp(BIT_RATE_SOURCE);

/** A byte rate ("3.94GB/s", "800MB", "1GiB/s"): groups are the number, the prefix and the "i". */
export const BYTE_RATE_SOURCE = String.raw`^\s*(\d+(?:\.\d+)?)\s*([kmgtKMGT]?)([iI]?)[bB]?(?:/[sS])?\s*$`;
const BYTE_RATE_REGEX = new RegExp(BYTE_RATE_SOURCE);

/** Parses a link or network rate ("25Gbit", "10G", "100Mbit/s") to bits per second (decimal prefixes). */
export function parseBitRate(text: string): number | undefined {
  const m = BIT_RATE_REGEX.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * DECIMAL_POWER[m[2]!.toLowerCase()]!;
}

/** Parses a byte rate ("3.2GB/s", "500MiB/s", "800MB") to bytes per second; decimal unless it says "i". */
export function parseByteRate(text: string): number | undefined {
  const m = BYTE_RATE_REGEX.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  if (m[3]) return Number(m[1]) * 1024 ** SIZE_POWER[unit]!;
  return Number(m[1]) * DECIMAL_POWER[unit]!;
}

/**
 * A Kubernetes quantity ("500m", "2Gi", "1.5", "128974848", "129M", "1e3"): groups are the number, the power of
 * ten after "e" and the suffix (binary Ki..Ei, or decimal m, k, K, M, G, T, P, E).
 */
export const QUANTITY_SOURCE = String.raw`^\s*(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?([KMGTPE]i|[mkKMGTPE])?\s*$`;
const QUANTITY_REGEX = new RegExp(QUANTITY_SOURCE);
const QUANTITY_BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const QUANTITY_DECIMAL: Record<string, number> = { m: 1e-3, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity as a plain number (cpu "500m" -> 0.5, memory "2Gi" -> 2147483648), or undefined. */
export function parseQuantity(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const m = QUANTITY_REGEX.exec(text);
  if (!m) return undefined;
  const scale = m[3] ? (QUANTITY_BINARY[m[3]] ?? QUANTITY_DECIMAL[m[3]]!) : 1;
  const value = Number(m[1]) * 10 ** Number(m[2] ?? 0) * scale;
  // "1e999" overflows to Infinity: not a quantity any field can hold.
  return Number.isFinite(value) ? value : undefined;
}

/** Three significant digits; from 999.5 up, the whole number (toPrecision would write "1.00e+3"). */
function threeDigits(x: number): string {
  return Math.abs(x) >= 999.5 ? x.toFixed(0) : x.toPrecision(3);
}

/**
 * `value` in the largest unit of `units` (divisor, suffix; ascending) it reaches once rounded to three
 * digits, so 999,999 ns is "1.00 ms", not "1.00e+3 us".
 */
function inUnits(value: number, units: readonly (readonly [number, string])[]): string {
  let i = 0;
  while (i < units.length - 1 && Math.abs(value) >= units[i + 1]![0] * 0.9995) i++;
  const [divisor, suffix] = units[i]!;
  return `${threeDigits(value / divisor)}${suffix}`;
}

const DURATION_UNITS = [
  [1e3, ' us'],
  [1e6, ' ms'],
  [1e9, ' s'],
] as const;

/** Formats nanoseconds for people: "850 ns", "12.3 us", "4.56 ms", "1.20 s". */
export function formatDuration(ns: number): string {
  if (Math.abs(ns) < 999.5) return `${ns.toFixed(0)} ns`;
  return inUnits(ns, DURATION_UNITS);
}

const RATE_UNITS = [
  [1, ''],
  [1e3, 'k'],
  [1e6, 'M'],
] as const;

/** Formats a count per second for people: "645k", "1.20M". */
export function formatRate(perSecond: number): string {
  return inUnits(perSecond, RATE_UNITS);
}

const BIT_RATE_UNITS = [
  [1, ' bit/s'],
  [1e3, ' kbit/s'],
  [1e6, ' Mbit/s'],
  [1e9, ' Gbit/s'],
] as const;

/** Formats bits per second for people: "250 Mbit/s", "4.00 Gbit/s". */
export function formatBitRate(bits_per_s: number): string {
  return inUnits(bits_per_s, BIT_RATE_UNITS);
}

/** Formats bytes per second in fio's style: binary units, "MiB/s" (1000 to 1023 of a unit as whole numbers, as fio does). */
export function formatByteRate(bytesPerSecond: number): string {
  const units = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s', 'TiB/s'];
  let v = bytesPerSecond;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${threeDigits(v)} ${units[i]}`;
}
