/**
 * A run's tables built column by column (arrow-tables.ts): the rows are counted first, every number column
 * is one typed array of that length, and a text column is its runs of rows of one value (a table repeats
 * the job's name, direction and labels over all of a job and direction's rows). Building row by row (one
 * object per row, one push per column) cost the 1M-IOPS node's run about 0.1 s of CPU for its 25K rows;
 * arrow-ipc.ts writes these columns with the same bytes as the row-by-row ones.
 */
import type { ColumnType } from './table-columns.js';

/** Text in runs of rows of one value: run i holds `values[i]` on the rows from the run before's end to `ends[i]`. */
export interface TextRuns {
  readonly values: readonly string[];
  /** Each run's end, a row index (exclusive), rising. */
  readonly ends: readonly number[];
}

/** A column built whole: numbers in a typed array (one per row), text as runs. */
export type BuiltColumn =
  | { readonly name: string; readonly type: Exclude<ColumnType, 'utf8'>; readonly doc: string; readonly numbers: Float64Array }
  | { readonly name: string; readonly type: 'utf8'; readonly doc: string; readonly runs: TextRuns };

/** A table's spec: each column's type and description, in order. */
export type TableSpec = Record<string, [ColumnType, string]>;

/** The number columns of a spec by name, each the table's length. */
export type NumberColumns<S extends TableSpec> = { [K in keyof S as S[K][0] extends 'utf8' ? never : K]: Float64Array };

/** A block of a table's rows: how many, its text values by column name, and how to write its numbers. */
export interface RowBlock<S extends TableSpec> {
  readonly rows: number;
  /** One value per text column (the spec's and the labels), by name. */
  readonly text: Readonly<Record<string, string>>;
  /** Writes the block's rows of every number column, from row `at`. */
  readonly fill: (n: NumberColumns<S>, at: number) => void;
}

/**
 * The columns of `spec`, with a text column per key of `labels` after `job` (described `job label KEY`),
 * holding `blocks`' rows in order.
 */
export function buildColumns<S extends TableSpec>(spec: S, labels: readonly string[], blocks: readonly RowBlock<S>[]): BuiltColumn[] {
  const order: [string, ColumnType, string][] = [];
  for (const [name, [type, doc]] of Object.entries(spec)) {
    order.push([name, type, doc]);
    if (name === 'job') for (const k of labels) order.push([k, 'utf8', `job label ${k}`]);
  }
  let rows = 0;
  for (const b of blocks) rows += b.rows;
  // Maps, not objects: a label key may look like an index ("1"), which an object would move to the front.
  const numbers: Record<string, Float64Array> = {};
  const runs = new Map<string, { values: string[]; ends: number[] }>();
  for (const [name, type] of order) {
    if (type === 'utf8') runs.set(name, { values: [], ends: [] });
    else numbers[name] = new Float64Array(rows);
  }
  let at = 0;
  for (const b of blocks) {
    if (b.rows === 0) continue;
    b.fill(numbers as NumberColumns<S>, at);
    at += b.rows;
    for (const [name, r] of runs) {
      const value = b.text[name];
      if (value === undefined) throw new RangeError(`text column ${name} has no value for a block of rows`);
      // A block with the value of the run before extends that run.
      if (r.values.length > 0 && r.values[r.values.length - 1] === value) r.ends[r.ends.length - 1] = at;
      else {
        r.values.push(value);
        r.ends.push(at);
      }
    }
  }
  return order.map(([name, type, doc]) =>
    type === 'utf8' ? { name, type, doc, runs: runs.get(name)! } : { name, type, doc, numbers: numbers[name]! },
  );
}
