/**
 * What a section of `npm run bench` is: a name and a `run` that returns rows of figures. `run.ts` lists
 * the sections, runs them in order and prints their rows as one table (or JSON with `--json`). A
 * section measures; it never fails on a figure. A target turns into PASS or BELOW, nothing more.
 */

/** A threshold a figure is compared against: PASS when `value >= min` (or, for a time, `value <= max`), else BELOW. */
export interface Target {
  /** `value >= min`, in the row's unit. */
  min?: number;
  /** `value <= max`, in the row's unit (a latency). */
  max?: number;
  /** Where the target comes from, e.g. "issue: >= 4M customers/s on one core". */
  source: string;
}

/** One figure. */
export interface Row {
  /** What was measured, short: "M/M/1, JS kernel". */
  name: string;
  /** The figure, or null when it could not be measured (see `note`). */
  value: number | null;
  /** Unit of `value`: "customers/s", "ns/op", "x" (a ratio), "ns". */
  unit: string;
  /** How it was measured, or why it was skipped. */
  note?: string;
  target?: Target;
}

export type Verdict = 'PASS' | 'BELOW' | 'SKIPPED';

export interface SectionOptions {
  /** Smaller runs: a smoke test of the bench itself, figures not comparable. */
  quick: boolean;
  /** Progress for the human watching (stderr), never part of the figures. */
  log(message: string): void;
}

export interface BenchSection {
  /** Short name, used by `--only` and as the first column. */
  name: string;
  /** One line on what the section measures. */
  description: string;
  run(options: SectionOptions): Promise<Row[]>;
}

export function verdictOf(row: Row): Verdict | undefined {
  if (!row.target) return undefined;
  if (row.value === null || !Number.isFinite(row.value)) return 'SKIPPED';
  const { min, max } = row.target;
  return (min === undefined || row.value >= min) && (max === undefined || row.value <= max) ? 'PASS' : 'BELOW';
}

/** Formats a figure for the table: "5.52M", "812k", "6.3", "0.51". */
export function formatValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '-';
  if (unit === 'x') return value.toFixed(2);
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Thousands separators for numbers in notes: 20000000 -> "20,000,000". */
export function grouped(value: number, fractionDigits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
}
