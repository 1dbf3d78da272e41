/**
 * Label and field selectors as kubectl sends them (`-l`, `--field-selector`, and describe's and delete's own
 * field selectors). Labels: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k`.
 * Fields: metadata.name and metadata.namespace on every kind, spec.nodeName and status.phase on pods,
 * involvedObject.*, reason and type on events, each with `=`, `==` or `!=`. Anything else is a 400 Status
 * naming what is allowed.
 */
import type { KubeObject } from './objects.js';

/** A selector kubectl sent that the facade cannot apply: answered as a 400 Status. */
export class SelectorError extends Error {}

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

/** Splits on commas outside parentheses (`a in (x,y),b`). */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = /^[A-Za-z0-9]([A-Za-z0-9_./-]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?)?$/;

function checked(what: 'key' | 'value', text: string, selector: string): string {
  if (!(what === 'key' ? KEY : VALUE).test(text))
    throw new SelectorError(`unable to parse requirement: invalid label ${what} "${text}" in labelSelector "${selector}"`);
  return text;
}

/** A label selector as a predicate over labels; throws SelectorError on a malformed one. */
export function parseLabelSelector(selector: string): Requirement {
  const requirements: Requirement[] = terms(selector).map((term): Requirement => {
    let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
    if (m) {
      const key = checked('key', m[1]!, selector);
      const values = new Set(m[3]!.split(',').map((v) => checked('value', v.trim(), selector)));
      return m[2] === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!);
    }
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      const key = checked('key', m[1]!, selector);
      const value = checked('value', m[3]!, selector);
      return m[2] === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    m = /^!\s*(\S+)$/.exec(term);
    if (m) {
      const key = checked('key', m[1]!, selector);
      return (l) => !(key in l);
    }
    const key = checked('key', term, selector);
    return (l) => key in l;
  });
  return (labels) => requirements.every((r) => r(labels));
}

const read = (o: KubeObject, path: string): string => {
  const v = path
    .split('.')
    .reduce<unknown>((x, k) => (x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
  return v === undefined || v === null ? '' : String(v);
};

/** The field selectors each kind takes beyond metadata.name and metadata.namespace (as the apiserver's). */
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec.nodeName', 'status.phase'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'reason',
    'type',
    'source',
  ],
};

/** A field selector for objects of `kind` as a predicate; throws SelectorError on an unsupported field. */
export function parseFieldSelector(selector: string, kind: string): (o: KubeObject) => boolean {
  const allowed = ['metadata.name', 'metadata.namespace', ...(FIELDS[kind] ?? [])];
  const checks = terms(selector).map((term) => {
    const m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid field selector "${term}": write field=value, field==value or field!=value`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (!allowed.includes(field))
      throw new SelectorError(`"${field}" is not a known field selector for ${kind}: only ${allowed.map((f) => `"${f}"`).join(', ')}`);
    // The apiserver's `source` field is the reporting component.
    const path = field === 'source' ? 'source.component' : field;
    return op === '!=' ? (o: KubeObject) => read(o, path) !== value : (o: KubeObject) => read(o, path) === value;
  });
  return (o) => checks.every((c) => c(o));
}

/** Both selectors of a request as one predicate (undefined or empty: everything). */
export function selectorOf(kind: string, labelSelector: string | undefined, fieldSelector: string | undefined): (o: KubeObject) => boolean {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector, kind) : undefined;
  return (o) => (labels === undefined || labels(o.metadata.labels ?? {})) && (fields === undefined || fields(o));
}
