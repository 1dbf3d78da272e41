/**
 * A run's tables are built column by column (column-builder.ts: typed arrays, text in runs) and written by
 * toIpc: the file must be the one the same rows give pushed row by row (table-columns.ts), byte for byte,
 * for any blocks of rows (empty ones too), text (repeated, empty, multi-byte), label keys that look like
 * indexes, and numbers of every column type (Int64 beyond 2^53, NaN and infinities, which make the column
 * nullable; fractions in Int32).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIpc } from '../../bench/results/arrow-tables.js';
import { buildColumns, type TableSpec } from '../../bench/results/column-builder.js';
import { columns, push, type Column } from '../../bench/results/table-columns.js';

const spec = {
  time_ns: ['i64', 'a time'],
  job: ['utf8', 'a job'],
  clones: ['i32', 'a small index'],
  direction: ['utf8', 'a direction'],
  rate: ['f64', 'a rate'],
} satisfies TableSpec;

const text = fc.oneof(fc.constantFrom('', 'read', 'write', 'db-0', 'zone/ä€𝄞'), fc.string({ unit: 'binary', maxLength: 6 }));
const number = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.double({ min: -(2 ** 60), max: 2 ** 60 }),
  fc.constantFrom(0, -0, 0.5, -1.5, 2 ** 53, -(2 ** 53), 2 ** 62, NaN, Infinity, -Infinity),
);
const row = fc.record({ time_ns: number, clones: number, rate: number });
const block = fc.record({
  job: fc.constantFrom('a', 'b', ''),
  direction: text,
  labels: fc.tuple(text, text),
  rows: fc.array(row, { maxLength: 40 }),
});

describe('columns built whole', () => {
  it('write the bytes of the same rows pushed one by one', () => {
    fc.assert(
      fc.property(
        fc.array(block, { maxLength: 8 }),
        fc.uniqueArray(fc.constantFrom('1', '0', 'pod', 'zone', '10'), { minLength: 2, maxLength: 2 }),
        fc.boolean(),
        (blocks, labelKeys, finiteOnly) => {
          const clean = (v: number): number => (finiteOnly && !Number.isFinite(v) ? 7 : v);
          // Row by row, label columns after `job` as arrow-tables.ts placed them before.
          const c = columns(spec);
          const labelCols: Column[] = labelKeys.map((k) => ({ name: k, type: 'utf8', values: [], doc: `job label ${k}` }));
          for (const b of blocks)
            for (const r of b.rows) {
              push(c, { time_ns: clean(r.time_ns), job: b.job, clones: clean(r.clones), direction: b.direction, rate: clean(r.rate) });
              labelCols.forEach((col, i) => col.values.push(b.labels[i]!));
            }
          const byRow: Column[] = [c.time_ns, c.job, ...labelCols, c.clones, c.direction, c.rate];
          const built = buildColumns(
            spec,
            labelKeys,
            blocks.map((b) => ({
              rows: b.rows.length,
              text: { job: b.job, direction: b.direction, [labelKeys[0]!]: b.labels[0], [labelKeys[1]!]: b.labels[1] },
              fill: (n, at) =>
                b.rows.forEach((r, i) => {
                  n.time_ns[at + i] = clean(r.time_ns);
                  n.clones[at + i] = clean(r.clones);
                  n.rate[at + i] = clean(r.rate);
                }),
            })),
          );
          expect(built.map((col) => col.name)).toEqual(byRow.map((col) => col.name));
          const metadata = new Map([['seed', '1']]);
          expect(Buffer.from(toIpc(built, metadata)).equals(Buffer.from(toIpc(byRow, metadata)))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a block without a value for a text column', () => {
    expect(() => buildColumns(spec, ['pod'], [{ rows: 1, text: { job: 'a', direction: 'read' }, fill: () => {} }])).toThrow(/pod/);
  });
});
