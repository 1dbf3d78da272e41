/** Perf tiers (QoS): list, get, create, delete. Their maximums cap pods on the model only, not on a host yet (the answers say so). */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_STORAGE_WEIGHT, perfTierView, STORAGE_WEIGHT_RANGE, TIER_IO_SIZE_RANGE } from '../../domain/perf-tier.js';
import { answer } from '../object-schemas.js';
import { bearer, Message, NameParams, ObjectName, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { ListQuery, listOrPage } from '../paging.js';
import { BANDWIDTH_RANGE, IOPS_RANGE } from '../../domain/limits.js';
import { change, list, one } from './common.js';

const NOT_ENFORCED =
  'a cap: the model caps a pod at it in a scenario run (storage QoS limit, VF maximum rate); the platform on a host does not yet';

const PerfTierBody = Type.Object(
  {
    name: ObjectName,
    storage_iops: Type.Integer({ minimum: IOPS_RANGE.min, maximum: IOPS_RANGE.max, description: 'guaranteed IOPS' }),
    network_bandwidth_bits_per_s: Type.Integer({
      minimum: BANDWIDTH_RANGE.min,
      maximum: BANDWIDTH_RANGE.max,
      description: 'guaranteed bandwidth, bit/s',
    }),
    max_storage_iops: Type.Optional(Type.Integer({ minimum: IOPS_RANGE.min, maximum: IOPS_RANGE.max, description: NOT_ENFORCED })),
    max_network_bandwidth_bits_per_s: Type.Optional(
      Type.Integer({ minimum: BANDWIDTH_RANGE.min, maximum: BANDWIDTH_RANGE.max, description: NOT_ENFORCED }),
    ),
    io_size_bytes: Type.Optional(
      Type.Integer({
        minimum: TIER_IO_SIZE_RANGE.min,
        maximum: TIER_IO_SIZE_RANGE.max,
        description: "size of the tier's I/Os, bytes, that admission prices its storage guarantee at (default 4096)",
      }),
    ),
    read_fraction: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: "fraction of the tier's I/Os that are reads (default 0.7)" }),
    ),
    storage_weight: Type.Optional(
      Type.Integer({
        minimum: STORAGE_WEIGHT_RANGE.min,
        maximum: STORAGE_WEIGHT_RANGE.max,
        description: `shares of a drive's spare capacity for each volume of the tier (default ${DEFAULT_STORAGE_WEIGHT}, vSphere's Normal)`,
      }),
    ),
  },
  { additionalProperties: false },
);

/** A perf tier as answered (`perfTierView`): the fields in its order, required ones first, then the optional maximums. */
const PerfTierObject = answer(
  {
    kind: Type.Literal('PerfTier'),
    name: Type.String(),
    storage_iops: Type.Number({ description: 'guaranteed IOPS (a minimum, admitted per node)' }),
    network_bandwidth_bits_per_s: Type.Number({
      description: 'guaranteed bandwidth per endpoint, bit/s (a minimum, admitted per pod port)',
    }),
    builtin: Type.Boolean({ description: 'shipped with the appliance: may not be deleted' }),
    maximums_enforced: Type.Literal(false, {
      description: 'always false for now: on a host the maximums are recorded, not enforced (the model enforces them in scenario runs)',
    }),
    max_storage_iops: Type.Optional(Type.Number({ description: NOT_ENFORCED })),
    max_network_bandwidth_bits_per_s: Type.Optional(Type.Number({ description: NOT_ENFORCED })),
    io_size_bytes: Type.Optional(Type.Number({ description: "size of the tier's I/Os its guarantee is priced at, bytes (absent: 4096)" })),
    read_fraction: Type.Optional(Type.Number({ description: 'fraction of reads its guarantee is priced at (absent: 0.7)' })),
    storage_weight: Type.Optional(
      Type.Number({ description: `shares of a drive's spare capacity per volume of the tier (absent: ${DEFAULT_STORAGE_WEIGHT})` }),
    ),
  },
  'a perf tier (QoS class): guaranteed minimums, and maximums the model enforces (not yet on a host)',
);

export const perfTiersPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const tags = ['perf-tiers'];
  app.get(
    '/perf-tiers',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'listPerfTiers',
        summary: 'the perf tiers',
        description: 'Every perf tier: built-in (best-effort, medium, high) and created ones.',
        querystring: ListQuery,
        response: responses(listOrPage(PerfTierObject, 'the perf tiers')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'perf-tiers')),
  );
  app.get<{ Params: Static<typeof NameParams> }>(
    '/perf-tiers/:name',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'getPerfTier',
        summary: 'one perf tier',
        description: 'One perf tier: its guaranteed minimums and recorded maximums.',
        params: NameParams,
        response: responses(PerfTierObject),
      },
    },
    async (req) => one(api, req, 'perf-tiers', req.params.name),
  );
  app.post<{ Body: Static<typeof PerfTierBody> }>(
    '/perf-tiers',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'createPerfTier',
        summary: 'create a perf tier',
        description: 'Creates a perf tier with guaranteed IOPS and bandwidth; maximums are enforced on the model, recorded only on a host.',
        body: PerfTierBody,
        response: responses(PerfTierObject, 201),
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          perfTierView(await change(api, req, 'create perf-tiers', `perf-tiers/${req.body.name}`, (cp) => cp.createPerfTier(req.body))),
        ),
  );
  app.delete<{ Params: Static<typeof NameParams> }>(
    '/perf-tiers/:name',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'deletePerfTier',
        summary: 'delete a perf tier',
        description: 'Deletes a perf tier that is not built in and that nothing uses.',
        params: NameParams,
        response: responses(Message),
      },
    },
    async (req) => {
      await change(api, req, 'delete perf-tiers', `perf-tiers/${req.params.name}`, (cp) => cp.deletePerfTier(req.params.name));
      return { message: `perf tier ${req.params.name} deleted` };
    },
  );
};
