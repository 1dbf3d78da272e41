/**
 * An Arrow IPC file as apache-arrow's ES build writes it from its own builders (vectorFromArray and typed
 * arrays, each field with its description, `metadata` on the schema): what toIpc's files are held to.
 */
import { Field, Int64, RecordBatch, Schema, Table, Utf8, makeVector, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import type { Column } from '../../bench/results/arrow-tables.js';
import type { BuiltColumn } from '../../bench/results/column-builder.js';

/** Every row's value of `col`, as apache-arrow gets them (a run's text repeated over its rows). */
function rowsOf(col: Column | BuiltColumn): (string | number)[] {
  if ('numbers' in col) return Array.from(col.numbers);
  if ('runs' in col) {
    const out: string[] = [];
    col.runs.values.forEach((v, k) => {
      while (out.length < col.runs.ends[k]!) out.push(v);
    });
    return out;
  }
  return col.values;
}

/** The file as the ES build writes it from its own builders. */
export function builderIpc(cols: readonly (Column | BuiltColumn)[], metadata: ReadonlyMap<string, string>): Uint8Array {
  const built = cols.map((col): [Vector, boolean] => {
    const rows = rowsOf(col);
    const nums = rows as number[];
    switch (col.type) {
      case 'utf8':
        return [vectorFromArray(rows as string[], new Utf8()), false];
      case 'i32':
        return [makeVector(Int32Array.from(nums)), false];
      case 'f64':
        return [makeVector(Float64Array.from(nums)), false];
      case 'i64':
        return nums.every(Number.isFinite)
          ? [makeVector(BigInt64Array.from(nums, (v) => BigInt(Math.round(v)))), false]
          : [
              vectorFromArray(
                nums.map((v) => (Number.isFinite(v) ? BigInt(Math.round(v)) : null)),
                new Int64(),
              ),
              true,
            ];
    }
  });
  const plain = new Table(Object.fromEntries(cols.map((col, i) => [col.name, built[i]![0]])));
  const schema = new Schema(
    plain.schema.fields.map((f, i) => new Field(f.name, f.type, built[i]![1], new Map([['description', cols[i]!.doc]]))),
    new Map(metadata),
  );
  return tableToIPC(
    new Table(
      schema,
      plain.batches.map((b) => new RecordBatch(schema, b.data)),
    ),
    'file',
  );
}
