/**
 * Views derived from pods: their endpoints (pod interfaces: network, IP, MAC, VF, node), and the
 * Deployments and StatefulSets they came from; plus snapshots across namespaces. Each list holds only
 * what the caller may view (the domain's `objectsOf`): a tenant sees its own namespaces' endpoints.
 * Changes: persistent endpoints are created and deleted here (the domain's `createEndpoint`,
 * `deleteEndpoint`), and deleting a Deployment or StatefulSet deletes the pods it made (`deleteWorkload`).
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { EndpointObject, EndpointView, SnapshotObject, WorkloadView } from '../object-schemas.js';
import { bearer, Message, NamespacedNameParams, NamespaceParams, NoQuery, ObjectName, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { ListQuery, listOrPage } from '../paging.js';
import { change, list, one } from './common.js';
import type { Kind } from '../../domain/queries.js';

/** `id`: the operationIds' noun (listEndpoints, listNamespacedEndpoints, getEndpoint); `item`: one object's schema. */
const VIEWS: readonly {
  kind: Kind;
  id: string;
  item: TSchema;
  tag: string;
  what: string;
  allNamespaces: boolean;
  perNamespace: boolean;
}[] = [
  {
    kind: 'endpoints',
    id: 'Endpoint',
    item: EndpointView,
    tag: 'pods',
    what: 'the pod interfaces (network, IP, MAC, VF, node)',
    allNamespaces: true,
    perNamespace: true,
  },
  {
    kind: 'deployments',
    id: 'Deployment',
    item: WorkloadView,
    tag: 'pods',
    what: 'the Deployments (from applied manifests) and their pods',
    allNamespaces: true,
    perNamespace: true,
  },
  {
    kind: 'statefulsets',
    id: 'StatefulSet',
    item: WorkloadView,
    tag: 'pods',
    what: 'the StatefulSets (from applied manifests) and their pods',
    allNamespaces: true,
    perNamespace: true,
  },
  {
    kind: 'snapshots',
    id: 'Snapshot',
    item: SnapshotObject,
    tag: 'volumes',
    what: 'the snapshots',
    allNamespaces: true,
    perNamespace: false,
  },
];

/** The workload kinds a delete reaches, with the owner kind their pods name. */
const WORKLOADS = [
  { kind: 'deployments', owner: 'Deployment' },
  { kind: 'statefulsets', owner: 'StatefulSet' },
] as const;

const EndpointBody = Type.Object(
  {
    name: ObjectName,
    network: ObjectName,
    ip: Type.Optional(
      Type.String({ format: 'ipv4', description: "a pinned address in the network's range (default: the lowest free one)" }),
    ),
  },
  { additionalProperties: false },
);
type NsName = Static<typeof NamespacedNameParams>;

export const workloadsPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  for (const v of VIEWS) {
    const s = { tags: [v.tag], security: bearer };
    if (v.allNamespaces) {
      app.get(
        `/${v.kind}`,
        {
          schema: {
            ...s,
            operationId: `list${v.id}s`,
            summary: `${v.what} of every namespace the caller may view`,
            description: `Lists ${v.what} of every namespace the caller may view.`,
            querystring: ListQuery,
            response: responses(listOrPage(v.item, v.what)),
          },
        },
        (req, reply) => void reply.send(list(api, req, reply, v.kind)),
      );
    }
    if (v.perNamespace) {
      app.get<{ Params: Static<typeof NamespaceParams> }>(
        `/namespaces/:namespace/${v.kind}`,
        {
          schema: {
            ...s,
            operationId: `listNamespaced${v.id}s`,
            summary: `${v.what} of one namespace`,
            description: `Lists ${v.what} of one namespace.`,
            params: NamespaceParams,
            querystring: ListQuery,
            response: responses(listOrPage(v.item, v.what)),
          },
        },
        (req, reply) => void reply.send(list(api, req, reply, v.kind, req.params.namespace)),
      );
      app.get<{ Params: NsName }>(
        `/namespaces/:namespace/${v.kind}/:name`,
        {
          schema: {
            ...s,
            operationId: `get${v.id}`,
            summary: `one of ${v.what}`,
            description: `One of ${v.what}, by namespace and name.`,
            params: NamespacedNameParams,
            querystring: NoQuery,
            response: responses(v.item),
          },
        },
        async (req) => one(api, req, v.kind, req.params.name, req.params.namespace),
      );
    }
  }

  const s = { tags: ['pods'], security: bearer };
  app.post<{ Params: Static<typeof NamespaceParams>; Body: Static<typeof EndpointBody> }>(
    '/namespaces/:namespace/endpoints',
    {
      schema: {
        ...s,
        operationId: 'createEndpoint',
        summary: 'create a persistent endpoint',
        description: 'Creates a persistent endpoint: an IP and MAC made ahead of the pod that asks for it by name; it outlives its pods.',
        params: NamespaceParams,
        querystring: NoQuery,
        body: EndpointBody,
        response: responses(EndpointObject, 201),
      },
    },
    async (req, reply) => {
      const ns = req.params.namespace;
      const { name, network, ip } = req.body;
      return reply
        .status(201)
        .send(await change(api, req, 'create endpoints', `endpoints/${ns}/${name}`, (cp) => cp.createEndpoint(ns, name, network, ip)));
    },
  );
  app.delete<{ Params: NsName }>(
    '/namespaces/:namespace/endpoints/:name',
    {
      schema: {
        ...s,
        operationId: 'deleteEndpoint',
        summary: 'delete a persistent endpoint',
        description: 'Deletes a persistent endpoint no pod uses.',
        params: NamespacedNameParams,
        querystring: NoQuery,
        response: responses(Message),
      },
    },
    async (req) => {
      const { namespace, name } = req.params;
      await change(api, req, 'delete endpoints', `endpoints/${namespace}/${name}`, (cp) => cp.deleteEndpoint(namespace, name));
      return { message: `endpoint ${namespace}/${name} deleted` };
    },
  );
  for (const w of WORKLOADS) {
    app.delete<{ Params: NsName }>(
      `/namespaces/:namespace/${w.kind}/:name`,
      {
        schema: {
          ...s,
          operationId: `delete${w.owner}`,
          summary: `delete a ${w.owner}`,
          description: `Deletes a ${w.owner}: the pods it made (claimed volumes stay).`,
          params: NamespacedNameParams,
          querystring: NoQuery,
          response: responses(Message),
        },
      },
      async (req) => {
        const { namespace, name } = req.params;
        const pods = await change(api, req, `delete ${w.kind}`, `${w.kind}/${namespace}/${name}`, (cp) =>
          cp.deleteWorkload(namespace, w.owner, name),
        );
        return { message: `${w.owner} ${namespace}/${name} deleted with its ${pods} pods` };
      },
    );
  }
};
