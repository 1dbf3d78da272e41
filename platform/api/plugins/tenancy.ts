/** Tenants (namespaces), users with their roles, and API tokens. */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnvilError } from '../../errors.js';
import { allows, namespacedEdits, namespacedViews, ROLE_CLASSES } from '../../domain/tenancy.js';
import { actorOf } from '../auth.js';
import { TenantObject, UserObject } from '../object-schemas.js';
import { bearer, Message, NameParams, NoQuery, ObjectName, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { ListQuery, listOrPage } from '../paging.js';
import { change, list, one } from './common.js';

const TenantBody = Type.Object({ name: ObjectName }, { additionalProperties: false });
const Roles = Type.Array(
  Type.String({
    minLength: 1,
    description: '<class>-<view|edit>[/<namespace>] or a bundle: cluster-admin, viewer, tenant-admin/NS, tenant-user/NS',
  }),
  { maxItems: 64 },
);
const UserBody = Type.Object({ name: ObjectName, roles: Roles }, { additionalProperties: false });
const UserRolesBody = Type.Object({ roles: Roles }, { additionalProperties: false });
const TokenBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'what the token is for' })) },
  { additionalProperties: false },
);
const TokenInfo = Type.Object(
  {
    id: Type.Integer(),
    user: Type.String(),
    name: Type.String({ description: 'what the token is for' }),
    created_at: Type.String({ description: 'issued, ISO 8601 UTC' }),
  },
  { description: 'a token, never its text' },
);
const IssuedToken = Type.Object(
  { token: Type.String({ description: 'shown once; only its hash is kept' }), info: TokenInfo },
  { description: 'a new token' },
);
const Whoami = Type.Object(
  {
    user: Type.String(),
    roles: Type.Array(Type.String()),
    cluster_views: Type.Array(Type.String(), {
      description: `role classes (${ROLE_CLASSES.join(', ')}) the caller may view cluster-wide: what a client may ask for without a 403`,
    }),
    cluster_edits: Type.Array(Type.String(), {
      description: 'role classes the caller may edit cluster-wide (in every namespace too): what a client may offer to change',
    }),
    namespace_views: Type.Record(Type.String(), Type.Array(Type.String()), {
      description:
        "per namespace its roles name (a tenant user's own): the role classes it may view there (container: that tenant's runs, GET /runs)",
    }),
    namespace_edits: Type.Record(Type.String(), Type.Array(Type.String()), {
      description: "per namespace its roles name (a tenant user's own): the role classes it may edit there",
    }),
  },
  { description: 'the caller, its roles, and what it may view and edit' },
);
const TokenParams = Type.Object({
  name: NameParams.properties.name,
  id: Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'the token id' }),
});

