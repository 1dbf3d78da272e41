/**
 * Building a table's columns row by row, without loading apache-arrow (arrow-ipc.ts turns them into IPC
 * files; the cluster's tables import this at start-up and the IPC writer only when they write).
 *
 * The one place column types are named: counts (I/Os, bytes, messages, histogram counts) and times in ns
 * are `i64` (Arrow Int64, signed so Spark and Java readers take them; values are whole by construction),
 * small indexes `i32`, measures that are ratios or statistics (rates, means, percentiles) `f64`.
 */
/** A column type: text, 64-bit float, 32-bit integer (small indexes) or 64-bit integer (counts, ns times). */
export type ColumnType = 'utf8' | 'f64' | 'i32' | 'i64';

/** A column of a table: its name, type, values (one per row) and the description its field carries. */
export type Column = { name: string; type: ColumnType; values: (string | number)[]; doc: string };

/** Empty columns named as `spec`'s keys, each of its type and with its description, in `spec`'s order. */
export function columns<K extends string>(spec: Record<K, [Column['type'], string]>): Record<K, Column> {
  const out = {} as Record<K, Column>;
  for (const name of Object.keys(spec) as K[]) {
    const [type, doc] = spec[name];
    out[name] = { name, type, values: [], doc };
  }
  return out;
}

/** Appends `row` to the columns `c` (one value to each). */
export function push<K extends string>(c: Record<K, Column>, row: Record<K, string | number>): void {
  for (const k of Object.keys(row) as K[]) c[k].values.push(row[k]);
}

/** A value read back from an Arrow column as a number (Int64 columns give bigint; null gives NaN). */
export function numberOf(value: unknown): number {
  if (value === null || value === undefined) return NaN;
  return typeof value === 'bigint' ? Number(value) : (value as number);
}
