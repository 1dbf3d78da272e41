/**
 * The parsers of the CLI's numeric flags, shared by every command: whole numbers stay exact (digits only,
 * within the safe-integer range, never rounded), decimals are plain finite numbers, and each has a range.
 * A bad value is a usage error naming the flag and what is allowed. Each parser is marked numeric, so a
 * test can walk every command's numeric flags (and check that no `<n>`/`<s>` flag goes without one).
 */
import { InvalidArgumentError } from 'commander';
import { isAnvilError } from '../errors.js';
import { rangeText, type NumericRange } from '../domain/limits.js';
import { SEED_MAX } from '../../sim/core/random.js';

const numericParsers = new WeakSet<(...args: never[]) => unknown>();

function numeric<T extends (...args: never[]) => unknown>(parse: T): T {
  numericParsers.add(parse);
  return parse;
}

/** Is this an option parser from this module? */
export function isNumericParser(parse: unknown): boolean {
  return typeof parse === 'function' && numericParsers.has(parse as (...args: never[]) => unknown);
}

const WHOLE = /^\d+$/;
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

/**
 * `value` read as a whole number from `min` to `max` (both included), exactly: digits only and within
 * 2^53 - 1, so "1.0", "1e3", "-1" and a 17-digit number that would round are `undefined`. Every whole-number
 * argument of the CLI (flags, seeds, token ids) is read by this.
 */
export function readWholeNumber(value: string, min: number, max: number): number | undefined {
  const n = Number(value);
  return WHOLE.test(value) && Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A whole number from `min` to `max` (both included; at most 2^53 - 1, exactly). */
export function wholeNumber(min: number, max: number, example?: string) {
  return numeric((value: string): number => {
    const n = readWholeNumber(value, min, max);
    if (n === undefined) throw new InvalidArgumentError(`use a whole number from ${min} to ${max}${example ? `, e.g. ${example}` : ''}`);
    return n;
  });
}

/** A seed of the random streams: a whole number from 0 to 2^53 - 1 (`SEED_MAX`, as a scenario's `seed`). */
export const seed = numeric((value: string): number => {
  const n = readWholeNumber(value, 0, SEED_MAX);
  if (n === undefined) throw new InvalidArgumentError(`a seed is a whole number from 0 to ${SEED_MAX}, e.g. --seed 42`);
  return n;
});

/** A decimal number above `above` (excluded) up to `max` (included), e.g. seconds. */
export function decimalAbove(above: number, max: number, example?: string) {
  return numeric((value: string): number => {
    const n = Number(value);
    if (!DECIMAL.test(value) || !Number.isFinite(n) || n <= above || n > max) {
      throw new InvalidArgumentError(`use a number above ${above} and at most ${max}${example ? `, e.g. ${example}` : ''}`);
    }
    return n;
  });
}

/** A decimal number from `min` to `max` (both included). */
export function decimalFrom(min: number, max: number, example?: string) {
  return numeric((value: string): number => {
    const n = Number(value);
    if (!DECIMAL.test(value) || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`use a number from ${min} to ${max}${example ? `, e.g. ${example}` : ''}`);
    }
    return n;
  });
}

/**
 * A quantity with a unit (a size, a rate, an IOPS count), checked at once by the domain's own parser (the
 * one a server runs too) and, given the domain's range (limits.ts), against that range; the text is kept for
 * the command, which converts it as before.
 */
export function checkedQuantity(parse: (text: string, field: string) => number, field: string, range?: NumericRange) {
  return numeric((value: string): string => {
    let n: number;
    try {
      n = parse(value, field);
    } catch (e) {
      if (isAnvilError(e)) throw new InvalidArgumentError(e.message.replace(`${field} "${value}" is `, ''));
      throw e;
    }
    // Past 2^53 integers are no longer exact: no field of Anvil is meant to hold such a number.
    if (range !== undefined && !(n >= range.min && n <= range.max))
      throw new InvalidArgumentError(`out of range: allowed ${rangeText(range)}`);
    if (!(n <= Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`too large: at most ${Number.MAX_SAFE_INTEGER}`);
    return value;
  });
}

/** Marks a parser of a value with a unit (a size, a rate) as numeric too: it must refuse what is not a number. */
export function numericWithUnit<T extends (...args: never[]) => unknown>(parse: T): T {
  return numeric(parse);
}
