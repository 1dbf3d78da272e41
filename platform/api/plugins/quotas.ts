/**
 * Namespace quotas (the domain's quota.ts): who works in a namespace reads its quota and usage; only a
 * cluster admin sets or removes one. Every create and grow of pods and volumes is checked against it in
 * the domain (403 ANVIL_ERR_QUOTA_EXCEEDED).
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { QuotaView } from '../object-schemas.js';
import { bearer, Message, NamespacedNameParams, NamespaceParams, NoQuery, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { ListQuery, listOrPage } from '../paging.js';
import { change, list, one } from './common.js';

const limit = (description: string) => Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description }));
const QuotaBody = Type.Object(
  {
    pods: limit('pods the namespace may hold (running or pending)'),
    volumes: limit('volumes the namespace may hold'),
    capacity_bytes: limit("bytes the namespace's volumes may take on the nodes (size × mirrors, summed)"),
    iops: limit("guaranteed storage IOPS of the namespace's pods (their tiers and their volumes' tiers), summed"),
    bandwidth_bits_per_s: limit("guaranteed network bandwidth of the namespace's pod endpoints, bit/s, summed"),
  },
  { additionalProperties: false, description: 'the limits; one left out is no limit' },
);

export const quotasPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const s = { tags: ['tenancy'], security: bearer };
  app.get(
    '/quotas',
    {
      schema: {
        ...s,
        operationId: 'listQuotas',
        summary: 'the quotas of every namespace the caller may view',
        description: 'The quotas, with what each namespace uses now, of every namespace the caller may view.',
        querystring: ListQuery,
        response: responses(listOrPage(QuotaView, 'the quotas')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'quotas')),
  );
  app.get<{ Params: Static<typeof NamespaceParams> }>(
    '/namespaces/:namespace/quotas',
    {
      schema: {
        ...s,
        operationId: 'listNamespacedQuotas',
        summary: "a namespace's quota",
        description: "A namespace's quota with its usage: a list of none or one.",
        params: NamespaceParams,
        querystring: ListQuery,
        response: responses(listOrPage(QuotaView, 'none or one quota')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'quotas', req.params.namespace)),
  );
  app.get<{ Params: Static<typeof NamespacedNameParams> }>(
    '/namespaces/:namespace/quotas/:name',
    {
      schema: {
        ...s,
        operationId: 'getQuota',
        summary: 'one quota',
        description: 'One quota (named after its namespace) with its usage.',
        params: NamespacedNameParams,
        querystring: NoQuery,
        response: responses(QuotaView),
      },
    },
    async (req) => one(api, req, 'quotas', req.params.name, req.params.namespace),
  );
  app.put<{ Params: Static<typeof NamespaceParams>; Body: Static<typeof QuotaBody> }>(
    '/namespaces/:namespace/quota',
    {
      schema: {
        ...s,
        operationId: 'setQuota',
        summary: "set a namespace's quota",
        description: "Sets (replaces) a namespace's quota; cluster admins only. Answers the quota as set, without usage.",
        params: NamespaceParams,
        querystring: NoQuery,
        body: QuotaBody,
        response: responses(QuotaView),
      },
    },
    async (req) =>
      await change(api, req, 'set quotas', `quotas/${req.params.namespace}`, (cp) => cp.setQuota(req.params.namespace, req.body)),
  );
  app.delete<{ Params: Static<typeof NamespaceParams> }>(
    '/namespaces/:namespace/quota',
    {
      schema: {
        ...s,
        operationId: 'deleteQuota',
        summary: "remove a namespace's quota",
        description: "Removes a namespace's quota (no limits left); cluster admins only.",
        params: NamespaceParams,
        querystring: NoQuery,
        response: responses(Message),
      },
    },
    async (req) => {
      await change(api, req, 'delete quotas', `quotas/${req.params.namespace}`, (cp) => cp.deleteQuota(req.params.namespace));
      return { message: `quota of namespace ${req.params.namespace} deleted` };
    },
  );
};
