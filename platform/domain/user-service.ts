/**
 * Users and their roles, as operations of the control plane. Who may grant what: a cluster-wide user
 * editor handles any role it holds; a tenant admin (user-edit/NS) roles in its own namespaces only, plus
 * cluster-wide views it holds itself; nobody grants or revokes a role they do not hold. The cluster always
 * keeps one user who can manage users cluster-wide. Each takes the change's context; `ControlPlane`
 * exposes each as a method.
 */
import { AnvilError } from '../errors.js';
import { notFound } from './context.js';
import type { ChangeContext } from './change-context.js';
import { requireName } from './names.js';
import { allows, parseRole, type User } from './tenancy.js';

export function createUser(ctx: ChangeContext, name: string, roles: string[]): User {
  requireName(name, 'user');
  mayGrant(ctx, roles, 'grant');
  if (ctx.state.users.has(name)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `user ${name} already exists`);
  const user: User = { kind: 'User', name, roles };
  ctx.state.users.set(name, user);
  return user;
}

/** The caller must be able to revoke the old roles (a tenant admin cannot touch a cluster admin) and grant the new. */
export function setUserRoles(ctx: ChangeContext, name: string, roles: string[]): User {
  const user = existingUser(ctx, name);
  mayGrant(ctx, user.roles, 'revoke');
  mayGrant(ctx, roles, 'grant');
  const changed: User = { ...user, roles };
  const managers = userManagers(ctx);
  ctx.state.users.set(name, changed);
  keepUserAdmin(ctx, managers, `changing ${name}'s roles`);
  ctx.event(
    'info',
    'UserRolesChanged',
    `user/${name}`,
    `roles of ${name}: ${user.roles.join(', ') || '(none)'} -> ${roles.join(', ') || '(none)'}`,
  );
  return changed;
}

/** A token acts only as an existing user, so the user's tokens stop working at once. */
export function deleteUser(ctx: ChangeContext, name: string): void {
  const user = existingUser(ctx, name);
  mayGrant(ctx, user.roles, 'revoke');
  const managers = userManagers(ctx);
  ctx.state.users.delete(name);
  keepUserAdmin(ctx, managers, `deleting ${name}`);
  ctx.event('info', 'UserDeleted', `user/${name}`, `had roles ${user.roles.join(', ') || '(none)'}`);
}

function existingUser(ctx: ChangeContext, name: string): User {
  const user = ctx.state.users.get(name);
  if (user) return user;
  // Only a caller who may list users learns that a name is free.
  ctx.can('user', 'view');
  throw notFound('user', name, 'list users with: anvil get users');
}

function mayGrant(ctx: ChangeContext, roles: readonly string[], verb: 'grant' | 'revoke'): void {
  const parsed = roles.flatMap((r) => parseRole(r));
  const namespaced = parsed.filter((r) => r.namespace !== undefined);
  if (namespaced.length === 0 || parsed.some((r) => r.namespace === undefined && r.access === 'edit')) ctx.can('user', 'edit');
  for (const r of namespaced) ctx.can('user', 'edit', r.namespace);
  for (const r of parsed) {
    if (!allows(ctx.actor, r.cls, r.access, r.namespace)) {
      throw new AnvilError(
        'ANVIL_ERR_FORBIDDEN',
        `user ${ctx.actor.user} may not ${verb} ${r.cls}-${r.access}${r.namespace ? `/${r.namespace}` : ''}: nobody ${verb}s a role they do not hold`,
      );
    }
  }
}

/** Users who can manage users cluster-wide. */
function userManagers(ctx: ChangeContext): number {
  return [...ctx.state.users.values()].filter((u) => allows({ user: u.name, roles: u.roles }, 'user', 'edit')).length;
}

/**
 * Nobody could repair users over the API without a user manager: refuse a change that removes the last
 * one (a state that never had one, as the embedded CLI's, is left alone).
 */
function keepUserAdmin(ctx: ChangeContext, managersBefore: number, what: string): void {
  if (managersBefore > 0 && userManagers(ctx) === 0)
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `${what} would leave no user with user-edit cluster-wide (e.g. cluster-admin); give that role to another user first`,
    );
}
