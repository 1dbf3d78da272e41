/**
 * Patterns and ranged fields shared by device parameter schemas, so a profile's bad value is caught with
 * its path. A ranged field is a string schema with a `format` that reads the value in base units and
 * checks it against the range the model can run (a rate of 0 would divide by zero, a huge size would
 * loop or overflow); `allowed` says that range in words for the error message and `anvil devices`.
 */
import { FormatRegistry, Type, type TString } from '@sinclair/typebox';
import { BYTE_RATE_SOURCE, DURATION_SOURCE, SIZE_SOURCE, parseByteRate, parseDuration, parseSize } from '../core/units.js';

/** The range of a ranged field, in the field's base unit (ns, bytes, bytes per second). */
export interface FieldRange {
  /** Smallest value allowed. */
  readonly min: number;
  /** When true the minimum itself is refused (a rate or size the model divides by must be > 0). */
  readonly minExclusive?: boolean;
  /** Largest value allowed. */
  readonly max: number;
}

type Quantity = 'duration' | 'size' | 'byte rate';

/**
 * How each quantity is read. `pattern` is the parser's own grammar (units.ts), so the schema refuses
 * exactly the text the parser cannot read (any letter case, every unit it knows).
 */
const READERS: Record<Quantity, { parse: (text: string) => number | undefined; pattern: string; show: (v: number) => string }> = {
  duration: { parse: (t) => parseDuration(t, 'ns'), pattern: DURATION_SOURCE, show: showDuration },
  size: { parse: (t) => parseSize(t), pattern: SIZE_SOURCE, show: showSize },
  'byte rate': {
    parse: parseByteRate,
    pattern: BYTE_RATE_SOURCE,
    show: (v) => (v === 0 ? '0' : v >= 1e9 ? `${v / 1e9}GB/s` : v >= 1e6 ? `${v / 1e6}MB/s` : `${v / 1e3}kB/s`),
  },
};

/** Bytes in fio's notation where exact ("1M" = 1048576), else the number of bytes. */
function showSize(bytes: number): string {
  for (const [unit, scale] of [
    ['P', 2 ** 50],
    ['T', 2 ** 40],
    ['G', 2 ** 30],
    ['M', 2 ** 20],
    ['K', 2 ** 10],
  ] as const) {
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return bytes === 0 ? '0' : `${bytes} bytes`;
}

function showDuration(ns: number): string {
  if (ns === 0) return '0';
  if (ns >= 1e9) return `${ns / 1e9}s`;
  if (ns >= 1e6) return `${ns / 1e6}ms`;
  if (ns >= 1e3) return `${ns / 1e3}us`;
  return `${ns}ns`;
}

/** The words for a range: "a byte rate greater than 0 and at most 1000GB/s". */
function allowedText(quantity: Quantity, range: FieldRange): string {
  const show = READERS[quantity].show;
  const low = range.minExclusive ? `greater than ${show(range.min)}` : `at least ${show(range.min)}`;
  return `a ${quantity} ${low} and at most ${show(range.max)}`;
}

/** Registers (once) the format that reads a quantity and checks its range; returns the format's name. */
function rangedFormat(quantity: Quantity, range: FieldRange): string {
  const name = `anvil-${quantity.replace(' ', '-')}:${range.minExclusive ? '(' : '['}${range.min},${range.max}]`;
  if (!FormatRegistry.Has(name)) {
    const { parse } = READERS[quantity];
    FormatRegistry.Set(name, (text) => {
      const v = parse(text);
      if (v === undefined || !Number.isFinite(v)) return false;
      return (range.minExclusive ? v > range.min : v >= range.min) && v <= range.max;
    });
  }
  return name;
}

/** The schema options a ranged string field is made with (it also carries `allowed`, `quantity` and `range`). */
export interface RangedOptions {
  readonly description: string;
  readonly default?: string;
}

/** A string field holding a quantity within `range`; `allowed` on the schema says the range in words. */
export function rangedString(quantity: Quantity, range: FieldRange, options: RangedOptions): TString {
  const allowed = allowedText(quantity, range);
  return Type.String({
    pattern: READERS[quantity].pattern,
    format: rangedFormat(quantity, range),
    ...options,
    description: `${options.description}; ${allowed}`,
    allowed,
    quantity,
    range,
  });
}

/** A duration field within `range` (ns). */
export const rangedDuration = (range: FieldRange, options: RangedOptions) => rangedString('duration', range, options);
/** A size field within `range` (bytes). */
export const rangedSize = (range: FieldRange, options: RangedOptions) => rangedString('size', range, options);
/** A byte-rate field within `range` (bytes per second). */
export const rangedByteRate = (range: FieldRange, options: RangedOptions) => rangedString('byte rate', range, options);

/** Common ranges. Service times above 10 s and rates above 1 TB/s describe no device the model is for. */
export const RANGES = {
  /** A time the model waits (latency, command time): 0 to 10 s. */
  time: { min: 0, max: 10e9 },
  /** A time the model divides by or needs to advance (a mean service time of a lognormal): above 0, to 10 s. */
  positiveTime: { min: 0, minExclusive: true, max: 10e9 },
  /** A transfer rate the model divides by: at least 1 kB/s (so 0 is refused), at most 1 TB/s. */
  rate: { min: 1e3, max: 1e12 },
  /** A device's capacity: above 0, at most 1 PiB (offsets stay exact integers). */
  capacity: { min: 0, minExclusive: true, max: 2 ** 50 },
} as const satisfies Record<string, FieldRange>;
