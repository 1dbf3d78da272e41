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
import { answer } from '../object-schemas.js';
import { bearer, responses } from '../schemas.js';
import type { Api } from '../api.js';

export const systemPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const Status = Type.Object({ status: Type.String({ description: 'ok' }) }, { description: 'the process answers' });
  const Ready = Type.Object(
    { status: Type.String({ description: 'ready' }), schema_version: Type.Integer({ description: "the state file's schema version" }) },
    { description: 'the state is readable' },
  );
  const Metrics = Type.String({ description: 'Prometheus text exposition format' });
  // The document's own shape is OpenAPI 3.0's; its parts are kept as they are, in @fastify/swagger's order.
  const part = (description: string) => Type.Object({}, { additionalProperties: true, description });
  const Document = answer(
    {
      openapi: Type.String({ description: 'the OpenAPI version' }),
      info: part('title, version, description, license'),
      components: part('schemas and security schemes'),
      paths: part('the operations, by path and method'),
      servers: Type.Array(part('a server')),
      tags: Type.Array(part('a tag')),
    },
    'an OpenAPI 3.0 document',
  );
  const tags = ['system'];
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags,
        operationId: 'getHealth',
        summary: 'liveness',
        description: 'Liveness: the process answers; no token needed.',
        response: responses(Status),
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags,
        operationId: 'getReadiness',
        summary: 'readiness',
        description: 'Readiness: the state file is open and readable; no token needed.',
        response: responses(Ready),
      },
    },
    async () => {
      try {
        return { status: 'ready', schema_version: api.store.schemaVersion() };
      } catch (e) {
        throw new AnvilError('ANVIL_ERR_STATE', `the state is not readable: ${(e as Error).message}`);
      }
    },
  );
  app.get(
    '/metrics',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        description: 'Prometheus metrics (text exposition format); needs a cluster-wide view role (cluster-view, viewer, cluster-admin).',
        response: {
          200: { description: 'the metrics', content: { 'text/plain': { schema: Metrics } } },
          '4xx': Type.Ref('ErrorBody'),
          '5xx': Type.Ref('ErrorBody'),
        },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      if (!allows(actor, 'cluster', 'view')) {
        throw new AnvilError(
          'ANVIL_ERR_FORBIDDEN',
          `user ${actor.user} may not read /metrics: it counts the requests of every tenant; a cluster-wide view role is needed (cluster-view, viewer or cluster-admin), e.g. anvil user create prometheus --roles cluster-view`,
        );
      }
      reply.type(api.metrics.contentType);
      return api.metrics.metrics();
    },
  );
  app.get(
    '/openapi.json',
    {
      config: { public: true },
      schema: {
        tags,
        operationId: 'getOpenApiDocument',
        summary: 'this OpenAPI document',
        description: 'The OpenAPI 3.0 document of every route; no token needed.',
        response: responses(Document),
      },
    },
    async () => app.swagger(),
  );
};
