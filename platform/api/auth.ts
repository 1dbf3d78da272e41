/**
 * Bearer-token authentication: `Authorization: Bearer <token>` names a user; the user's roles come from the
 * state, so a role change holds at once. Routes marked `config.public` (health, readiness, the OpenAPI
 * document and docs, the scheduler extender, which guards itself by the connection) need no token. Authorisation (RBAC) is the domain's: every
 * read and change runs as this actor through the same checks as the CLI.
 */
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AnvilError } from '../errors.js';
import type { Actor } from '../domain/tenancy.js';
import type { Store } from '../state/store.js';
import type { ClusterState } from '../domain/cluster-state.js';
import type { ObjectRevisions } from '../state/revisions.js';
import type { TokenStore } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined;
    /** The store's check mark when the request arrived (Store.checkMark), for its reads of the state (readStateOf). */
    stateMark: number;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export function installAuth(app: FastifyInstance, store: Store, tokens: TokenStore): void {
  app.decorateRequest('actor', undefined);
  // Until the hook below sets it, a mark no check comes after: every read asks SQLite.
  app.decorateRequest('stateMark', Number.POSITIVE_INFINITY);
  // A callback hook, not an async one: no promise and no extra turn of the microtask queue per request.
  const authenticate: onRequestHookHandler = (req, _reply, done) => {
    // Before anything of the request is read: its reads see every commit made before it arrived.
    req.stateMark = store.checkMark();
    try {
      req.actor = bearerActor(store, tokens, req.headers.authorization);
    } catch (e) {
      return done(e as Error);
    }
    done();
  };
  // Given to each route that needs it as it is registered (install before the routes), first of its own
  // onRequest hooks: a request asks nothing of its route (`req.routeOptions` builds an object per call).
  app.addHook('onRoute', (route) => {
    const url = route.url;
    // The docs page and its assets (served by @fastify/swagger-ui) are public like the OpenAPI document.
    if (route.config?.public === true || url === '/docs' || url.startsWith('/docs/')) return;
    route.onRequest = [authenticate, ...[route.onRequest ?? []].flat()];
  });
}

/** The actor a bearer token names, or ANVIL_ERR_UNAUTHENTICATED (no, unknown or revoked token). */
export function bearerActor(store: Store, tokens: TokenStore, header: string | undefined): Actor {
  const mark = store.checkMark();
  // The token cache asks SQLite whether another process committed; when the state held is current, that
  // one check serves the roles too (and the request's answer: readStateOf), from the same moment. A header
  // seen before with a token still known is looked up as sent, neither parsed nor hashed again.
  let user = header === undefined ? undefined : tokens.knownUserOf(header);
  if (user === undefined) {
    const m = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    if (!m)
      throw new AnvilError(
        'ANVIL_ERR_UNAUTHENTICATED',
        'send Authorization: Bearer <token>; get a token with: anvil token create USER (or anvil login)',
      );
    user = tokens.userOf(m[1]!, header);
  }
  const name = user;
  const roles = name === undefined ? undefined : store.readStateAfter(mark, (s) => s.users.get(name)?.roles);
  if (name === undefined || roles === undefined)
    throw new AnvilError(
      'ANVIL_ERR_UNAUTHENTICATED',
      'the token is unknown or revoked, or its user was deleted; ask an administrator for a new one',
    );
  return { user: name, roles };
}

/**
 * A read of the state (objects in memory only, no SQL) for request `req`: it asks SQLite whether another
 * process committed only if nothing has asked since the request arrived (Store.readStateAfter). The token
 * check of an authenticated request has, so its answer costs no second check, and still shows every
 * commit made before the request arrived.
 */
export function readStateOf<T>(store: Store, req: FastifyRequest, fn: (state: ClusterState, revisions: ObjectRevisions) => T): T {
  return store.readStateAfter(req.stateMark, fn);
}

/** The authenticated actor of a request (the hook guarantees one on non-public routes). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AnvilError('ANVIL_ERR_UNAUTHENTICATED', 'send Authorization: Bearer <token>');
  return req.actor;
}
