/** The cluster and its nodes: create, status, add, cordon/uncordon/drain/fail/recover, remove. */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnvilError } from '../../errors.js';
import { objectsOf } from '../../domain/queries.js';
import { actorOf } from '../auth.js';
import { ClusterObject, listOf, NodeObject } from '../object-schemas.js';
import { bearer, labels, Message, NameParams, ObjectName, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { ListQuery, listOrPage } from '../paging.js';
import { change, list, one } from './common.js';

const ClusterBody = Type.Object(
  {
    name: ObjectName,
    nodes: Type.Integer({ minimum: 1, maximum: 5000, description: 'number of nodes' }),
    node_profile: Type.Optional(
      Type.String({ pattern: '^[a-z0-9][a-z0-9.-]*$', description: 'a built-in node profile name (default appliance-d10)' }),
    ),
    zones: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
    policy: Type.Optional(Type.Union([Type.Literal('balance'), Type.Literal('pack')])),
    resync_share: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: "above 0 (the domain refuses 0): share of a node's storage-port bandwidth a plex resync may take (default 0.25)",
      }),
    ),
  },
  { additionalProperties: false },
);

const NodeBody = Type.Object(
  {
    name: ObjectName,
    profile: Type.Optional(
      Type.String({ pattern: '^[a-z0-9][a-z0-9.-]*$', description: "a built-in node profile (default: the cluster's)" }),
    ),
    zone: Type.Optional(ObjectName),
    labels: Type.Optional(labels('node labels, key: value')),
    taints: Type.Optional(labels('NoSchedule taints, key: value')),
  },
  { additionalProperties: false },
);

const NodeAction = Type.Object({
  name: NameParams.properties.name,
  action: Type.Union(
    ['cordon', 'uncordon', 'drain', 'fail', 'recover'].map((a) => Type.Literal(a)),
    { description: 'what to do to the node' },
  ),
});
const LinkAction = Type.Object({
  name: NameParams.properties.name,
  port: Type.String({ minLength: 1, maxLength: 63, description: "the NIC port's name in the node profile, e.g. storage0" }),
  action: Type.Union([Type.Literal('down'), Type.Literal('up')], { description: "what happens to the port's link" }),
});
/** drain and fail say which pods moved and which are pending. */
const NodeActionResult = Type.Object(
  {
    message: Type.String(),
    moved: Type.Optional(Type.Array(Type.String(), { description: 'pods placed on other nodes (namespace/name)' })),
    pending: Type.Optional(Type.Array(Type.String(), { description: 'pods that fit nowhere else and wait (namespace/name)' })),
  },
  { description: 'what was done; drain and fail also say where the pods went' },
);
const ClusterStatus = Type.Object(
  { cluster: ClusterObject, nodes: listOf(NodeObject, 'the nodes the caller may view') },
  { description: 'the cluster and its nodes' },
);
const Force = Type.Object(
  {
    force: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'true: remove it with its pods and plexes on it' }),
    ),
  },
  { additionalProperties: false },
);

