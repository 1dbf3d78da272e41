/**
 * Building a table's columns row by row, without loading apache-arrow (arrow-tables.ts turns them into IPC
 * files; the cluster's tables import this at start-up and arrow-tables.ts only when they write).
 */
/** A column of a table: its name, type, values (one per row) and the description its field carries. */
export type Column = { name: string; type: 'utf8' | 'f64' | 'i32'; values: (string | number)[]; doc: string };

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
