/**
 * A small Arrow IPC writer for result tables that are plain columns (numbers or text), each with a
 * description, and run metadata on the schema: the network and validation results use it, with the
 * column types and IPC writer of the storage tables (table-columns.ts, arrow-ipc.ts).
 */
import { toIpc } from './arrow-ipc.js';
import type { ColumnType } from './table-columns.js';

export interface ColumnSpec {
  readonly name: string;
  readonly doc: string;
  readonly values: readonly (number | string)[];
  /** Text column (else `type`, or float64). */
  readonly utf8?: boolean;
  /** The column's type when it is not text or float64 (counts and ns times: i64). */
  readonly type?: ColumnType;
}

export function columnTableIpc(cols: readonly ColumnSpec[], metadata: ReadonlyMap<string, string>): Uint8Array {
  return toIpc(
    cols.map((c) => ({ name: c.name, doc: c.doc, values: [...c.values], type: c.utf8 ? 'utf8' : (c.type ?? 'f64') })),
    metadata,
  );
}
