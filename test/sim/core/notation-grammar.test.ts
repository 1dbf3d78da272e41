/**
 * Issue 12, "two grammars for one notation": a device profile's schema and the parser that reads the
 * field must agree on every notation. Each row is checked against the parser (units.ts), the profile
 * schema as the profile reader validates it (typebox `Value.Check`, pattern and ranged format) and the
 * pattern as a JSON Schema validator runs it (Ajv compiles patterns with the `u` flag).
 */
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parseByteRate, parseDuration, parseSize } from '../../../sim/core/units.js';
import { rangedByteRate, rangedDuration, rangedSize } from '../../../sim/devices/schema-types.js';

// Ranges wide enough that only the notation decides (the range check is a separate rule).
const wide = { min: 0, max: Number.MAX_VALUE };
const options = { description: 'a field' };

const QUANTITIES = [
  {
    quantity: 'duration',
    parse: (text: string) => parseDuration(text, 'ns'),
    schema: rangedDuration(wide, options),
    accepted: ['75us', '3.8ms', '1200', '.5s', '2e3', '2E3ns', '1.5e-2s', ' 7 ms ', '5m', '5min', '2h', '1hr', '1d'].concat([
      '3MS',
      '10Us',
      '4µs',
      '4µS',
      '9NSEC',
      '9usec',
      '2Sec',
      '1 MIN',
      '3H',
    ]),
    refused: ['', 'ms', '5 parsecs', '5e', '5x', '1..2s', '-5ms', '5 m s', '5msx', '5Μs', '5μs', '1,5ms', 'e3'],
  },
  {
    quantity: 'size',
    parse: (text: string) => parseSize(text),
    schema: rangedSize(wide, options),
    accepted: ['4k', '4K', '4KB', '4kb', '4KiB', '4KIB', '16kib', '3.84T', '512', '.5m', ' 1 g ', '1P', '2e', '2EiB', '7b', '7B'],
    refused: ['', 'k', '4i', '4ib', '4x', '4kk', '4 k b', '-4k', '4kbit', '1.2.3', '4K i'],
  },
  {
    quantity: 'byte rate',
    parse: parseByteRate,
    schema: rangedByteRate(wide, options),
    accepted: ['3.94GB/s', '800MB/s', '800MB', '1GiB/s', '1gib/S', '1GIB/s', '500kb', '100', '100/s', '2TB/S', ' 3 M '],
    refused: ['', 'GB/s', '1PB/s', '.5GB/s', '1GB/ms', '1 GB / s', '1Gbit', '-1MB/s', '1x'],
  },
] as const;

describe('a notation is read by the parser exactly when the profile schema accepts it', () => {
  for (const q of QUANTITIES) {
    const pattern = new RegExp(q.schema.pattern!, 'u');
    const rows = [...q.accepted.map((text) => ({ text, accepted: true })), ...q.refused.map((text) => ({ text, accepted: false }))];
    it.each(rows)(`${q.quantity} "$text" accepted: $accepted`, ({ text, accepted }) => {
      expect({ parser: q.parse(text) !== undefined, schema: Value.Check(q.schema, text), pattern: pattern.test(text) }).toEqual({
        parser: accepted,
        schema: accepted,
        pattern: accepted,
      });
    });
  }
});
