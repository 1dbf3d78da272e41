/**
 * Liveness, readiness and the OpenAPI document: public, no token. Prometheus metrics: a bearer token of a
 * user who may view the cluster as a whole (cluster-view, viewer, cluster-admin), as Kubernetes' own
 * components guard /metrics; the counts span every tenant, so a tenant's roles are refused.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AnvilError } from '../../errors.js';
import { allows } from '../../domain/tenancy.js';
import { actorOf } from '../auth.js';
import { bearer } from '../schemas.js';
import type { Api } from '../api.js';

export const systemPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const Status = Type.Object({ status: Type.String() });
  app.get('/healthz', { config: { public: true }, schema: { tags: ['system'], summary: 'liveness: the process answers', response: { 200: Status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { tags: ['system'], summary: 'readiness: the state file is open and readable', response: { 200: Type.Object({ status: Type.String(), schema_version: Type.Integer() }), '5xx': Type.Ref('ErrorBody') } } }, async () => {
    try {
      return { status: 'ready', schema_version: api.store.schemaVersion() };
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_STATE', `the state is not readable: ${(e as Error).message}`);
    }
  });
  app.get('/metrics', { schema: { tags: ['system'], security: bearer, summary: 'Prometheus metrics (text exposition format); needs a cluster-wide view role (cluster-view, viewer, cluster-admin)', produces: ['text/plain'] } }, async (req, reply) => {
    const actor = actorOf(req);
    if (!allows(actor, 'cluster', 'view')) {
      throw new AnvilError('ANVIL_ERR_FORBIDDEN', `user ${actor.user} may not read /metrics: it counts the requests of every tenant; a cluster-wide view role is needed (cluster-view, viewer or cluster-admin), e.g. anvil user create prometheus --roles cluster-view`);
    }
    reply.type(api.metrics.contentType);
    return api.metrics.metrics();
  });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
};
