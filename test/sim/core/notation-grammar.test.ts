/**
 * Issue 12, "two grammars for one notation": a device profile's schema and the parser that reads the
 * field must agree on every notation. Each row is checked against the parser (units.ts), the profile
 * schema as the profile reader validates it (typebox `Value.Check`, pattern and ranged format) and the
 * pattern as a JSON Schema validator runs it (Ajv compiles patterns with the `u` flag).
 */
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parseBitRate, parseByteRate, parseDuration, parseQuantity, parseSize } from '../../../sim/core/units.js';
import { FlowSchema, PerfTierSchema, PodSchema, VolumeSchema } from '../../../bench/scenario/schema.js';
import { tierIoSizeBytes } from '../../../platform/domain/perf-tier.js';
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

// The cluster scenario's fields take the same notations: its schema must check with the parser's grammar.
describe('a cluster scenario field is read by the parser exactly when the scenario schema accepts it', () => {
  const at = (schema: { properties: Record<string, unknown> }, field: string): { pattern?: string; anyOf?: { pattern?: string }[] } =>
    schema.properties[field] as { pattern?: string; anyOf?: { pattern?: string }[] };
  const FIELDS = [
    {
      field: 'volume size (Kubernetes quantity)',
      schema: at(VolumeSchema, 'size'),
      parse: parseQuantity,
      accepted: ['100Gi', '16Gi', '500G', '1.5', '128974848', '129M', '1e3', '500m', '2Ki', '.5Ti', '1k', '1K'],
      refused: ['', 'Gi', '1GiB', '1gi', '-1Gi', '1 Gi', '1x', '1.2.3', 'e3'],
    },
    {
      field: 'pod cpu (Kubernetes quantity)',
      schema: at(PodSchema, 'cpu').anyOf![1]!,
      parse: parseQuantity,
      accepted: ['500m', '2', '0.5', '1.25', '100m'],
      refused: ['', 'm', '2 cores', '-1', '5mm'],
    },
    {
      field: 'flow message size (fio size)',
      schema: at(FlowSchema, 'message_size'),
      parse: (text: string) => parseSize(text),
      accepted: ['4k', '64k', '1M', '16KiB', '512', '.5m'],
      refused: ['', 'k', '4x', '-4k', '4kbit'],
    },
    {
      field: 'flow rate (bit rate)',
      schema: at(FlowSchema, 'rate').anyOf![1]!,
      parse: parseBitRate,
      accepted: ['2G', '10G', '500M', '1.5Gbit/s', '100Mbit', '25Gbps'],
      refused: ['', 'G', '-1G', '1 G bit', '1x'],
    },
    {
      field: "perf tier io_size (fio bs, as the domain's --io-size reads it)",
      schema: at(PerfTierSchema, 'io_size'),
      parse: (text: string) => {
        try {
          return tierIoSizeBytes(text);
        } catch {
          return undefined;
        }
      },
      accepted: ['4k', '8K', '128k', '1m', '4kb', '4KB', '512', ' 16k ', '4b'],
      refused: ['', 'k', '4KiB', '4g', '1.5k', '-4k', '4 kb x'],
    },
  ] as {
    field: string;
    schema: { pattern?: string; anyOf?: { pattern?: string }[] };
    parse: (t: string) => number | undefined;
    accepted: string[];
    refused: string[];
  }[];
  for (const f of FIELDS) {
    const pattern = new RegExp(f.schema.pattern!, 'u');
    const rows = [...f.accepted.map((text) => ({ text, accepted: true })), ...f.refused.map((text) => ({ text, accepted: false }))];
    it.each(rows)(`${f.field} "$text" accepted: $accepted`, ({ text, accepted }) => {
      expect({ parser: f.parse(text) !== undefined, pattern: pattern.test(text) }).toEqual({ parser: accepted, pattern: accepted });
    });
  }
});
