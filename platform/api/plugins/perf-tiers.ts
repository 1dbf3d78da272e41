/** Perf tiers (QoS): list, get, create, delete. */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, bearer, Message, NameParams, ObjectList, ObjectName, responses } from '../schemas.js';
import type { Api } from '../server.js';
import { BANDWIDTH_RANGE, IOPS_RANGE } from '../../domain/limits.js';
import { change, list, one } from './common.js';

const PerfTierBody = Type.Object({
  name: ObjectName,
  storage_iops: Type.Integer({ minimum: IOPS_RANGE.min, maximum: IOPS_RANGE.max, description: 'guaranteed IOPS' }),
  network_bandwidth_bits_per_s: Type.Integer({ minimum: BANDWIDTH_RANGE.min, maximum: BANDWIDTH_RANGE.max, description: 'guaranteed bandwidth, bit/s' }),
  max_storage_iops: Type.Optional(Type.Integer({ minimum: IOPS_RANGE.min, maximum: IOPS_RANGE.max })),
  max_network_bandwidth_bits_per_s: Type.Optional(Type.Integer({ minimum: BANDWIDTH_RANGE.min, maximum: BANDWIDTH_RANGE.max })),
}, { additionalProperties: false });

export const perfTiersPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const tags = ['perf-tiers'];
  app.get('/perf-tiers', { schema: { tags, security: bearer, response: responses(ObjectList) } }, async (req) => list(api, req, 'perf-tiers'));
  app.get<{ Params: Static<typeof NameParams> }>('/perf-tiers/:name', { schema: { tags, security: bearer, params: NameParams, response: responses(AnyObject) } }, async (req) => one(api, req, 'perf-tiers', req.params.name));
  app.post<{ Body: Static<typeof PerfTierBody> }>('/perf-tiers', { schema: { tags, security: bearer, body: PerfTierBody, response: responses(AnyObject, 201) } }, async (req, reply) =>
    reply.status(201).send(change(api, req, 'perf-tier create', `perftier/${req.body.name}`, (cp) => cp.createPerfTier(req.body))),
  );
  app.delete<{ Params: Static<typeof NameParams> }>('/perf-tiers/:name', { schema: { tags, security: bearer, params: NameParams, response: responses(Message) } }, async (req) => {
    change(api, req, 'delete perf-tiers', `perf-tiers/${req.params.name}`, (cp) => cp.deletePerfTier(req.params.name));
    return { message: `perf tier ${req.params.name} deleted` };
  });
};
