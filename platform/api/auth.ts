/**
 * Bearer-token authentication: `Authorization: Bearer <token>` names a user; the user's roles come from the
 * state, so a role change holds at once. Routes marked `config.public` (health, readiness, the OpenAPI
 * document and docs, the scheduler extender, which guards itself by the connection) need no token. Authorisation (RBAC) is the domain's: every
 * read and change runs as this actor through the same checks as the CLI.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AnvilError } from '../errors.js';
import type { Actor } from '../domain/tenancy.js';
import type { Store } from '../state/store.js';
import type { TokenStore } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export function installAuth(app: FastifyInstance, store: Store, tokens: TokenStore): void {
  app.decorateRequest('actor', undefined);
  app.addHook('onRequest', async (req) => {
    const url = req.routeOptions.url;
    // The docs page and its assets (served by @fastify/swagger-ui) are public like the OpenAPI document.
    if (req.routeOptions.config.public || url === undefined || url === '/docs' || url.startsWith('/docs/')) return;
    req.actor = bearerActor(store, tokens, req.headers.authorization);
  });
}

/** The actor a bearer token names, or ANVIL_ERR_UNAUTHENTICATED (no, unknown or revoked token). */
export function bearerActor(store: Store, tokens: TokenStore, header: string | undefined): Actor {
  const m = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  if (!m)
    throw new AnvilError(
      'ANVIL_ERR_UNAUTHENTICATED',
      'send Authorization: Bearer <token>; get a token with: anvil token create USER (or anvil login)',
    );
  const user = tokens.userOf(m[1]!);
  const roles = user === undefined ? undefined : store.read((s) => s.users.get(user)?.roles);
  if (user === undefined || roles === undefined)
    throw new AnvilError(
      'ANVIL_ERR_UNAUTHENTICATED',
      'the token is unknown or revoked, or its user was deleted; ask an administrator for a new one',
    );
  return { user, roles };
}

/** The authenticated actor of a request (the hook guarantees one on non-public routes). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AnvilError('ANVIL_ERR_UNAUTHENTICATED', 'send Authorization: Bearer <token>');
  return req.actor;
}
