/** Object names: Kubernetes' DNS-1123 label rules, so a name is valid in a manifest and on the CLI alike. */
import { AnvilError } from '../errors.js';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Throws a coded error unless `name` is a lower-case DNS-1123 name (subdomain form, up to 253 chars). */
export function requireName(name: string, what: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 253 || !SUBDOMAIN.test(name)) {
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `${what} name "${name}" is not allowed: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters`,
    );
  }
  return name;
}

/** A namespace: a DNS-1123 label (no dots, up to 63 characters). */
export function requireNamespace(ns: string): string {
  if (typeof ns !== 'string' || ns.length === 0 || ns.length > 63 || !NAME.test(ns)) {
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `namespace "${ns}" is not allowed: use lower-case letters, digits and '-', at most 63 characters`);
  }
  return ns;
}
