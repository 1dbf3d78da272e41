/**
 * Tenants (namespaces), users and roles. A role reads `<class>-<view|edit>[/<namespace>]` as on the
 * appliance (`volume-edit/ns0`, `network-view`); `edit` implies `view`; without a namespace the role
 * holds cluster-wide. Named bundles stand for the usual sets: cluster-admin, tenant-admin/NS,
 * tenant-user/NS, viewer.
 */
import { AnvilError } from '../errors.js';

export const ROLE_CLASSES = ['cluster', 'node', 'network', 'perftier', 'volume', 'container', 'tenant', 'user', 'event'] as const;
export type RoleClass = (typeof ROLE_CLASSES)[number];
export type Access = 'view' | 'edit';

export interface Role {
  readonly cls: RoleClass;
  readonly access: Access;
  readonly namespace?: string;
}

export interface Tenant {
  readonly kind: 'Tenant';
  readonly name: string;
  readonly created_at: string;
}

export interface User {
  readonly kind: 'User';
  readonly name: string;
  /** Role strings or bundle names, as given. */
  readonly roles: readonly string[];
}

/** Who makes a change: every change names one, and the audit log records it. */
export interface Actor {
  readonly user: string;
  readonly roles: readonly string[];
}

/** The actor of the embedded CLI: whoever can write the state file administers it. */
export function localAdmin(user = 'admin'): Actor {
  return { user, roles: ['cluster-admin'] };
}

const BUNDLES: Record<string, (ns: string | undefined) => string[]> = {
  'cluster-admin': () => ROLE_CLASSES.map((c) => `${c}-edit`),
  viewer: () => ROLE_CLASSES.filter((c) => c !== 'user').map((c) => `${c}-view`),
  'tenant-admin': (ns) => [
    `container-edit/${ns}`,
    `volume-edit/${ns}`,
    `user-edit/${ns}`,
    `event-view/${ns}`,
    'network-view',
    'perftier-view',
    'node-view',
  ],
  'tenant-user': (ns) => [`container-edit/${ns}`, `volume-edit/${ns}`, `event-view/${ns}`, 'network-view', 'perftier-view'],
};

/** Parses one role string or bundle into roles; throws a coded error naming what is allowed. */
export function parseRole(text: string): Role[] {
  const [head, ns, ...rest] = text.split('/');
  if (rest.length > 0 || head === undefined) throw badRole(text);
  const bundle = BUNDLES[head];
  if (bundle) {
    const needsNs = head.startsWith('tenant-');
    if (needsNs !== (ns !== undefined)) throw badRole(text);
    return bundle(ns).flatMap(parseRole);
  }
  const m = /^([a-z]+)-(view|edit)$/.exec(head);
  if (!m || !(ROLE_CLASSES as readonly string[]).includes(m[1]!) || ns === '') throw badRole(text);
  return [{ cls: m[1] as RoleClass, access: m[2] as Access, ...(ns !== undefined ? { namespace: ns } : {}) }];
}

/**
 * Parsed roles by their text, for the checks every request makes (parsing was ~6% of an authenticated
 * read). Parsing is a function of the text alone, so an entry is never stale: a user whose roles change
 * has other texts (or none), parsed afresh on its next request. Bad texts are not kept (they throw).
 */
const parsedRoles = new Map<string, readonly Role[]>();
/** Distinct role texts kept; past it the memo starts afresh. */
const PARSED_ROLES_KEPT = 4096;

/** `parseRole(text)`, parsed once per distinct text. */
export function rolesOf(text: string): readonly Role[] {
  let roles = parsedRoles.get(text);
  if (roles === undefined) {
    roles = parseRole(text);
    if (parsedRoles.size >= PARSED_ROLES_KEPT) parsedRoles.clear();
    parsedRoles.set(text, roles);
  }
  return roles;
}

function badRole(text: string): AnvilError {
  return new AnvilError(
    'ANVIL_ERR_FIELD_INVALID',
    `role "${text}" is not a role: write <class>-<view|edit>[/<namespace>] with class one of ${ROLE_CLASSES.join(', ')}, or a bundle: cluster-admin, viewer, tenant-admin/NS, tenant-user/NS`,
  );
}

/** May `actor` do `access` on objects of `cls` in `namespace` (undefined: cluster-scoped)? */
export function allows(actor: Actor, cls: RoleClass, access: Access, namespace?: string): boolean {
  for (const text of actor.roles) {
    for (const role of rolesOf(text)) {
      if (role.cls !== cls) continue;
      if (access === 'edit' && role.access !== 'edit') continue;
      if (role.namespace === undefined || role.namespace === namespace) return true;
    }
  }
  return false;
}

/**
 * The classes the actor may do `access` on in each namespace its roles name (a tenant's own): what a client
 * may ask for (view) or offer to change (edit) there without a 403. Cluster-wide roles count in every
 * namespace and are not listed.
 */
function namespaced(actor: Actor, access: Access): Record<string, RoleClass[]> {
  const classes: Record<string, RoleClass[]> = {};
  for (const text of actor.roles) for (const role of rolesOf(text)) if (role.namespace !== undefined) classes[role.namespace] ??= [];
  for (const ns of Object.keys(classes)) classes[ns] = ROLE_CLASSES.filter((c) => allows(actor, c, access, ns));
  return classes;
}

/** The classes the actor may edit in each namespace its roles name: what a client may offer to change there. */
export const namespacedEdits = (actor: Actor): Record<string, RoleClass[]> => namespaced(actor, 'edit');

/** The classes the actor may view in each namespace its roles name: what a client may ask for there. */
export const namespacedViews = (actor: Actor): Record<string, RoleClass[]> => namespaced(actor, 'view');

/** Throws ANVIL_ERR_FORBIDDEN unless allowed. */
export function authorize(actor: Actor, cls: RoleClass, access: Access, namespace?: string): void {
  if (!allows(actor, cls, access, namespace)) {
    const where = namespace === undefined ? 'cluster-wide' : `in namespace ${namespace}`;
    throw new AnvilError(
      'ANVIL_ERR_FORBIDDEN',
      `user ${actor.user} may not ${access} ${cls} objects ${where}; a role such as ${cls}-${access}${namespace ? `/${namespace}` : ''} is needed`,
    );
  }
}
