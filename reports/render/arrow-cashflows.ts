/** The cash flows as an Arrow IPC file (one row per cost line, stack and year), readable from Polars, pandas or DuckDB. */
import { Field, RecordBatch, Schema, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import type { CashFlowRow } from './report-data.js';
import { TCO_SCHEMA_VERSION } from './report-data.js';

const COLUMNS: readonly [keyof CashFlowRow, 'utf8' | 'f64' | 'i32', string][] = [
  ['stack', 'utf8', 'stack id'],
  ['stack_label', 'utf8', 'stack name as the report shows it'],
  ['year', 'i32', 'year of the horizon, from 0'],
  ['category', 'utf8', 'capital, licences, support, power_space, staff or one_time'],
  ['line', 'utf8', 'what the cost is'],
  ['timing', 'utf8', 'upfront (start of the year) or spread (evenly over its months)'],
  ['cost_usd', 'f64', 'cost in the year, USD, undiscounted'],
  ['discount_factor', 'f64', 'present value of one dollar of this line'],
  ['present_value_usd', 'f64', 'cost_usd x discount_factor'],
];

export function cashFlowsArrow(
  rows: readonly CashFlowRow[],
  meta: { anvilVersion: string; scenario: string; seed: number; discountRate: number },
): Uint8Array {
  const vectors = Object.fromEntries(
    COLUMNS.map(([name, type]) => {
      const values = rows.map((r) => r[name]);
      if (type === 'utf8') return [name, vectorFromArray(values as string[], new Utf8())];
      return [name, makeVector(type === 'i32' ? Int32Array.from(values as number[]) : Float64Array.from(values as number[]))];
    }),
  );
  const plain = new Table(vectors);
  const metadata = new Map([
    ['anvil_tco_schema_version', `${TCO_SCHEMA_VERSION}`],
    ['anvil_version', meta.anvilVersion],
    ['scenario', meta.scenario],
    ['seed', `${meta.seed}`],
    ['discount_rate', `${meta.discountRate}`],
  ]);
  const schema = new Schema(
    plain.schema.fields.map((f, i) => new Field(f.name, f.type, false, new Map([['description', COLUMNS[i]![2]]]))),
    metadata,
  );
  return tableToIPC(
    new Table(
      schema,
      plain.batches.map((b) => new RecordBatch(schema, b.data)),
    ),
    'file',
  );
}
