/**
 * A small Arrow IPC writer for result tables that are plain columns (numbers or text), each with a
 * description, and run metadata on the schema: the network and validation results use it, in the
 * same style as the storage tables of `arrow-tables.ts`.
 */
import { Field, RecordBatch, Schema, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';

export interface ColumnSpec {
  readonly name: string;
  readonly doc: string;
  readonly values: readonly (number | string)[];
  /** Text column (else float64). */
  readonly utf8?: boolean;
}

export function columnTableIpc(cols: readonly ColumnSpec[], metadata: ReadonlyMap<string, string>): Uint8Array {
  const plain = new Table(
    Object.fromEntries(
      cols.map((c) => [
        c.name,
        c.utf8 ? vectorFromArray(c.values as string[], new Utf8()) : makeVector(Float64Array.from(c.values as number[])),
      ]),
    ),
  );
  const schema = new Schema(
    plain.schema.fields.map((f, i) => new Field(f.name, f.type, false, new Map([['description', cols[i]!.doc]]))),
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
