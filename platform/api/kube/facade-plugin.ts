/**
 * The Kubernetes facade: `/version`, discovery, and core/v1 nodes, namespaces and pods (list and get), as
 * kubectl reads them, over Anvil's own objects. Same tokens and RBAC as Anvil's API (a tenant sees only its
 * namespaces' pods); errors are Kubernetes Status objects. Over plain http kubectl never sends a token, so
 * with `anonymousLoopback` a token-less call from a loopback address reads as the `viewer` role.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import type { Clock } from '../../domain/clock.js';
import type { ClusterState } from '../../domain/cluster-state.js';
import { objectsOf } from '../../domain/queries.js';
import type { Actor } from '../../domain/tenancy.js';
import type { Node } from '../../domain/node.js';
import type { Pod } from '../../domain/pod.js';
import { bearerActor } from '../auth.js';
import type { Api } from '../api.js';
import {
  AGGREGATED_V2,
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
  wantsAggregatedV2,
  wantsTable,
} from './discovery.js';
import { namespacesVisibleTo } from './namespaces.js';
import { contentVersion, kubeNamespace, kubeNode, kubePod, type KubeObject } from './objects.js';
import { StatusSchema, notFoundStatus, statusOf, statusOfError } from './status.js';
import { tableOf, type IncludeObject } from './tables.js';
import { manifestsOf } from '../../state/kube-manifests.js';
import { withManifest } from './manifest-views.js';
import { kubeWritesPlugin } from './writes-plugin.js';

export interface KubeFacadeOptions {
  readonly api: Api;
  readonly clock: Clock;
  /** Plain http only: a call without a token from 127.0.0.0/8 or ::1 acts as `system:anonymous` with `viewer`. */
  readonly anonymousLoopback: boolean;
}

/** The anonymous actor of a loopback http call: cluster-wide read, as `kubectl proxy` gives. */
export const ANONYMOUS_LOOPBACK: Actor = { user: 'system:anonymous', roles: ['viewer'] };

/** The query parameters kubectl sends on reads (limit and timeout are taken and ignored: no paging yet). */
const opt = (description: string) => Type.Optional(Type.String({ description }));
const TIMEOUT = opt('the client-side timeout kubectl sends (32s); taken and ignored');
/** What kubectl sends on discovery. */
const DiscoveryQuery = Type.Object({ timeout: TIMEOUT }, { additionalProperties: false });
/** What kubectl sends on reads (limit and timeout are taken and ignored: no paging yet). */
const KubeQuery = Type.Object(
  {
    limit: opt('taken and ignored: the whole list is answered (no paging yet)'),
    timeout: TIMEOUT,
    includeObject: Type.Optional(
      Type.Union([Type.Literal('None'), Type.Literal('Metadata'), Type.Literal('Object')], {
        description: "what a Table row embeds: nothing, the object's metadata (default) or the whole object (kubectl --sort-by)",
      }),
    ),
    labelSelector: opt('not applied yet: Anvil objects are listed whole'),
    fieldSelector: opt('not applied yet: Anvil objects are listed whole'),
    resourceVersion: opt('taken and ignored: the current state is answered'),
    watch: opt('not served yet: a watch is answered 405'),
    pretty: opt('taken and ignored'),
  },
  { additionalProperties: false },
);
const NameParams = Type.Object({ name: Type.String({ description: 'the object name' }) });
const PodParams = Type.Object({
  namespace: Type.String({ description: 'the namespace (tenant)' }),
  name: Type.String({ description: 'the pod name' }),
});
const NamespaceParams = Type.Object({ namespace: Type.String({ description: 'the namespace (tenant)' }) });
type KubeQueryT = { includeObject?: IncludeObject; watch?: string; labelSelector?: string; fieldSelector?: string };

/** A Kubernetes answer: named fields, the rest as Kubernetes defines them. */
const kubeAnswer = (description: string, fields: Record<string, TSchema> = {}) =>
  Type.Object({ kind: Type.String(), apiVersion: Type.Optional(Type.String()), ...fields }, { description, additionalProperties: true });
const errors = { '4xx': StatusSchema, '5xx': StatusSchema };
const ListOrTable = kubeAnswer('a List of the objects, or a meta.k8s.io/v1 Table when Accept asks for one', {
  metadata: Type.Object({ resourceVersion: Type.String() }),
});

