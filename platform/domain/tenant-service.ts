/**
 * Tenants (namespaces), as operations of the control plane: created by a cluster admin, deleted once
 * they hold nothing (their quota goes with them). Each takes the change's context; `ControlPlane`
 * exposes each as a method.
 */
import { AnvilError } from '../errors.js';
import type { ChangeContext } from './change-context.js';
import { notFound } from './context.js';
import { requireNamespace } from './names.js';

export function createTenant(ctx: ChangeContext, name: string): void {
  ctx.can('tenant', 'edit');
  requireNamespace(name);
  if (ctx.state.tenants.has(name)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `namespace ${name} already exists`);
  ctx.state.tenants.set(name, { kind: 'Tenant', name, created_at: ctx.now() });
}

/** Like `createTenant`, but a no-op when it exists (a Namespace manifest applied twice). */
export function ensureTenant(ctx: ChangeContext, name: string): void {
  if (!ctx.state.tenants.has(name)) createTenant(ctx, name);
}

export function deleteTenant(ctx: ChangeContext, name: string): void {
  ctx.can('tenant', 'edit');
  if (!ctx.state.tenants.has(name)) throw notFound('namespace', name, `namespaces: ${[...ctx.state.tenants.keys()].join(', ')}`);
  const holds = [
    ...ctx.state.pods.values(),
    ...ctx.state.volumes.values(),
    ...ctx.state.snapshots.values(),
    ...ctx.state.endpoints.values(),
  ].filter((o) => o.namespace === name);
  if (holds.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `namespace ${name} still holds ${holds.length} pods, volumes, snapshots or endpoints; delete them first`,
    );
  ctx.state.tenants.delete(name);
  ctx.state.quotas.delete(name);
}