export const clusterPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const tags = ['cluster'];
  app.get(
    '/cluster',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'getCluster',
        summary: 'the cluster and its nodes',
        description:
          'The cluster (name, default node profile, scoring policy) and the nodes the caller may view, as anvil cluster status reads them.',
        response: responses(ClusterStatus),
      },
    },
    async (req) =>
      api.store.read((s) => {
        const nodes = objectsOf(s, actorOf(req), 'nodes', undefined);
        if (!s.cluster)
          throw new AnvilError('ANVIL_ERR_NO_CLUSTER', 'this state holds no cluster yet; create one with POST /apis/anvil.dev/v1/cluster');
        return { cluster: s.cluster, nodes };
      }),
  );
  app.post<{ Body: Static<typeof ClusterBody> }>(
    '/cluster',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'createCluster',
        summary: 'create the cluster',
        description: 'Creates the cluster with its nodes of one built-in node profile, spread over zones, and the namespace default.',
        body: ClusterBody,
        response: responses(ClusterObject, 201),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const c = await change(api, req, 'create clusters', `clusters/${b.name}`, (cp) =>
        cp.createCluster({
          name: b.name,
          nodes: b.nodes,
          ...(b.node_profile ? { nodeProfile: b.node_profile } : {}),
          ...(b.zones ? { zones: b.zones } : {}),
          ...(b.policy ? { policy: b.policy } : {}),
          ...(b.resync_share !== undefined ? { resyncShare: b.resync_share } : {}),
        }),
      );
      return reply.status(201).send(c);
    },
  );
  app.get(
    '/nodes',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'listNodes',
        summary: 'the nodes',
        description: 'Every node: its inventory, zone, labels, taints and status.',
        querystring: ListQuery,
        response: responses(listOrPage(NodeObject, 'the nodes')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'nodes')),
  );
  app.get<{ Params: Static<typeof NameParams> }>(
    '/nodes/:name',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'getNode',
        summary: 'one node',
        description: 'One node: its inventory, zone, labels, taints and status.',
        params: NameParams,
        response: responses(NodeObject),
      },
    },
    async (req) => one(api, req, 'nodes', req.params.name),
  );
  app.post<{ Body: Static<typeof NodeBody> }>(
    '/nodes',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'addNode',
        summary: 'add a node',
        description: "Adds a node of a built-in profile (default: the cluster's) in a zone, with labels and NoSchedule taints.",
        body: NodeBody,
        response: responses(NodeObject, 201),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const n = await change(api, req, 'create nodes', `nodes/${b.name}`, (cp) =>
        cp.addNode({
          name: b.name,
          ...(b.profile ? { profile: b.profile } : {}),
          zone: b.zone ?? 'zone0',
          labels: b.labels ?? {},
          taints: Object.entries(b.taints ?? {}).map(([key, value]) => ({ key, value })),
        }),
      );
      return reply.status(201).send(n);
    },
  );
  app.post<{ Params: Static<typeof NodeAction> }>(
    '/nodes/:name/:action',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'actOnNode',
        summary: 'cordon, uncordon, drain, fail or recover a node',
        description:
          'Cordon (no new pods), uncordon, drain (cordon and move its pods), fail (inject a failure: its pods move, its plexes go out of sync) or recover a node.',
        params: NodeAction,
        response: responses(NodeActionResult),
      },
    },
    async (req) => {
      const { name, action } = req.params;
      const r = await change(api, req, `${action} nodes`, `nodes/${name}`, (cp) => {
        switch (action) {
          case 'cordon':
            cp.cordonNode(name);
            return undefined;
          case 'uncordon':
            cp.uncordonNode(name);
            return undefined;
          case 'drain':
            return cp.drainNode(name);
          case 'fail':
            return cp.failNode(name);
          default:
            cp.recoverNode(name);
            return undefined;
        }
      });
      return r
        ? {
            message: `node ${name} ${action}: ${r.moved.length} pods moved, ${r.pending.length} pending`,
            moved: r.moved,
            pending: r.pending,
          }
        : { message: `node ${name} ${action} done` };
    },
  );
  app.post<{ Params: Static<typeof LinkAction> }>(
    '/nodes/:name/links/:port/:action',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'actOnNodeLink',
        summary: "take a node's NIC port link down or bring it up",
        description:
          "Injects a link failure (down) or ends it (up). On the node's storage port, remote plexes whose path crosses it go out of sync (a volume's last copies offline, their pods pending) and resync or come back when it is up.",
        params: LinkAction,
        response: responses(NodeActionResult),
      },
    },
    async (req) => {
      const { name, port, action } = req.params;
      const target = `nodes/${name}`;
      if (action === 'down') {
        const r = await change(api, req, 'fail links', target, (cp) => cp.linkDown(name, port));
        return { message: `node ${name} port ${port} link down: ${r.pending.length} pods pending`, moved: r.moved, pending: r.pending };
      }
      await change(api, req, 'recover links', target, (cp) => cp.linkUp(name, port));
      return { message: `node ${name} port ${port} link up` };
    },
  );
  app.delete<{ Params: Static<typeof NameParams>; Querystring: Static<typeof Force> }>(
    '/nodes/:name',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'removeNode',
        summary: 'remove a node',
        description: 'Removes a node; one that hosts pods, volume plexes or snapshots needs force=true (drain it first to move its pods).',
        params: NameParams,
        querystring: Force,
        response: responses(Message),
      },
    },
    async (req) => {
      await change(api, req, 'delete nodes', `nodes/${req.params.name}`, (cp) =>
        cp.removeNode(req.params.name, req.query.force === 'true'),
      );
      return { message: `node ${req.params.name} removed` };
    },
  );
};
