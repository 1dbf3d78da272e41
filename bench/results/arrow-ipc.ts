/**
 * Columns (table-columns.ts) as an Arrow IPC file: each field with its description, the run's metadata
 * on the schema. Every Arrow table Anvil writes goes through `toIpc`, so a column type means one thing.
 */
import { createRequire } from 'node:module';
import type { Vector } from 'apache-arrow';
import type { BuiltColumn, TextRuns } from './column-builder.js';
import type { Column } from './table-columns.js';

/**
 * apache-arrow as its own one-file build (`Arrow.esnext.min.js`, exported as `apache-arrow/Arrow.esnext.min`):
 * the same library as its ES modules, writing the same bytes (test/bench/arrow-bundle.test.ts holds them to
 * the ES build's), loaded in about 20 ms of CPU instead of 120-160 ms for 148 modules (one table written, node
 * 20, 2026-12-05). Nothing made here leaves this module but bytes, so its classes never meet the ES build's.
 */
type ArrowUsed = Pick<
  typeof import('apache-arrow'),
  'Field' | 'Int64' | 'RecordBatch' | 'Schema' | 'Table' | 'Utf8' | 'makeData' | 'makeVector' | 'tableToIPC' | 'vectorFromArray'
>;
const { Field, Int64, RecordBatch, Schema, Table, Utf8, makeData, makeVector, tableToIPC, vectorFromArray } = createRequire(
  import.meta.url,
)('apache-arrow/Arrow.esnext.min') as ArrowUsed;

const TWO_TO_32 = 2 ** 32;

/**
 * Whole numbers as Int64 values, written as two 32-bit halves (little-endian, as Arrow's buffers are):
 * the bytes `BigInt64Array.from(nums, BigInt)` gives, without a bigint per value; undefined when a value is
 * not a finite number below 2^53 in magnitude (the caller then takes bigints), where `hi * 2^32 + lo`
 * stops being exact. Checking and writing in one pass: the tables' columns are written once each.
 */
function int64ArrayIfSafe(nums: ArrayLike<number>): BigInt64Array | undefined {
  const out = new BigInt64Array(nums.length);
  const lo = new Uint32Array(out.buffer);
  const hi = new Int32Array(out.buffer);
  for (let i = 0; i < nums.length; i++) {
    const raw = nums[i]!;
    if (!(Number.isFinite(raw) && Math.abs(raw) < Number.MAX_SAFE_INTEGER)) return undefined;
    const v = Math.round(raw);
    const high = Math.floor(v / TWO_TO_32);
    lo[2 * i] = v - high * TWO_TO_32;
    hi[2 * i + 1] = high;
  }
  return out;
}

/**
 * A utf8 column without Arrow's builder (which encodes every value and grows its buffers one append at a
 * time): each distinct string is encoded once (a table repeats job names, directions and labels on every
 * row), then the offsets and bytes are laid out. The IPC writer writes the same two buffers either way.
 */
function utf8Vector(values: readonly string[]): Vector {
  const encoder = new TextEncoder();
  const encoded = new Map<string, Uint8Array>();
  const parts: Uint8Array[] = new Array<Uint8Array>(values.length);
  const offsets = new Int32Array(values.length + 1);
  let bytes = 0;
  // Rows come in runs of one job and direction: a value like the row before's reuses its bytes without a lookup.
  let previous: string | undefined;
  let part: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value !== previous) {
      const known = encoded.get(value);
      if (known === undefined) {
        part = encoder.encode(value);
        encoded.set(value, part);
      } else part = known;
      previous = value;
    }
    parts[i] = part;
    bytes += part.length;
    offsets[i + 1] = bytes;
  }
  const data = new Uint8Array(bytes);
  for (let i = 0; i < values.length; i++) data.set(parts[i]!, offsets[i]!);
  return makeVector(makeData({ type: new Utf8(), length: values.length, nullCount: 0, valueOffsets: offsets, data }));
}

/** A utf8 column of runs of one value (column-builder.ts): the bytes `utf8Vector` lays out for the same rows. */
function utf8RunsVector(runs: TextRuns): Vector {
  const encoder = new TextEncoder();
  const encoded = new Map<string, Uint8Array>();
  const parts = runs.values.map((v) => {
    let part = encoded.get(v);
    if (part === undefined) encoded.set(v, (part = encoder.encode(v)));
    return part;
  });
  const rows = runs.ends.length > 0 ? runs.ends[runs.ends.length - 1]! : 0;
  let bytes = 0;
  let start = 0;
  for (let k = 0; k < parts.length; k++) {
    bytes += parts[k]!.length * (runs.ends[k]! - start);
    start = runs.ends[k]!;
  }
  const offsets = new Int32Array(rows + 1);
  const data = new Uint8Array(bytes);
  let row = 0;
  let at = 0;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    const count = runs.ends[k]! - row;
    if (count === 0) continue;
    // The run's bytes: the value once, then what is written so far doubled (one copy per doubling, not per row).
    const end = at + part.length * count;
    data.set(part, at);
    for (let filled = part.length; at + filled < end; filled *= 2) data.copyWithin(at + filled, at, Math.min(at + filled, end - filled));
    for (let i = 1; i <= count; i++) offsets[row + i] = at + i * part.length;
    row += count;
    at = end;
  }
  return makeVector(makeData({ type: new Utf8(), length: rows, nullCount: 0, valueOffsets: offsets, data }));
}

/** An integer column's values as bigints; a missing value (NaN, e.g. a merged table's absent job column) is null. */
function int64Values(values: readonly (string | number)[] | Float64Array): { vector: Vector; nullable: boolean } {
  const nums = values as ArrayLike<number>;
  // Counts and ns times are whole by construction; rounding only drops a host log's sub-ns fraction.
  const safe = int64ArrayIfSafe(nums);
  if (safe) return { vector: makeVector(safe), nullable: false };
  let finite = true;
  for (let i = 0; i < nums.length && finite; i++) finite = Number.isFinite(nums[i]);
  if (finite) return { vector: makeVector(BigInt64Array.from(nums, (v) => BigInt(Math.round(v)))), nullable: false };
  return {
    vector: vectorFromArray(
      Array.from(nums, (v) => (Number.isFinite(v) ? BigInt(Math.round(v)) : null)),
      new Int64(),
    ),
    nullable: true,
  };
}

function vectorOf(col: Column | BuiltColumn): { vector: Vector; nullable: boolean } {
  if ('numbers' in col) {
    if (col.type === 'i64') return int64Values(col.numbers);
    return { vector: makeVector(col.type === 'i32' ? Int32Array.from(col.numbers) : col.numbers), nullable: false };
  }
  if ('runs' in col) return { vector: utf8RunsVector(col.runs), nullable: false };
  switch (col.type) {
    case 'utf8':
      // A value that is not a string (none should be) goes through the builder, which converts it as before.
      if (col.values.every((v) => typeof v === 'string')) return { vector: utf8Vector(col.values as string[]), nullable: false };
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
export function toIpc(cols: readonly (Column | BuiltColumn)[], metadata: ReadonlyMap<string, string>): Uint8Array {
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
