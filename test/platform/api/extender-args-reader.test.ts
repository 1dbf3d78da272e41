/**
 * The extender's request reader (args-reader.ts, issue 19): whatever the body, it reads the value
 * Fastify's own JSON parser reads, or fails as it does (random ExtenderArgs-like bodies: key order, spacing, escapes, repeated lists, lists
 * that change), hands back the very array of the last call for the same list, and leaves every body its
 * scan does not take to Fastify's parser, with that parser's errors (bad JSON, prototype poisoning).
 */
import Fastify from 'fastify';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ExtenderArgsReader, textParserOf } from '../../../platform/api/extender/args-reader.js';
import { buildServer } from '../../../platform/api/server.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fastifyParser = textParserOf(Fastify().getDefaultJsonParser('error', 'error'));
const readerOf = () => new ExtenderArgsReader(fastifyParser);
const read = (r: ExtenderArgsReader, text: string) => r.read(Buffer.from(text));
/** What Fastify's own parser makes of `text`: its value, or its error's code. */
const outcome = (parse: () => unknown) => {
  try {
    return { value: parse() };
  } catch (e) {
    return { error: (e as { code?: string }).code };
  }
};

/** A body's members, written in a random order with random spacing. */
const body = fc
  .record({
    Pod: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
    Nodes: fc.option(fc.constant(null), { nil: undefined }),
    NodeNames: fc.option(fc.oneof(fc.constant(null), fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 20 })), {
      nil: undefined,
    }),
    extra: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), { nil: undefined }),
  })
  .chain((b) => {
    const entries: [string, unknown][] = Object.entries(b.extra ?? {});
    for (const k of ['Pod', 'Nodes', 'NodeNames'] as const) if (b[k] !== undefined) entries.push([k, b[k]]);
    return fc.tuple(fc.shuffledSubarray(entries, { minLength: entries.length }), fc.constantFrom(0, 1, 2, '\t', ' \r\n'));
  })
  .map(([entries, space]) => JSON.stringify(Object.fromEntries(entries), null, space));

describe('the extender args reader', () => {
  it("reads what Fastify's parser reads, over random bodies in a row (lists repeated and changed)", () => {
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(11), { maxLength: 12 }), (bodies, repeats) => {
        const reader = readerOf();
        // Each body read, and some read again later: the same list then comes from the reader's memory.
        for (const text of [...bodies, ...repeats.map((k) => bodies[k % bodies.length]!)]) {
          expect(outcome(() => read(reader, text))).toEqual(outcome(() => fastifyParser(text)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hands back the same frozen list for the same bytes, and a new one when they change', () => {
    const reader = readerOf();
    const names = Array.from({ length: 50 }, (_, i) => `node${i}`);
    const a = read(reader, JSON.stringify({ Pod: { metadata: { name: 'p1' } }, Nodes: null, NodeNames: names })) as { NodeNames: string[] };
    const b = read(reader, JSON.stringify({ Pod: { metadata: { name: 'p2' } }, Nodes: null, NodeNames: names })) as {
      NodeNames: string[];
      Pod: unknown;
    };
    expect(b.NodeNames).toBe(a.NodeNames);
    expect(Object.isFrozen(b.NodeNames)).toBe(true);
    expect(b.Pod).toEqual({ metadata: { name: 'p2' } });
    const fewer = read(reader, JSON.stringify({ Pod: {}, NodeNames: names.slice(1) })) as { NodeNames: string[] };
    expect(fewer.NodeNames).toEqual(names.slice(1));
    // A longer list that starts with the last one's bytes is not taken for it.
    const longer = read(reader, `{"Pod":{},"NodeNames":${JSON.stringify(names.slice(1)).slice(0, -1)},"extra"]}`) as {
      NodeNames: string[];
    };
    expect(longer.NodeNames).toEqual([...names.slice(1), 'extra']);
  });

  it('leaves bodies its scan does not take to the parser: repeated or escaped keys, arrays, bad JSON, poisoned prototypes', () => {
    const reader = readerOf();
    for (const text of [
      '{"NodeNames":["a"],"NodeNames":["b","c"]}',
      '{"NodeNames":["a"],"Node\\u004eames":["b"]}',
      '{"NodeNames":null,"NodeNames":["b"]}',
      '[{"NodeNames":["a"]}]',
      ' {"NodeNames" : [ "a" , "b" ] } ',
      '{"NodeNames":["a\\"],[\\"b"]}',
    ])
      expect(read(reader, text)).toEqual(JSON.parse(text));
    for (const text of ['', '{"NodeNames":["a"', '{"NodeNames":["a",]}', '{"Pod":{"x":1,}, "NodeNames":["a"]}', '{"NodeNames":["a"]}x']) {
      expect(() => read(reader, text), text).toThrow(expect.objectContaining({ code: expect.stringMatching(/^FST_ERR_CTP_/) }));
    }
    expect(() => read(reader, '{"Pod":{"__proto__":{"polluted":1}},"NodeNames":["a"]}')).toThrow();
    expect(() => read(reader, '{"Pod":{"constructor":{"prototype":{"polluted":1}}},"NodeNames":["a"]}')).toThrow();
    expect(() => read(reader, '{"Pod":{},"NodeNames":[{"__proto__":{"polluted":1}}]}')).toThrow();
  });
});

describe('the extender routes read their bodies with it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anvil-args-reader-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers bad JSON and poisoned prototypes with the coded 400 of every route', async () => {
    const { app } = await buildServer({ statePath: join(dir, 'state.db') });
    try {
      for (const payload of [
        '{"Pod":{"metadata":{"name":"p"}},"NodeNames":["a"',
        '{"Pod":{"__proto__":{"x":1},"metadata":{"name":"p"},"spec":{}},"NodeNames":["a"]}',
      ]) {
        const r = await app.inject({ method: 'POST', url: '/scheduler/filter', headers: { 'content-type': 'application/json' }, payload });
        expect(r.statusCode, payload).toBe(400);
        expect(r.json().code, payload).toMatch(/^ANVIL_ERR_/);
      }
    } finally {
      await app.close();
    }
  });
});
