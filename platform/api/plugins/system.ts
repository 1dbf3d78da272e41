/** Liveness, readiness, Prometheus metrics and the OpenAPI document: public, no token. */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AnvilError } from '../../errors.js';
import type { Api } from '../server.js';

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
  app.get('/metrics', { config: { public: true }, schema: { tags: ['system'], summary: 'Prometheus metrics (text exposition format)', produces: ['text/plain'] } }, async (_req, reply) => {
    reply.type(api.metrics.contentType);
    return api.metrics.metrics();
  });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
};
