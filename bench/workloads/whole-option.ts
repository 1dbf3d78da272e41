/** A whole-number fio option in a range, read the one way every option table reads it. */

/**
 * Reads `value` as a whole number in min..max: the number, or the problem (naming the option and the
 * range, and `why` the range is what it is where that helps) for the line's error.
 */
export function readWhole(name: string, value: string | undefined, min: number, max: number, why?: string): number | string {
  const text = (value ?? '').trim();
  if (!/^\d+$/.test(text)) return `${name}=${value ?? ''} is not a whole number (use ${min}..${max})`;
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < min || v > max) return `${name}=${text} is out of range; use ${min}..${max}${why ? ` (${why})` : ''}`;
  return v;
}
