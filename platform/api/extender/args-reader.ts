/**
 * ExtenderArgs read from the body's bytes without parsing the candidate list again when it is the one
 * of the call before. kube-scheduler (nodeCacheCapable) sends each pod's filter and prioritize with its
 * node cache's names: 5,000 nodes make 55 KB of `NodeNames`, and JSON.parse of them (5,000 fresh strings)
 * cost more than the whole decision. The reader finds the top-level `NodeNames` array in the bytes; when
 * its bytes equal the last list's it hands back the last list (the same frozen array, so the answer's
 * writer also reuses its name lookups); otherwise it parses that array. The rest of the body (the Pod, a
 * few hundred bytes) goes through Fastify's own JSON parser with its prototype-poisoning checks, as does
 * every body the scan does not take (no top-level object, escaped or repeated key names, bad JSON): those
 * get exactly the errors of Fastify's parser.
 */

import type { FastifyBodyParser, FastifyRequest } from 'fastify';

/** A JSON parser for text, called synchronously; throws for text that is not JSON. */
export type JsonTextParser = (text: string) => unknown;

/** Fastify's default JSON parser (`app.getDefaultJsonParser`, synchronous) as a JsonTextParser: its errors thrown. */
export function textParserOf(parser: FastifyBodyParser<string>): JsonTextParser {
  return (text) => {
    let value: unknown;
    let error: Error | null = null;
    void parser({} as FastifyRequest, text, (err, parsed) => {
      error = err;
      value = parsed;
    });
    if (error !== null) throw error as Error;
    return value;
  };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const NODE_NAMES = Buffer.from('NodeNames');

const isSpace = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

function skipSpace(bytes: Buffer, at: number): number {
  while (isSpace(bytes[at])) at++;
  return at;
}

/** The index just past the string that opens at `at` (a quote), or -1 if it does not end. */
function stringEnd(bytes: Buffer, at: number): number {
  for (let i = at + 1; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === BACKSLASH) i++;
    else if (b === QUOTE) return i + 1;
  }
  return -1;
}

/**
 * The index just past the JSON value that starts at `at`, by its brackets and strings (whether the value
 * is well-formed JSON is left to the parser it goes to), or -1 if it does not end in the body.
 */
function valueEnd(bytes: Buffer, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return stringEnd(bytes, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number or a literal: up to the next delimiter.
    let i = at;
    while (i < bytes.length && bytes[i] !== COMMA && bytes[i] !== CLOSE_BRACE && bytes[i] !== CLOSE_BRACKET && !isSpace(bytes[i])) i++;
    return i;
  }
  let depth = 0;
  for (let i = at; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      i = stringEnd(bytes, i) - 1;
      if (i < 0) return -1;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Where the top-level `NodeNames` array lies in the body. */
interface Span {
  /** [start, end) of its bytes. */
  readonly start: number;
  readonly end: number;
  /** Whether they are the bytes of the last list. */
  readonly same: boolean;
}

/** The top-level `NodeNames` array's span, or undefined where the scan leaves the body to the parser. */
function nodeNamesSpan(bytes: Buffer, last: Buffer | undefined): Span | undefined {
  let at = skipSpace(bytes, 0);
  if (bytes[at] !== OPEN_BRACE) return undefined;
  at = skipSpace(bytes, at + 1);
  let span: Span | undefined;
  while (bytes[at] === QUOTE) {
    const keyEnd = stringEnd(bytes, at);
    if (keyEnd < 0) return undefined;
    const key = bytes.subarray(at + 1, keyEnd - 1);
    if (key.includes(BACKSLASH)) return undefined; // an escaped key: JSON.parse may read it as NodeNames
    at = skipSpace(bytes, keyEnd);
    if (bytes[at] !== COLON) return undefined;
    at = skipSpace(bytes, at + 1);
    const start = at;
    let end: number;
    if (key.equals(NODE_NAMES) && bytes[at] === OPEN_BRACKET) {
      // The same bytes as the last list's: a whole array value, so it ends where the last one did.
      const same =
        last !== undefined && bytes.length - at >= last.length && bytes.compare(last, 0, last.length, at, at + last.length) === 0;
      end = same ? at + last.length : valueEnd(bytes, at);
      if (end < 0 || span !== undefined) return undefined; // repeated: JSON.parse keeps the last one; leave it to it
      span = { start, end, same };
    } else {
      end = valueEnd(bytes, at);
      if (end < 0) return undefined;
      if (key.equals(NODE_NAMES)) {
        if (span !== undefined) return undefined;
        span = { start, end: start, same: false }; // not an array (null): parsed with the rest, marks the key as seen
      }
    }
    at = skipSpace(bytes, end);
    if (bytes[at] === COMMA) at = skipSpace(bytes, at + 1);
    else if (bytes[at] === CLOSE_BRACE) return span !== undefined && span.end > span.start ? span : undefined;
    else return undefined;
  }
  return undefined;
}

export class ExtenderArgsReader {
  private last: { readonly bytes: Buffer; readonly names: readonly unknown[] } | undefined;

  /** `parse`: the server's JSON parser for text; throws its own errors for text that is not JSON. */
  constructor(private readonly parse: JsonTextParser) {}

  /** The body's JSON value; throws what `parse` throws for a body that is not JSON. */
  read(body: Buffer): unknown {
    const span = body.length > 0 ? nodeNamesSpan(body, this.last?.bytes) : undefined;
    if (span === undefined) return this.parse(body.toString('utf8'));
    // Both ends of the span are ASCII structural bytes, so the text either side decodes on its own.
    const rest = this.parse(`${body.toString('utf8', 0, span.start)}null${body.toString('utf8', span.end)}`);
    let names = span.same ? this.last?.names : undefined;
    if (names === undefined) {
      const listBytes = body.subarray(span.start, span.end);
      const parsed = this.parse(listBytes.toString('utf8'));
      if (!Array.isArray(parsed)) return this.parse(body.toString('utf8'));
      // Shared by every call that sends the same list: no one may change it.
      names = Object.freeze(parsed);
      this.last = { bytes: Buffer.from(listBytes), names };
    }
    (rest as { NodeNames: unknown }).NodeNames = names;
    return rest;
  }
}