const isLoopback = (address: string | undefined) =>
  address !== undefined && (address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.'));

export const kubeFacadePlugin: FastifyPluginAsync<KubeFacadeOptions> = async (app, { api, clock, anonymousLoopback }) => {
  // Facade routes are `public` to Anvil's own auth hook: this one authenticates them, answering a Status.
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (header === undefined && anonymousLoopback && isLoopback(req.socket.remoteAddress)) req.actor = ANONYMOUS_LOOPBACK;
    else req.actor = bearerActor(api.store, api.tokens, header);
  });
  app.setErrorHandler((err, req, reply) => {
    const status = kubeStatusOf(err);
    if (status.code >= 500) req.log.error(err);
    return send(reply.status(status.code), status);
  });

  const route = (
    url: string,
    operationId: string,
    description: string,
    response: TSchema,
    handler: (req: FastifyRequest, reply: FastifyReply) => unknown,
  ) => {
    const params = url.includes(':namespace/pods/:name')
      ? PodParams
      : url.includes(':namespace')
        ? NamespaceParams
        : url.includes(':name')
          ? NameParams
          : undefined;
    const discovery = !/\/(nodes|namespaces|pods)/.test(url);
    app.get(url, {
      config: { public: true },
      schema: {
        tags: ['kubernetes'],
        security: [{ bearer: [] as string[] }],
        operationId,
        description,
        querystring: discovery ? DiscoveryQuery : KubeQuery,
        ...(params ? { params } : {}),
        response: { 200: response, ...errors },
      },
      handler: async (req, reply) => send(reply, await handler(req, reply)),
    });
  };

  route('/version', 'kubeVersion', 'The Kubernetes version the facade speaks (`kubectl version`).', kubeAnswer('version info', {}), () => ({
    kind: 'Info',
    ...versionInfo(),
  }));
  route(
    '/api',
    'kubeCoreDiscovery',
    'Core API discovery: APIVersions, or the aggregated APIGroupDiscoveryList when Accept asks for apidiscovery.k8s.io v2.',
    kubeAnswer('discovery'),
    (req, reply) =>
      wantsAggregatedV2(req.headers.accept)
        ? (void reply.type(AGGREGATED_V2), aggregatedDiscovery(''))
        : apiVersions(req.headers.host ?? ''),
  );
  route(
    '/apis',
    'kubeGroupDiscovery',
    'API group discovery: APIGroupList (apps), or the aggregated form when Accept asks for apidiscovery.k8s.io v2.',
    kubeAnswer('discovery'),
    (req, reply) =>
      wantsAggregatedV2(req.headers.accept) ? (void reply.type(AGGREGATED_V2), aggregatedDiscovery('apps')) : apiGroupList(),
  );
  route(
    '/api/v1',
    'kubeCoreResources',
    'The core/v1 resources with their short names and categories (APIResourceList).',
    kubeAnswer('APIResourceList'),
    () => apiResourceList('v1'),
  );
  route(
    '/apis/apps/v1',
    'kubeAppsResources',
    'The apps/v1 resources with their short names and categories (APIResourceList).',
    kubeAnswer('APIResourceList'),
    () => apiResourceList('apps/v1'),
  );

  /** A list (or Table) of one kind as the request's actor; `read` returns the visible Anvil objects. */
  const answerList = (req: FastifyRequest, kind: string, objects: KubeObject[]) => {
    const q = req.query as KubeQueryT;
    if (q.watch === 'true' || q.watch === '1') throw watchNotServed();
    const rv = contentVersion(objects.map((o) => o.metadata.resourceVersion));
    if (wantsTable(req.headers.accept)) return tableOf(kind, objects, rv, clock(), q.includeObject ?? 'Metadata');
    return { kind: `${kind}List`, apiVersion: 'v1', metadata: { resourceVersion: rv }, items: objects };
  };
  const answerOne = (req: FastifyRequest, kind: string, resource: string, name: string, objects: KubeObject[]) => {
    const found = objects[0];
    if (found === undefined) throw new StatusError(notFoundStatus(resource, name));
    if (wantsTable(req.headers.accept))
      return tableOf(kind, [found], found.metadata.resourceVersion, clock(), (req.query as KubeQueryT).includeObject ?? 'Metadata');
    return found;
  };
  const read = <T>(req: FastifyRequest, kind: 'nodes' | 'pods', namespace?: string, name?: string) =>
    api.store.read((s: ClusterState) => objectsOf(s, req.actor!, kind, namespace, name) as T[]);
  /** Namespaces by the facade's own rule (see namespaces.ts), not the cluster-wide `tenant-view` of Anvil's API. */
  const readNamespaces = (req: FastifyRequest, name?: string) =>
    api.store.read((s: ClusterState) => namespacesVisibleTo(s, req.actor!, name));
  type Name = { name: string };
  type Ns = { namespace: string };
  // Pods and namespaces made by kubectl (or by a workload it made) read back with their manifests.
  const manifests = manifestsOf(api.store);
  const kubePodOf = (pod: Pod) => withManifest(manifests, kubePod(pod), pod.owner);
  const kubeNamespaceOf = (tenant: Parameters<typeof kubeNamespace>[0]) => withManifest(manifests, kubeNamespace(tenant));

  route('/api/v1/nodes', 'kubeListNodes', 'Anvil nodes as core/v1 Nodes (list or Table).', ListOrTable, (req) =>
    answerList(req, 'Node', read<Node>(req, 'nodes').map(kubeNode)),
  );
  route('/api/v1/nodes/:name', 'kubeGetNode', 'One Anvil node as a core/v1 Node.', kubeAnswer('a Node or a one-row Table'), (req) => {
    const { name } = req.params as Name;
    return answerOne(req, 'Node', 'nodes', name, read<Node>(req, 'nodes', undefined, name).map(kubeNode));
  });
  route(
    '/api/v1/namespaces',
    'kubeListNamespaces',
    'Anvil namespaces (tenants) the caller holds a role in (all with a cluster-wide tenant-view), as core/v1 Namespaces.',
    ListOrTable,
    (req) => answerList(req, 'Namespace', readNamespaces(req).map(kubeNamespaceOf)),
  );
  route(
    '/api/v1/namespaces/:name',
    'kubeGetNamespace',
    'One Anvil namespace as a core/v1 Namespace; one the caller holds no role in reads as NotFound, as a missing one does.',
    kubeAnswer('a Namespace or a one-row Table'),
    (req) => {
      const { name } = req.params as Name;
      return answerOne(req, 'Namespace', 'namespaces', name, readNamespaces(req, name).map(kubeNamespaceOf));
    },
  );
  route(
    '/api/v1/pods',
    'kubeListAllPods',
    "The pods of every namespace the caller may view (the scheduler's placements), as core/v1 Pods.",
    ListOrTable,
    (req) => answerList(req, 'Pod', read<Pod>(req, 'pods').map(kubePodOf)),
  );
  route('/api/v1/namespaces/:namespace/pods', 'kubeListPods', 'The pods of one namespace as core/v1 Pods.', ListOrTable, (req) =>
    answerList(req, 'Pod', read<Pod>(req, 'pods', (req.params as Ns).namespace).map(kubePodOf)),
  );
  route(
    '/api/v1/namespaces/:namespace/pods/:name',
    'kubeGetPod',
    'One pod as a core/v1 Pod, with its node, IPs and Anvil annotations.',
    kubeAnswer('a Pod or a one-row Table'),
    (req) => {
      const { namespace, name } = req.params as Ns & Name;
      return answerOne(req, 'Pod', 'pods', name, read<Pod>(req, 'pods', namespace, name).map(kubePodOf));
    },
  );

  // The writes (create, patch, delete) and the OpenAPI v3 documents: their own plugin, under this one's auth.
  await app.register(kubeWritesPlugin, { api, clock });
};

/** A Status to answer as it is (the error handler passes it through). */
class StatusError extends Error {
  constructor(readonly status: ReturnType<typeof statusOf>) {
    super(status.message);
  }
}

const watchNotServed = () =>
  new StatusError(statusOf(405, 'watch is not served by Anvil yet (a later slice of the Kubernetes facade); run kubectl get without -w'));

/** Kubernetes answers are written as they are (their schemas name only their top fields). */
function send(reply: FastifyReply, body: unknown) {
  if (body instanceof StatusError) body = body.status;
  void reply.serializer(JSON.stringify);
  if (!reply.hasHeader('content-type')) void reply.type('application/json');
  return reply.send(body);
}

/** The Status of an error the facade throws, its own Status errors included. */
export function kubeStatusOf(err: unknown) {
  return err instanceof StatusError ? err.status : statusOfError(err);
}
