/**
 * What the nodes and networks have used of what they have, as JSON: the figures of `anvil cluster status`
 * and the Prometheus gauges (state-metrics.ts), for the dashboard and any other client. Reserved is what
 * admission counted (the pods' guarantees), never a measurement. The views are the domain's (usage.ts).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import type { ClusterState } from '../../domain/cluster-state.js';
import type { Network } from '../../domain/network.js';
import type { Node } from '../../domain/node.js';
import { objectsOf, type Kind } from '../../domain/queries.js';
import { allocationTotals, nodeAllocations, poolAllocations } from '../../domain/usage.js';
import { AnvilError } from '../../errors.js';
import { actorOf } from '../auth.js';
import { answer, ClusterObject, stringEnum } from '../object-schemas.js';
import { bearer, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { ListQuery, listOrPage } from '../paging.js';

const usedOf = (what: string) =>
  answer({ used: Type.Number({ description: `${what} taken` }), total: Type.Number({ description: `${what} the node has` }) }, what);
const reservedOf = (what: string) =>
  answer(
    {
      reserved: Type.Number({ description: `${what} the running pods' guarantees reserve` }),
      guaranteeable: Type.Number({ description: `${what} the node can guarantee` }),
    },
    what,
  );

/** The figures of an allocation, a node's or the cluster's sums: used or reserved of what there is. */
const ALLOCATION_FIGURES = {
  pods: usedOf('pods'),
  cpu_millicores: usedOf('CPU, millicores'),
  memory_bytes: usedOf('memory, bytes'),
  storage_bytes: usedOf('raw NVMe capacity, bytes (plexes)'),
  vfs: usedOf('SR-IOV virtual functions of the pod ports'),
  iops: reservedOf('4K-equivalent storage IOPS'),
  bandwidth_bits_per_s: reservedOf('network bandwidth, bit/s'),
};

const NodeUsageView = answer(
  {
    node: Type.String(),
    state: stringEnum(['ready', 'cordoned', 'drained', 'down'] as const),
    zone: Type.String(),
    profile: Type.String({ description: 'the node profile it was built from' }),
    drives: Type.Integer({ description: 'NVMe drives' }),
    ...ALLOCATION_FIGURES,
  },
  "a node's allocation: used or reserved of what it has",
);

const PoolUsageView = answer(
  {
    network: Type.String(),
    subnet: Type.String({ description: 'CIDR' }),
    used: Type.Integer({ description: 'addresses taken: bound to running pods, kept by pods, held by persistent endpoints' }),
    size: Type.Integer({ description: 'addresses in the range start..end' }),
  },
  "a network's address pool",
);

const ClusterUsageView = answer(
  {
    cluster: ClusterObject,
    nodes: Type.Integer({ description: 'nodes the caller may view' }),
    nodes_by_state: Type.Record(Type.String(), Type.Integer(), {
      description: 'those nodes counted by state (ready, cordoned, drained, down)',
    }),
    ...ALLOCATION_FIGURES,
  },
  "the cluster and the sums of its nodes' allocations: a summary of any number of nodes in one small answer",
);

export const usagePlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const s = { tags: ['cluster'], security: bearer };
  /** A cluster-scoped listing of `kind` turned into views: the kind's view role first, pages as every list has. */
  const route =
    <T>(kind: Kind, views: (state: ClusterState, objects: T[]) => unknown[]) =>
    (req: FastifyRequest, reply: FastifyReply) => {
      const actor = actorOf(req);
      const answered = api.pages.answer(
        actor.user,
        req.url.split('?')[0]!,
        req.query as ListQuery,
        () => api.store.read((state) => views(state, objectsOf(state, actor, kind, undefined) as T[])),
        () => api.store.read((state) => objectsOf(state, actor, kind, undefined, '')),
        () => true,
      );
      void reply.type('application/json; charset=utf-8');
      return answered;
    };
  const list = (item: TSchema, what: string) => responses(listOrPage(item, what));
  app.get(
    '/usage/nodes',
    {
      schema: {
        ...s,
        operationId: 'listNodeUsage',
        summary: "each node's allocation",
        description:
          'Per node the caller may view: pods, CPU, memory, storage and VFs used of what it has, and storage IOPS and network bandwidth reserved of what it can guarantee (the figures of anvil cluster status).',
        querystring: ListQuery,
        response: list(NodeUsageView, 'the nodes'),
      },
    },
    route<Node>('nodes', nodeAllocations),
  );
  app.get(
    '/usage/cluster',
    {
      schema: {
        ...s,
        operationId: 'getClusterUsage',
        summary: "the nodes' allocations summed",
        description:
          'The cluster and, summed over the nodes the caller may view, what /usage/nodes answers per node, with the nodes counted by state: the summary of a cluster of any size without listing its nodes.',
        response: responses(ClusterUsageView),
      },
    },
    async (req) =>
      api.store.read((state) => {
        const nodes = objectsOf(state, actorOf(req), 'nodes', undefined) as Node[];
        if (!state.cluster)
          throw new AnvilError('ANVIL_ERR_NO_CLUSTER', 'this state holds no cluster yet; create one with POST /apis/anvil.dev/v1/cluster');
        return { cluster: state.cluster, ...allocationTotals(nodeAllocations(state, nodes)) };
      }),
  );
  app.get(
    '/usage/networks',
    {
      schema: {
        ...s,
        operationId: 'listPoolUsage',
        summary: "each network's address pool",
        description: 'Per network the caller may view: addresses taken of its range.',
        querystring: ListQuery,
        response: list(PoolUsageView, 'the networks'),
      },
    },
    route<Network>('networks', poolAllocations),
  );
};
