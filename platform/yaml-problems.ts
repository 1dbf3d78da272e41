/**
 * Schema problems of a YAML file as `FILE:LINE: /path: message, allowed: ...`: the line comes from the
 * yaml package's node ranges (the node at the path, or its nearest parent present when a field is
 * missing), each path is reported once, and a union of literals lists its literals.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { isScalar, type Document } from 'yaml';
import type { ErrorCode } from './errors.js';
import { parseYamlFile } from './yaml-input.js';

/** A parsed YAML file that can say on which line a JSON-pointer path sits. */
export interface LocatedYaml {
  readonly data: unknown;
  /** `FILE:LINE` of the node at `path` (or its nearest parent present), `FILE` when none is. */
  where(path: string): string;
  /**
   * The 1-based line of the first line of text of the string at `path`: the line after the header of a
   * literal block (`job: |`), whose lines then follow the file's one for one; the scalar's own line otherwise.
   */
  textLine(path: string): number | undefined;
}

function segments(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function lineOf(doc: Document, offsetLine: (offset: number) => number, path: string): number | undefined {
  const parts = segments(path);
  for (let n = parts.length; n >= 0; n--) {
    const keys = parts.slice(0, n).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const node = n === 0 ? doc.contents : doc.getIn(keys, true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return offsetLine(range[0]);
  }
  return undefined;
}

/** Parses `text`; any YAML problem (syntax, aliases, inexact integers) is thrown as `code`, with file and line. */
export function parseLocatedYaml(text: string, file: string, code: ErrorCode): LocatedYaml {
  const { data, doc, lineOf: offsetLine } = parseYamlFile(text, file, code);
  return {
    data,
    where(path) {
      const line = lineOf(doc, offsetLine, path);
      return line === undefined ? file : `${file}:${line}`;
    },
    textLine(path) {
      const keys = segments(path).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      const node = doc.getIn(keys, true);
      if (!isScalar(node) || !node.range) return undefined;
      return offsetLine(node.range[0]) + (node.type === 'BLOCK_LITERAL' ? 1 : 0);
    },
  };
}

/** The literals of a union of literals, or undefined for any other schema. */
function literals(schema: TSchema): string[] | undefined {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!anyOf || !anyOf.every((s) => 'const' in s)) return undefined;
  return anyOf.map((s) => String((s as unknown as { const: unknown }).const));
}

/** Every schema problem of `value`, one per path, each as `FILE:LINE: /path: message, allowed: ...`. */
export function schemaProblems(schema: TSchema, value: unknown, located: LocatedYaml): string[] {
  const byPath = new Map<string, string>();
  for (const e of Value.Errors(schema, value)) {
    const path = e.path || '/';
    if (byPath.has(path)) continue;
    const list = literals(e.schema);
    const description = e.schema.description as string | undefined;
    let message: string;
    const properties = (e.schema as { properties?: Record<string, unknown> }).properties;
    if (e.type === ValueErrorType.ObjectAdditionalProperties && properties)
      message = `not a known field, allowed: ${Object.keys(properties).join('|')}`;
    else if (list)
      message = `${JSON.stringify(e.value)} is not allowed, allowed: ${list.join('|')}${description ? ` (${description})` : ''}`;
    else if ((e.schema as { anyOf?: unknown }).anyOf)
      message = `${JSON.stringify(e.value)} is not allowed, allowed: ${description ?? 'see the schema'}`;
    else if (e.type === ValueErrorType.StringPattern && description)
      message = `${JSON.stringify(e.value)} is not allowed, allowed: ${description}`;
    else if ('const' in e.schema)
      message = `${JSON.stringify(e.value)} is not allowed, allowed: ${String((e.schema as unknown as { const: unknown }).const)}`;
    else message = `${e.message}${description ? ` (${description})` : ''}`;
    byPath.set(path, `${located.where(path)}: ${path}: ${message}`);
  }
  return [...byPath.values()];
}

/**
 * What a schema cannot say of a sourced figure (a cost or a coefficient with a `[low, high]` range): the
 * range holds its value. The problem text for `path`, or null when it holds.
 */
export function rangeProblem(path: string, value: number, range: readonly [number, number] | undefined): string | null {
  if (!range) return null;
  const [low, high] = range;
  return low <= value && value <= high ? null : `${path}: [${low}, ${high}] must satisfy low <= value (${value}) <= high`;
}