export const tenancyPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const s = { tags: ['tenancy'], security: bearer };
  app.get(
    '/whoami',
    {
      schema: {
        ...s,
        operationId: 'whoami',
        summary: 'the caller and its roles',
        description:
          'The user the bearer token belongs to, its roles, and the role classes it may view and edit (what the dashboard offers).',
        response: responses(Whoami),
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return {
        user: actor.user,
        roles: actor.roles,
        cluster_views: ROLE_CLASSES.filter((c) => allows(actor, c, 'view')),
        cluster_edits: ROLE_CLASSES.filter((c) => allows(actor, c, 'edit')),
        namespace_views: namespacedViews(actor),
        namespace_edits: namespacedEdits(actor),
      };
    },
  );
  app.get(
    '/namespaces',
    {
      schema: {
        ...s,
        operationId: 'listNamespaces',
        summary: 'the namespaces (tenants)',
        description: 'Every namespace (tenant) the caller may view.',
        querystring: ListQuery,
        response: responses(listOrPage(TenantObject, 'the namespaces')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'namespaces')),
  );
  app.post<{ Body: Static<typeof TenantBody> }>(
    '/namespaces',
    {
      schema: {
        ...s,
        operationId: 'createNamespace',
        summary: 'create a tenant',
        description: 'Creates a namespace (tenant).',
        body: TenantBody,
        response: responses(Message, 201),
      },
    },
    async (req, reply) => {
      await change(api, req, 'create namespaces', `namespaces/${req.body.name}`, (cp) => cp.createTenant(req.body.name));
      return reply.status(201).send({ message: `namespace ${req.body.name} created` });
    },
  );
  app.get<{ Params: Static<typeof NameParams> }>(
    '/namespaces/:name',
    {
      schema: {
        ...s,
        operationId: 'getNamespace',
        summary: 'one tenant',
        description: 'One namespace (tenant).',
        params: NameParams,
        querystring: NoQuery,
        response: responses(TenantObject),
      },
    },
    async (req) => one(api, req, 'namespaces', req.params.name),
  );
  app.delete<{ Params: Static<typeof NameParams> }>(
    '/namespaces/:name',
    {
      schema: {
        ...s,
        operationId: 'deleteNamespace',
        summary: 'delete a tenant',
        description: 'Deletes a namespace (tenant) that holds nothing.',
        params: NameParams,
        response: responses(Message),
      },
    },
    async (req) => {
      await change(api, req, 'delete namespaces', `namespaces/${req.params.name}`, (cp) => cp.deleteTenant(req.params.name));
      return { message: `namespace ${req.params.name} deleted` };
    },
  );
  app.get(
    '/users',
    {
      schema: {
        ...s,
        operationId: 'listUsers',
        summary: 'the users',
        description: 'Every user and its roles.',
        querystring: ListQuery,
        response: responses(listOrPage(UserObject, 'the users')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'users')),
  );
  app.get<{ Params: Static<typeof NameParams> }>(
    '/users/:name',
    {
      schema: {
        ...s,
        operationId: 'getUser',
        summary: 'one user and its roles',
        description: 'One user and its roles.',
        params: NameParams,
        querystring: NoQuery,
        response: responses(UserObject),
      },
    },
    async (req) => one(api, req, 'users', req.params.name),
  );
  app.post<{ Body: Static<typeof UserBody> }>(
    '/users',
    {
      schema: {
        ...s,
        operationId: 'createUser',
        summary: 'create a user',
        description: 'Creates a user with roles; the caller must hold what it grants.',
        body: UserBody,
        response: responses(UserObject, 201),
      },
    },
    async (req, reply) => {
      // Tokens left by a deleted user of this name (a crash between deleting it and revoking them) go first.
      if (!api.store.read((st) => st.users.has(req.body.name))) api.tokens.revokeAll(req.body.name, actorOf(req).user);
      return reply
        .status(201)
        .send(await change(api, req, 'create users', `users/${req.body.name}`, (cp) => cp.createUser(req.body.name, req.body.roles)));
    },
  );
  app.patch<{ Params: Static<typeof NameParams>; Body: Static<typeof UserRolesBody> }>(
    '/users/:name',
    {
      schema: {
        ...s,
        operationId: 'setUserRoles',
        summary: "replace a user's roles",
        description: "Replaces a user's roles; the caller must be able to revoke the old ones and grant the new.",
        params: NameParams,
        querystring: NoQuery,
        body: UserRolesBody,
        response: responses(UserObject),
      },
    },
    async (req) =>
      await change(api, req, 'update users', `users/${req.params.name}`, (cp) => cp.setUserRoles(req.params.name, req.body.roles)),
  );
  app.delete<{ Params: Static<typeof NameParams> }>(
    '/users/:name',
    {
      schema: {
        ...s,
        operationId: 'deleteUser',
        summary: 'delete a user',
        description: 'Deletes a user and revokes all its tokens.',
        params: NameParams,
        querystring: NoQuery,
        response: responses(Message),
      },
    },
    async (req) => {
      await change(api, req, 'delete users', `users/${req.params.name}`, (cp) => cp.deleteUser(req.params.name));
      const revoked = api.tokens.revokeAll(req.params.name, actorOf(req).user);
      return { message: `user ${req.params.name} deleted, ${revoked} token${revoked === 1 ? '' : 's'} revoked` };
    },
  );

  /** Tokens: a user manages its own; managing another's needs user-edit cluster-wide. */
  function mayManageTokens(req: Parameters<typeof actorOf>[0], user: string): void {
    const actor = actorOf(req);
    if (actor.user !== user && !allows(actor, 'user', 'edit')) {
      throw new AnvilError(
        'ANVIL_ERR_FORBIDDEN',
        `user ${actor.user} may manage only its own tokens; the role user-edit is needed for ${user}'s`,
      );
    }
    if (!api.store.read((st) => st.users.has(user)))
      throw new AnvilError('ANVIL_ERR_OBJECT_NOT_FOUND', `user ${user} does not exist; create it with POST /apis/anvil.dev/v1/users`);
  }
  app.post<{ Params: Static<typeof NameParams>; Body: Static<typeof TokenBody> }>(
    '/users/:name/tokens',
    {
      schema: {
        ...s,
        operationId: 'issueToken',
        summary: 'issue a token for a user',
        description:
          "Issues a bearer token for a user; its text is shown once. A user manages its own tokens; another's need user-edit cluster-wide.",
        params: NameParams,
        body: TokenBody,
        response: responses(IssuedToken, 201),
      },
    },
    async (req, reply) => {
      mayManageTokens(req, req.params.name);
      return reply.status(201).send(api.tokens.issue(req.params.name, req.body.name ?? 'api', actorOf(req).user));
    },
  );
  app.get<{ Params: Static<typeof NameParams> }>(
    '/users/:name/tokens',
    {
      schema: {
        ...s,
        operationId: 'listUserTokens',
        summary: "a user's tokens",
        description: "A user's tokens (never their text).",
        params: NameParams,
        response: responses(Type.Array(TokenInfo, { description: 'the tokens' })),
      },
    },
    async (req) => {
      mayManageTokens(req, req.params.name);
      return api.tokens.list(req.params.name);
    },
  );
  app.get(
    '/tokens',
    {
      schema: {
        ...s,
        operationId: 'listTokens',
        summary: 'the tokens the caller may manage',
        description: "The tokens the caller may manage: every user's with user-edit cluster-wide, else its own; never their text.",
        querystring: NoQuery,
        response: responses(Type.Array(TokenInfo, { description: 'the tokens' })),
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return allows(actor, 'user', 'edit') ? api.tokens.list() : api.tokens.list(actor.user);
    },
  );
  app.delete<{ Params: Static<typeof TokenParams> }>(
    '/users/:name/tokens/:id',
    {
      schema: {
        ...s,
        operationId: 'revokeToken',
        summary: 'revoke a token',
        description: "Revokes one of a user's tokens by id.",
        params: TokenParams,
        response: responses(Message),
      },
    },
    async (req) => {
      mayManageTokens(req, req.params.name);
      if (!api.tokens.revoke(req.params.name, Number(req.params.id), actorOf(req).user))
        throw new AnvilError(
          'ANVIL_ERR_OBJECT_NOT_FOUND',
          `user ${req.params.name} has no token ${req.params.id}; list them with GET /apis/anvil.dev/v1/users/${req.params.name}/tokens`,
        );
      return { message: `token ${req.params.id} revoked` };
    },
  );
};
