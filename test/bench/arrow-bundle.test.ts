/**
 * toIpc writes its files with apache-arrow's one-file build (bench/results/arrow-ipc.ts): they must be the
 * files its ES build (the one Anvil's readers and this test import) writes for the same table through its
 * plain builders, byte for byte, for every column type and kind (values, typed numbers, text in runs), any number
 * of rows (none too), any names, descriptions and metadata, and a table with a null.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIpc, type Column } from '../../bench/results/arrow-tables.js';
import type { BuiltColumn } from '../../bench/results/column-builder.js';
import { builderIpc } from './arrow-reference.js';

const text = fc.oneof(fc.constantFrom('', 'read', 'write', 'db-0', 'zone/ä€𝄞'), fc.string({ maxLength: 40 }));
const whole = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.constantFrom(0, -1, 2 ** 32, -(2 ** 32), 2 ** 52 + 1, 2 ** 60, -(2 ** 62)),
);
const column = (rows: number, name: string) =>
  fc
    .oneof(
      fc.record({ type: fc.constant('utf8' as const), values: fc.array(text, { minLength: rows, maxLength: rows }) }),
      fc
        .array(fc.tuple(text, fc.integer({ min: 0, max: 9 })), { maxLength: 8 })
        .map((runs) => {
          const ends = runs.map(([, n]) => n);
          for (let k = 1; k < ends.length; k++) ends[k]! += ends[k - 1]!;
          const scale = ends.length > 0 && ends[ends.length - 1]! > 0 ? rows / ends[ends.length - 1]! : 0;
          const scaled = ends.map((e, k) => (k === ends.length - 1 ? rows : Math.floor(e * scale)));
          return { type: 'utf8' as const, runs: { values: runs.map(([v]) => v), ends: rows === 0 ? scaled.map(() => 0) : scaled } };
        })
        .filter((c) => c.runs.ends.length > 0 || rows === 0),
      fc.record({ type: fc.constantFrom('i32' as const, 'i64' as const), values: fc.array(whole, { minLength: rows, maxLength: rows }) }),
      fc.record({ type: fc.constant('f64' as const), values: fc.array(fc.double({ noNaN: true }), { minLength: rows, maxLength: rows }) }),
      fc
        .record({
          type: fc.constantFrom('i64' as const, 'f64' as const, 'i32' as const),
          values: fc.array(whole, { minLength: rows, maxLength: rows }),
        })
        .map((c) => ({ type: c.type, numbers: Float64Array.from(c.values) })),
    )
    .map((c) => ({ ...c, name, doc: `the ${name} column` }) as Column | BuiltColumn);

const table = fc
  .record({
    rows: fc.integer({ min: 0, max: 70 }),
    names: fc.uniqueArray(fc.constantFrom('job', 'rw', 'count', 'p99', 't_ns', 'ä'), { minLength: 1, maxLength: 5 }),
  })
  .chain(({ rows, names }) => fc.tuple(...names.map((n) => column(rows, n))));
const metadata = fc.array(fc.tuple(fc.string({ maxLength: 12 }), text), { maxLength: 4 }).map((kv) => new Map(kv));

describe("toIpc through apache-arrow's one-file build", () => {
  it('writes the file the ES build writes, for every column type and any rows', () => {
    fc.assert(
      fc.property(table, metadata, (cols, md) => {
        expect(Buffer.from(toIpc(cols, md))).toEqual(Buffer.from(builderIpc(cols, md)));
      }),
      { numRuns: 300 },
    );
  });

  it('writes a table with a null (an absent value in an integer column) as the ES build does', () => {
    const cols: Column[] = [
      { name: 'point', type: 'i32', values: [0, 1, 2], doc: 'the point' },
      { name: 'ios', type: 'i64', values: [5, NaN, 7], doc: 'I/Os' },
      { name: 'job', type: 'utf8', values: ['a', 'b', 'c'], doc: 'the job' },
    ];
    const md = new Map([['points', '3']]);
    expect(Buffer.from(toIpc(cols, md))).toEqual(Buffer.from(builderIpc(cols, md)));
  });
});
