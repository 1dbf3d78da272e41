/**
 * Read-only views derived from pods: their endpoints (pod interfaces: network, IP, MAC, VF), and the
 * Deployments and StatefulSets they came from; plus snapshots across namespaces. Each list holds only
 * what the caller may view (the domain's `objectsOf`): a tenant sees its own namespaces' endpoints.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { bearer, NamespaceParams, ObjectList, responses } from '../schemas.js';
import type { Api } from '../server.js';
import { list } from './common.js';
import type { Kind } from '../../domain/queries.js';

const VIEWS: readonly { kind: Kind; tag: string; what: string; allNamespaces: boolean; perNamespace: boolean }[] = [
  { kind: 'endpoints', tag: 'pods', what: 'the pod interfaces (network, IP, MAC, VF, node)', allNamespaces: true, perNamespace: true },
  { kind: 'deployments', tag: 'pods', what: 'the Deployments (from applied manifests) and their pods', allNamespaces: true, perNamespace: true },
  { kind: 'statefulsets', tag: 'pods', what: 'the StatefulSets (from applied manifests) and their pods', allNamespaces: true, perNamespace: true },
  { kind: 'snapshots', tag: 'volumes', what: 'the snapshots', allNamespaces: true, perNamespace: false },
];

export const workloadsPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  for (const v of VIEWS) {
    const s = { tags: [v.tag], security: bearer };
    if (v.allNamespaces) {
      app.get(`/${v.kind}`, { schema: { ...s, summary: `${v.what} of every namespace the caller may view`, response: responses(ObjectList) } }, async (req) => list(api, req, v.kind));
    }
    if (v.perNamespace) {
      app.get<{ Params: Static<typeof NamespaceParams> }>(`/namespaces/:namespace/${v.kind}`, { schema: { ...s, summary: `${v.what} of one namespace`, params: NamespaceParams, response: responses(ObjectList) } }, async (req) => list(api, req, v.kind, req.params.namespace));
    }
  }
};
