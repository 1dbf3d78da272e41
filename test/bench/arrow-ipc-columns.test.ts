/**
 * toIpc lays utf8 and Int64 columns out itself (arrow-ipc.ts), not through Arrow's builder: the file it
 * writes must be the one the builder's vectors give, byte for byte, for any strings (repeated, empty,
 * multi-byte) and any whole numbers up to 2^53 (negative, rounded from a fraction).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIpc, type Column } from '../../bench/results/arrow-tables.js';
import { builderIpc } from './arrow-reference.js';

const text = fc.oneof(fc.constantFrom('', 'read', 'write', 'db-0', 'zone/ä€𝄞'), fc.string({ unit: 'binary' }));
const whole = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.double({ min: -(2 ** 52), max: 2 ** 52, noNaN: true }),
  fc.constantFrom(0, -0, -1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, 2 ** 52 + 1, -(2 ** 52) - 3, 2 ** 53 - 2, -(2 ** 53) + 2),
);

describe('toIpc columns', () => {
  it('writes the bytes the builder gives, for utf8 and Int64 columns', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text, whole, text), { minLength: 1, maxLength: 60 }), (rows) => {
        const cols: Column[] = [
          { name: 'job', type: 'utf8', values: rows.map((r) => r[0]), doc: 'a job' },
          { name: 'count', type: 'i64', values: rows.map((r) => r[1]), doc: 'a count' },
          { name: 'label', type: 'utf8', values: rows.map((r) => r[2]), doc: 'a label' },
        ];
        const metadata = new Map([['seed', '1']]);
        expect(Buffer.from(toIpc(cols, metadata))).toEqual(Buffer.from(builderIpc(cols, metadata)));
      }),
      { numRuns: 200 },
    );
  });
});
