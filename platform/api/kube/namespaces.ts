/**
 * Which namespaces the facade shows a caller. `namespaces` is cluster-scoped in Kubernetes, but kubectl
 * users of a tenant still expect `kubectl get ns` and `kubectl get ns <own>` to work: a caller sees every
 * namespace with a cluster-wide `tenant-view` (admin, viewer), otherwise exactly the namespaces where it
 * holds some role. Any other namespace reads as missing, so a tenant learns nothing of other tenants'.
 */
import type { ClusterState } from '../../domain/cluster-state.js';
import { allows, rolesOf, type Actor, type Tenant } from '../../domain/tenancy.js';

/** May `actor` see namespace `name` (whether or not it exists)? */
export function seesNamespace(actor: Actor, name: string): boolean {
  if (allows(actor, 'tenant', 'view')) return true;
  return actor.roles.some((text) => rolesOf(text).some((role) => role.namespace === name));
}

/** The existing namespaces `actor` may see, optionally only the one named `name`. */
export function namespacesVisibleTo(state: ClusterState, actor: Actor, name?: string): Tenant[] {
  if (name !== undefined) {
    // Permission before existence: a foreign namespace and a missing one give the same empty answer.
    const tenant = seesNamespace(actor, name) ? state.tenants.get(name) : undefined;
    return tenant === undefined ? [] : [tenant];
  }
  return [...state.tenants.values()].filter((t) => seesNamespace(actor, t.name));
}
