/**
 * Columns (table-columns.ts) as an Arrow IPC file: each field with its description, the run's metadata
 * on the schema. Every Arrow table Anvil writes goes through `toIpc`, so a column type means one thing.
 */
import { Field, Int64, RecordBatch, Schema, Table, Utf8, makeVector, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import type { Column } from './table-columns.js';

/** An integer column's values as bigints; a missing value (NaN, e.g. a merged table's absent job column) is null. */
function int64Values(values: readonly (string | number)[]): { vector: Vector; nullable: boolean } {
  const nums = values as readonly number[];
  // Counts and ns times are whole by construction; rounding only drops a host log's sub-ns fraction.
  if (nums.every(Number.isFinite)) return { vector: makeVector(BigInt64Array.from(nums, (v) => BigInt(Math.round(v)))), nullable: false };
  return {
    vector: vectorFromArray(
      nums.map((v) => (Number.isFinite(v) ? BigInt(Math.round(v)) : null)),
      new Int64(),
    ),
    nullable: true,
  };
}

function vectorOf(col: Column): { vector: Vector; nullable: boolean } {
  switch (col.type) {
    case 'utf8':
      return { vector: vectorFromArray(col.values as string[], new Utf8()), nullable: false };
    case 'i32':
      return { vector: makeVector(Int32Array.from(col.values as number[])), nullable: false };
    case 'i64':
      return int64Values(col.values);
    case 'f64':
      return { vector: makeVector(Float64Array.from(col.values as number[])), nullable: false };
  }
}

/** An Arrow IPC file (file format) of `cols`, each field with its description, `metadata` on the schema. */
export function toIpc(cols: readonly Column[], metadata: ReadonlyMap<string, string>): Uint8Array {
  const built = cols.map(vectorOf);
  const plain = new Table(Object.fromEntries(cols.map((col, i) => [col.name, built[i]!.vector])));
  // Same columns, with each field's description and the run's metadata on the schema.
  const schema = new Schema(
    plain.schema.fields.map((f, i) => new Field(f.name, f.type, built[i]!.nullable, new Map([['description', cols[i]!.doc]]))),
    new Map(metadata),
  );
  const batches = plain.batches.map((b) => new RecordBatch(schema, b.data));
  return tableToIPC(new Table(schema, batches), 'file');
}
