/** Tenants (namespaces), users with their roles, and API tokens. */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnvilError } from '../../errors.js';
import { allows } from '../../domain/tenancy.js';
import { actorOf } from '../auth.js';
import { AnyObject, bearer, Message, NameParams, NoQuery, ObjectList, ObjectName, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { change, list, one } from './common.js';

const TenantBody = Type.Object({ name: ObjectName }, { additionalProperties: false });
const Roles = Type.Array(Type.String({ minLength: 1, description: '<class>-<view|edit>[/<namespace>] or a bundle: cluster-admin, viewer, tenant-admin/NS, tenant-user/NS' }), { maxItems: 64 });
const UserBody = Type.Object({ name: ObjectName, roles: Roles }, { additionalProperties: false });
const UserRolesBody = Type.Object({ roles: Roles }, { additionalProperties: false });
const TokenBody = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'what the token is for' })) }, { additionalProperties: false });
const TokenInfo = Type.Object({ id: Type.Integer(), user: Type.String(), name: Type.String(), created_at: Type.String() });
const IssuedToken = Type.Object({ token: Type.String({ description: 'shown once; only its hash is kept' }), info: TokenInfo });
const TokenParams = Type.Object({ name: ObjectName, id: Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'the token id' }) });

export const tenancyPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const s = { tags: ['tenancy'], security: bearer };
  app.get('/whoami', { schema: { ...s, summary: 'the caller and its roles', response: responses(Type.Object({ user: Type.String(), roles: Type.Array(Type.String()) })) } }, async (req) => actorOf(req));
  app.get('/namespaces', { schema: { ...s, response: responses(ObjectList) } }, async (req) => list(api, req, 'namespaces'));
  app.post<{ Body: Static<typeof TenantBody> }>('/namespaces', { schema: { ...s, summary: 'create a tenant', body: TenantBody, response: responses(Message, 201) } }, async (req, reply) => {
    change(api, req, 'create namespaces', `namespaces/${req.body.name}`, (cp) => cp.createTenant(req.body.name));
    return reply.status(201).send({ message: `namespace ${req.body.name} created` });
  });
  app.get<{ Params: Static<typeof NameParams> }>('/namespaces/:name', { schema: { ...s, summary: 'one tenant', params: NameParams, querystring: NoQuery, response: responses(AnyObject) } }, async (req) => one(api, req, 'namespaces', req.params.name));
  app.delete<{ Params: Static<typeof NameParams> }>('/namespaces/:name', { schema: { ...s, params: NameParams, response: responses(Message) } }, async (req) => {
    change(api, req, 'delete namespaces', `namespaces/${req.params.name}`, (cp) => cp.deleteTenant(req.params.name));
    return { message: `namespace ${req.params.name} deleted` };
  });
  app.get('/users', { schema: { ...s, response: responses(ObjectList) } }, async (req) => list(api, req, 'users'));
  app.get<{ Params: Static<typeof NameParams> }>('/users/:name', { schema: { ...s, summary: 'one user and its roles', params: NameParams, querystring: NoQuery, response: responses(AnyObject) } }, async (req) => one(api, req, 'users', req.params.name));
  app.post<{ Body: Static<typeof UserBody> }>('/users', { schema: { ...s, body: UserBody, response: responses(AnyObject, 201) } }, async (req, reply) => {
    // Tokens left by a deleted user of this name (a crash between deleting it and revoking them) go first.
    if (!api.store.read((st) => st.users.has(req.body.name))) api.tokens.revokeAll(req.body.name, actorOf(req).user);
    return reply.status(201).send(change(api, req, 'create users', `users/${req.body.name}`, (cp) => cp.createUser(req.body.name, req.body.roles)));
  });
  app.patch<{ Params: Static<typeof NameParams>; Body: Static<typeof UserRolesBody> }>('/users/:name', { schema: { ...s, summary: "replace a user's roles (the caller must be able to revoke the old ones and grant the new)", params: NameParams, querystring: NoQuery, body: UserRolesBody, response: responses(AnyObject) } }, async (req) =>
    change(api, req, 'update users', `users/${req.params.name}`, (cp) => cp.setUserRoles(req.params.name, req.body.roles)),
  );
  app.delete<{ Params: Static<typeof NameParams> }>('/users/:name', { schema: { ...s, summary: 'delete a user and revoke all its tokens', params: NameParams, querystring: NoQuery, response: responses(Message) } }, async (req) => {
    change(api, req, 'delete users', `users/${req.params.name}`, (cp) => cp.deleteUser(req.params.name));
    const revoked = api.tokens.revokeAll(req.params.name, actorOf(req).user);
    return { message: `user ${req.params.name} deleted, ${revoked} token${revoked === 1 ? '' : 's'} revoked` };
  });

  /** Tokens: a user manages its own; managing another's needs user-edit cluster-wide. */
  function mayManageTokens(req: Parameters<typeof actorOf>[0], user: string): void {
    const actor = actorOf(req);
    if (actor.user !== user && !allows(actor, 'user', 'edit')) {
      throw new AnvilError('ANVIL_ERR_FORBIDDEN', `user ${actor.user} may manage only its own tokens; the role user-edit is needed for ${user}'s`);
    }
    if (!api.store.read((st) => st.users.has(user))) throw new AnvilError('ANVIL_ERR_OBJECT_NOT_FOUND', `user ${user} does not exist; create it with POST /api/v1/users`);
  }
  app.post<{ Params: Static<typeof NameParams>; Body: Static<typeof TokenBody> }>('/users/:name/tokens', { schema: { ...s, summary: 'issue a token for a user (shown once)', params: NameParams, body: TokenBody, response: responses(IssuedToken, 201) } }, async (req, reply) => {
    mayManageTokens(req, req.params.name);
    return reply.status(201).send(api.tokens.issue(req.params.name, req.body.name ?? 'api', actorOf(req).user));
  });
  app.get<{ Params: Static<typeof NameParams> }>('/users/:name/tokens', { schema: { ...s, summary: "a user's tokens (never their text)", params: NameParams, response: responses(Type.Array(TokenInfo)) } }, async (req) => {
    mayManageTokens(req, req.params.name);
    return api.tokens.list(req.params.name);
  });
  app.get('/tokens', { schema: { ...s, summary: 'the tokens the caller may manage (every user\'s with user-edit cluster-wide, else its own; never their text)', querystring: NoQuery, response: responses(Type.Array(TokenInfo)) } }, async (req) => {
    const actor = actorOf(req);
    return allows(actor, 'user', 'edit') ? api.tokens.list() : api.tokens.list(actor.user);
  });
  app.delete<{ Params: Static<typeof TokenParams> }>('/users/:name/tokens/:id', { schema: { ...s, summary: 'revoke a token', params: TokenParams, response: responses(Message) } }, async (req) => {
    mayManageTokens(req, req.params.name);
    if (!api.tokens.revoke(req.params.name, Number(req.params.id), actorOf(req).user)) throw new AnvilError('ANVIL_ERR_OBJECT_NOT_FOUND', `user ${req.params.name} has no token ${req.params.id}; list them with GET /api/v1/users/${req.params.name}/tokens`);
    return { message: `token ${req.params.id} revoked` };
  });
};
