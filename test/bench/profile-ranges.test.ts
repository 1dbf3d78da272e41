/**
 * Issue 11, point 9: a device profile's schema says what the model can run. Every ranged field of every
 * device kind (rates and the sizes the model divides by > 0, sane maximums) is refused outside its range
 * with ANVIL_ERR_PROFILE_INVALID naming the field, and at the edges of its range the model runs a job
 * or refuses it with a coded error: never a RangeError ("internal error", exit 70).
 */
import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../bench/profiles.js';
import { runOnModel } from '../../bench/targets/sim.js';
import { loadWorkloads } from '../../bench/workloads/resolve.js';
import { AnvilError } from '../../platform/errors.js';
import { deviceKind } from '../../sim/devices/index.js';
import type { FieldRange } from '../../sim/devices/schema-types.js';

interface RangedField {
  path: string[];
  quantity: 'duration' | 'size' | 'byte rate';
  range: FieldRange;
}
type Node = TSchema & {
  properties?: Record<string, Node>;
  anyOf?: Node[];
  items?: Node;
  range?: FieldRange;
  quantity?: RangedField['quantity'];
};

/** Every ranged string field under an object schema (unions and arrays: their first ranged member). */
function rangedFields(node: Node, path: string[] = []): RangedField[] {
  if (node.range && node.quantity) return [{ path, quantity: node.quantity, range: node.range }];
  if (node.properties) return Object.entries(node.properties).flatMap(([k, v]) => rangedFields(v, [...path, k]));
  if (node.anyOf) return rangedFields(node.anyOf.find((m) => rangedFields(m).length > 0) ?? node.anyOf[0]!, path);
  return [];
}

function text(quantity: RangedField['quantity'], value: number): string {
  return quantity === 'duration' ? `${value}ns` : String(value);
}

/** YAML for a profile of `kind` with one field set (nested by its path). */
function profileWith(kind: string, base: string, path: string[], value: string): string {
  const [top, ...rest] = path;
  let yaml = `kind: ${kind}\n${base
    .split('\n')
    .filter((l) => !l.startsWith(`${top}:`))
    .join('\n')}`;
  if (rest.length === 0) return `${yaml}${top}: "${value}"\n`;
  yaml += `${top}:\n`;
  return `${yaml}  ${rest.join('.')}: "${value}"\n`;
}

const KINDS: { kind: string; base: string; skip?: string[] }[] = [
  { kind: 'null', base: 'latency: 1us\n' },
  { kind: 'queue', base: 'service: { dist: deterministic, mean: 1us }\n', skip: ['service'] },
  // datasheet figures are descriptive (checked by the datasheet test, not run by the model)
  // the spreads are service-time distributions like queue's `service` (union, nested): their relations and
  // ranges are checked in test/sim/nvme-latency-spread.test.ts
  { kind: 'nvme', base: '', skip: ['datasheet', 'controller.read_spread', 'controller.write_spread'] },
];

/** Parses the profile; returns 'ok' or the AnvilError code it was refused with. */
function tryParse(yaml: string): string {
  try {
    parseProfile(yaml, 'edge.yaml');
    return 'ok';
  } catch (e) {
    if (e instanceof AnvilError) return e.code;
    throw e;
  }
}

describe('device profile ranges (issue 11, point 9)', () => {
  it('refuses controller.read_data_rate: 0MB/s with a coded error naming the field and what is allowed', () => {
    const e = (() => {
      try {
        parseProfile('kind: nvme\ncontroller:\n  read_data_rate: 0MB/s\n', 'zero.yaml');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(AnvilError);
    expect(e).toMatchObject({ code: 'ANVIL_ERR_PROFILE_INVALID' });
    expect((e as AnvilError).details.join('\n')).toMatch(
      /zero\.yaml: \/controller\/read_data_rate: "0MB\/s" is not allowed: give a byte rate at least 1kB\/s/,
    );
  });

  for (const { kind, base, skip = [] } of KINDS) {
    const fields = rangedFields(deviceKind(kind)!.schema as Node).filter((f) => !skip.some((s) => f.path.join('.').startsWith(s)));
    it(`${kind}: every ranged field is refused outside its range and runs (or is refused with a code) at its edges`, () => {
      expect(fields.length).toBeGreaterThan(0);
      for (const f of fields) {
        const at = `/${f.path.join('/')}`;
        const outside = [
          text(f.quantity, f.range.max * 2),
          ...(f.range.minExclusive ? [text(f.quantity, f.range.min)] : f.range.min > 0 ? [text(f.quantity, f.range.min / 2)] : []),
        ];
        for (const v of outside) {
          let error: unknown;
          try {
            parseProfile(profileWith(kind, base, f.path, v), 'edge.yaml');
          } catch (e) {
            error = e;
          }
          expect(error, `${at}=${v}`).toBeInstanceOf(AnvilError);
          expect((error as AnvilError).details.join('\n'), `${at}=${v}`).toContain(`${at}: "${v}" is not allowed`);
        }
        const low = f.range.minExclusive ? 1 : f.range.min;
        for (const v of [text(f.quantity, low), text(f.quantity, f.range.max)]) {
          const yaml = profileWith(kind, base, f.path, v);
          let outcome: string;
          try {
            const profile = parseProfile(yaml, 'edge.yaml');
            const { specs } = loadWorkloads('[edge]\nrw=randrw\nbs=4k\niodepth=4\nruntime=20us\ntime_based\n', 'edge.fio', 2 ** 40);
            runOnModel({ jobs: specs, profile, seed: 1 });
            outcome = 'ran';
          } catch (e) {
            expect(e, `${at}=${v}: ${String(e)}`).toBeInstanceOf(AnvilError);
            outcome = (e as AnvilError).code;
          }
          expect(['ran', 'ANVIL_ERR_PROFILE_INVALID', 'ANVIL_ERR_NO_PROGRESS'], `${at}=${v}`).toContain(outcome);
        }
      }
    });
  }

  it('queue service times: relations between fields are refused with the field, never built', () => {
    const cases: [string, RegExp][] = [
      ['{ dist: empirical, values: [1us, 2us], weights: [1] }', /\/service\/weights: 1 weights for 2 values/],
      ['{ dist: empirical, values: [1us], weights: [0] }', /every weight is 0/],
      ['{ dist: uniform, min: 2us, max: 1us }', /\/service\/min: min \(2us\) is above max/],
      ['{ dist: lognormal, mean: 0us, stddev: 1us }', /\/service\/mean: "0us" is not allowed: give a duration greater than 0/],
      ['{ dist: exponential, mean: 1e99s }', /\/service\/mean: "1e99s" is not allowed: give a duration at least 0 and at most 10s/],
    ];
    for (const [service, message] of cases) {
      expect(tryParse(`kind: queue\nservice: ${service}\n`), service).toBe('ANVIL_ERR_PROFILE_INVALID');
      let error: unknown;
      try {
        parseProfile(`kind: queue\nservice: ${service}\n`, 'q.yaml');
      } catch (e) {
        error = e;
      }
      expect((error as AnvilError).details.join('\n'), service).toMatch(message);
    }
  });
});
