/**
 * The one place where human input becomes numbers: sizes ("4k", "1MiB") to bytes, durations ("100us",
 * "2s") to nanoseconds, rates ("25Gbit", "3.2GB/s") to per-second figures. Each parser returns
 * `undefined` for text it cannot read, so the caller can say which file, line or field was wrong.
 */

const SIZE_POWER: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/**
 * Parses a size the way fio does, in bytes. With `kbBase` 1024 (fio's default) `4k`, `4K` and `4KB` are
 * 4096 and, for compatibility, `4KiB` is 4000; `kbBase` 1000 swaps the two. A bare number is bytes.
 */
export function parseSize(text: string, kbBase: 1000 | 1024 = 1024): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmgtpe]?)(i?)(b?)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  if (m[3] && !unit) return undefined; // "4ib"
  const base = m[3] ? (kbBase === 1024 ? 1000 : 1024) : kbBase;
  const value = Number(m[1]) * base ** SIZE_POWER[unit]!;
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

const TIME_NS: Record<string, number> = {
  ns: 1, nsec: 1, us: 1e3, usec: 1e3, 'µs': 1e3, ms: 1e6, msec: 1e6,
  s: 1e9, sec: 1e9, m: 60e9, min: 60e9, h: 3600e9, hr: 3600e9, d: 86400e9,
};

/**
 * Parses a duration to nanoseconds. A bare number is in `defaultUnit` (fio's `runtime` and `ramp_time`
 * are in seconds; profile fields say their own unit).
 */
export function parseDuration(text: string, defaultUnit: 'ns' | 'us' | 'ms' | 's' = 's'): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)(?:e([+-]?\d+))?\s*([a-zµ]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[3] || defaultUnit).toLowerCase();
  const scale = TIME_NS[unit];
  if (scale === undefined) return undefined;
  return Number(m[1]) * 10 ** Number(m[2] ?? 0) * scale;
}

const DECIMAL_POWER: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };

/** Parses a link or network rate ("25Gbit", "10G", "100Mbit/s") to bits per second (decimal prefixes). */
export function parseBitRate(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:bit|bps|b)?(?:\/s)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * DECIMAL_POWER[m[2]!.toLowerCase()]!;
}

/** Parses a byte rate ("3.2GB/s", "500MiB/s", "800MB") to bytes per second; decimal unless it says "i". */
export function parseByteRate(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?(?:\/s)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  if (m[3]) return Number(m[1]) * 1024 ** SIZE_POWER[unit]!;
  return Number(m[1]) * DECIMAL_POWER[unit]!;
}

/** Formats nanoseconds for people: "850 ns", "12.3 us", "4.56 ms", "1.20 s". */
export function formatDuration(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

/** Formats a count per second for people: "645k", "1.20M". */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toPrecision(3)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toPrecision(3)}k`;
  return perSecond.toPrecision(3);
}

/** Formats bytes per second in fio's style: binary units, "MiB/s". */
export function formatByteRate(bytesPerSecond: number): string {
  const units = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s', 'TiB/s'];
  let v = bytesPerSecond;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toPrecision(3)} ${units[i]}`;
}
