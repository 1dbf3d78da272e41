/**
 * The kinds the facade writes (create, patch, delete), and the Status objects of their errors worded as
 * the apiserver words them, so kubectl prints its own lines: `deployments.apps "web" already exists`,
 * `The Deployment "web" is invalid: spec.replicas: ...`, `deployments.apps is forbidden: User "alice"
 * cannot create resource ...`. Anvil's coded error rides along as a cause.
 */
import { AnvilError, isAnvilError } from '../../errors.js';
import type { RoleClass } from '../../domain/tenancy.js';
import { statusOf, type KubeStatus } from './status.js';

export interface WritableResource {
  /** The plural resource name (URL segment, Status `details.kind` of NotFound). */
  readonly resource: string;
  readonly kind: string;
  readonly apiVersion: 'v1' | 'apps/v1';
  /** '' for core/v1. */
  readonly group: '' | 'apps';
  readonly namespaced: boolean;
  /** The Anvil role class whose `edit` a change needs. */
  readonly cls: RoleClass;
}

export const WRITABLE: readonly WritableResource[] = [
  { resource: 'namespaces', kind: 'Namespace', apiVersion: 'v1', group: '', namespaced: false, cls: 'tenant' },
  { resource: 'pods', kind: 'Pod', apiVersion: 'v1', group: '', namespaced: true, cls: 'container' },
  { resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', apiVersion: 'v1', group: '', namespaced: true, cls: 'volume' },
  { resource: 'deployments', kind: 'Deployment', apiVersion: 'apps/v1', group: 'apps', namespaced: true, cls: 'container' },
  { resource: 'statefulsets', kind: 'StatefulSet', apiVersion: 'apps/v1', group: 'apps', namespaced: true, cls: 'container' },
];

export const writableOfKind = (kind: string) => WRITABLE.find((r) => r.kind === kind);

/** `deployments.apps`, `pods`: how the apiserver names a resource in messages. */
export const qualified = (r: WritableResource) => (r.group ? `${r.resource}.${r.group}` : r.resource);

/** A Status thrown by a write, answered as it is. */
export class WriteStatusError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

const fail = (code: number, reason: string, message: string, details: Record<string, unknown>): WriteStatusError =>
  new WriteStatusError({ ...statusOf(code, message), reason, details } as KubeStatus);

export const alreadyExists = (r: WritableResource, name: string) =>
  fail(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, { name, group: r.group, kind: r.resource });

export const notFound = (r: WritableResource, name: string) =>
  fail(404, 'NotFound', `${qualified(r)} "${name}" not found`, { name, group: r.group, kind: r.resource });

/** `The Deployment "web" is invalid: <field>: <message>`: kubectl prints the causes with their fields. */
export const invalid = (r: WritableResource, name: string, causes: { field: string; message: string }[]) =>
  fail(
    422,
    'Invalid',
    `${r.kind}${r.group ? `.${r.group}` : ''} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    {
      name,
      group: r.group,
      kind: r.kind,
      causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
    },
  );

export const badRequest = (message: string) => fail(400, 'BadRequest', message, {});

/** Strict field validation: the apiserver's own wording, every unknown field by its path. */
export const unknownFieldsStatus = (r: WritableResource, paths: string[]) =>
  badRequest(
    `${r.kind} in version "v1" cannot be handled as a ${r.kind}: strict decoding error: ${paths.map((p) => `unknown field "${p}"`).join(', ')}`,
  );

/** Forbidden, naming the verb, the resource and the Anvil role that would allow it. */
export function forbidden(r: WritableResource, verb: string, user: string, namespace: string | undefined, name?: string) {
  const where = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
  const role = `${r.cls}-edit${namespace !== undefined ? `/${namespace}` : ''}`;
  const message = `${qualified(r)}${name !== undefined ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${r.resource}" in API group "${r.group}" ${where}: Anvil role ${role} (or a bundle holding it) is needed`;
  return fail(403, 'Forbidden', message, {
    ...(name !== undefined ? { name } : {}),
    group: r.group,
    kind: r.resource,
    causes: [{ reason: 'ANVIL_ERR_FORBIDDEN', message }],
  });
}

/**
 * A domain error of a write as a Status: a manifest field Anvil cannot use is Invalid with its path
 * (the error names it as `<where>: <path>: <message>`); the rest keep their HTTP status and code.
 */
export function writeStatusOf(err: unknown, r: WritableResource, name: string, where: string): unknown {
  if (err instanceof WriteStatusError) return err;
  if (isAnvilError(err) && err.code === 'ANVIL_ERR_MANIFEST') {
    const m = new RegExp(`^${escape(where)}: ([^ :]+): (.*)$`, 's').exec(err.message);
    if (m) return invalid(r, name, [{ field: m[1]!, message: m[2]! }]);
  }
  if (isAnvilError(err)) {
    const message = err.message.startsWith(`${where}: `) ? err.message.slice(where.length + 2) : err.message;
    const reason = err.status === 409 ? 'Conflict' : err.status === 422 || err.status === 400 ? 'Invalid' : undefined;
    const status = statusOf(err.status, message, { name, kind: r.resource, causes: [{ reason: err.code, message }] });
    return new WriteStatusError(reason ? { ...status, reason } : status);
  }
  return err;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The Status of a successful delete. */
export const deletedStatus = (r: WritableResource, name: string, uid: string | undefined) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  details: { name, group: r.group, kind: r.resource, ...(uid !== undefined ? { uid } : {}) },
});

/** Thrown for bodies that are not a Kubernetes object of the route's kind. */
export const wrongBody = (message: string) => new AnvilError('ANVIL_ERR_MANIFEST', message);
