/**
 * Object names: Kubernetes' DNS-1123 label rules, so a name is valid in a manifest and on the CLI alike;
 * and node labels (key=value) as nodes, taints and selectors take them. Each grammar is one regex source,
 * and the JSON schemas below (which the API's routes use) are built from the same text the domain and the
 * CLI test with: a name or label one accepts, the other accepts.
 */
import { Type } from '@sinclair/typebox';
import { AnvilError } from '../errors.js';

/** A namespace: a DNS-1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit). */
export const NAMESPACE_NAME_SOURCE = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** The longest namespace, in characters. */
export const NAMESPACE_NAME_MAX_LENGTH = 63;
/** An object's name: a DNS-1123 subdomain (a label that may also hold '.'). */
export const OBJECT_NAME_SOURCE = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
/** The longest object name, in characters. */
export const OBJECT_NAME_MAX_LENGTH = 253;

// Unanchored, so that "key=value" is read with the same two grammars.
const LABEL_KEY = '[A-Za-z0-9./_-]+';
const LABEL_VALUE = '[A-Za-z0-9._-]*';
/** A node label's (or taint's, or selector's) key, e.g. "zone" or "example.com/rack". */
export const LABEL_KEY_SOURCE = `^${LABEL_KEY}$`;
/** A node label's value: letters, digits, '.', '_' and '-', possibly empty. */
export const LABEL_VALUE_SOURCE = `^${LABEL_VALUE}$`;
/** The most labels (or taints, or selector terms) one object holds. */
export const MAX_LABELS = 64;

const NAMESPACE_NAME = new RegExp(NAMESPACE_NAME_SOURCE);
const OBJECT_NAME = new RegExp(OBJECT_NAME_SOURCE);
const LABEL_PAIR = new RegExp(`^(${LABEL_KEY})=(${LABEL_VALUE})$`);

/** Throws a coded error unless `name` is a lower-case DNS-1123 name (subdomain form, up to 253 chars). */
export function requireName(name: string, what: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > OBJECT_NAME_MAX_LENGTH || !OBJECT_NAME.test(name)) {
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `${what} name "${name}" is not allowed: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most ${OBJECT_NAME_MAX_LENGTH} characters`,
    );
  }
  return name;
}

/** A namespace: a DNS-1123 label (no dots, up to 63 characters). */
export function requireNamespace(ns: string): string {
  if (typeof ns !== 'string' || ns.length === 0 || ns.length > NAMESPACE_NAME_MAX_LENGTH || !NAMESPACE_NAME.test(ns)) {
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `namespace "${ns}" is not allowed: use lower-case letters, digits and '-', at most ${NAMESPACE_NAME_MAX_LENGTH} characters`,
    );
  }
  return ns;
}

/** "key=value" as a label's key and value, or `undefined` when either breaks the label grammar. */
export function readLabelPair(text: string): [key: string, value: string] | undefined {
  const m = LABEL_PAIR.exec(text);
  return m ? [m[1]!, m[2]!] : undefined;
}

/** requireName as a JSON schema (for request bodies built in the domain and the API's routes). */
export const ObjectName = Type.String({
  pattern: OBJECT_NAME_SOURCE,
  maxLength: OBJECT_NAME_MAX_LENGTH,
  description: `a DNS-1123 name (subdomain: a-z, 0-9, - and ., up to ${OBJECT_NAME_MAX_LENGTH} characters)`,
});

/** requireNamespace as a JSON schema. */
export const NamespaceName = Type.String({
  pattern: NAMESPACE_NAME_SOURCE,
  maxLength: NAMESPACE_NAME_MAX_LENGTH,
  description: `a namespace: a DNS-1123 label (a-z, 0-9 and -, up to ${NAMESPACE_NAME_MAX_LENGTH} characters)`,
});

/**
 * Node labels (or taints, or a selector) as `--label`/`--selector k=v` take them, as a JSON schema. A key
 * outside the pattern is refused: typebox leaves `additionalProperties` open on a pattern record unless told.
 */
export function labels(description: string) {
  return Type.Record(Type.String({ pattern: LABEL_KEY_SOURCE }), Type.String({ pattern: LABEL_VALUE_SOURCE }), {
    maxProperties: MAX_LABELS,
    additionalProperties: false,
    description,
  });
}
