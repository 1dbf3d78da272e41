/** Pods: list, get, why a pod is where it is (scheduling), delete, and apply (Kubernetes manifests, one transaction). */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { wallClock } from '../../domain/clock.js';
import { ControlPlane } from '../../domain/control-plane.js';
import { parseManifestText } from '../../manifests/documents.js';
import { applySteps, planApply } from '../../manifests/apply.js';
import { actorOf } from '../auth.js';
import { PodObject, PodStatus } from '../object-schemas.js';
import { bearer, Message, NamespacedNameParams, NamespaceParams, NoQuery, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { ListQuery, listOrPage } from '../paging.js';
import { change, list, one } from './common.js';

const ApplyBody = Type.Object(
  {
    manifests: Type.String({
      minLength: 1,
      maxLength: 1_000_000,
      description: 'YAML: Namespace, PersistentVolumeClaim, Pod, Deployment, StatefulSet documents',
    }),
    source: Type.Optional(
      Type.String({ minLength: 1, maxLength: 4096, description: 'where the manifests came from (a file name), for the audit log' }),
    ),
    strict: Type.Optional(Type.Boolean({ description: 'reject the whole apply if a document is of a kind Anvil does not model' })),
  },
  { additionalProperties: false },
);
type NsName = Static<typeof NamespacedNameParams>;

export const podsPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const s = { tags: ['pods'], security: bearer };
  app.get(
    '/pods',
    {
      schema: {
        ...s,
        operationId: 'listPods',
        summary: 'the pods of every namespace the caller may view',
        description: 'Every pod the caller may view: requests, endpoints, volumes, and status (running on a node, or pending with why).',
        querystring: ListQuery,
        response: responses(listOrPage(PodObject, 'the pods')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'pods')),
  );
  app.get<{ Params: Static<typeof NamespaceParams> }>(
    '/namespaces/:namespace/pods',
    {
      schema: {
        ...s,
        operationId: 'listNamespacedPods',
        summary: 'the pods of one namespace',
        description: 'The pods of one namespace.',
        params: NamespaceParams,
        querystring: ListQuery,
        response: responses(listOrPage(PodObject, 'the pods')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'pods', req.params.namespace)),
  );
  app.get<{ Params: NsName }>(
    '/namespaces/:namespace/pods/:name',
    {
      schema: {
        ...s,
        operationId: 'getPod',
        summary: 'one pod',
        description: 'One pod: requests, endpoints, volumes, and status.',
        params: NamespacedNameParams,
        response: responses(PodObject),
      },
    },
    async (req) => one(api, req, 'pods', req.params.name, req.params.namespace),
  );
  app.get<{ Params: NsName }>(
    '/namespaces/:namespace/pods/:name/scheduling',
    {
      schema: {
        ...s,
        operationId: 'getPodScheduling',
        summary: "a pod's status with the scheduler's reasons",
        description:
          "The pod's status with the scheduler's reasons: for a pending pod every node's reason, worked out afresh (what anvil describe shows); for a running pod its decision as the scheduler recorded it when it placed the pod (each node evaluated with each filter's verdict and the figures that decided a rejection, each score's parts, the counts of rejections; or a coded not-recorded for a pod placed before decisions were recorded) and its placement worked out now: every node's verdict for it as the cluster is now, with its own reservation given back.",
        params: NamespacedNameParams,
        querystring: NoQuery,
        response: responses(PodStatus),
      },
    },
    async (req) => {
      const { namespace, name } = req.params;
      // A read through the domain (its role check included); nothing it does is stored, so the wall clock is harmless.
      // The recorded decision is read in the same read transaction, once the domain has checked the caller may view the pod.
      return api.store.read((state) =>
        new ControlPlane(state, actorOf(req), wallClock).podScheduling(namespace, name, (ns, n) => api.store.placementDecision(ns, n)),
      );
    },
  );
  app.delete<{ Params: NsName }>(
    '/namespaces/:namespace/pods/:name',
    {
      schema: {
        ...s,
        operationId: 'deletePod',
        summary: 'delete a pod',
        description: 'Deletes a pod: its endpoints, reservations and volume attachments are freed.',
        params: NamespacedNameParams,
        response: responses(Message),
      },
    },
    async (req) => {
      const { namespace, name } = req.params;
      await change(api, req, 'delete pods', `pods/${namespace}/${name}`, (cp) => cp.deletePod(namespace, name));
      return { message: `pod ${namespace}/${name} deleted` };
    },
  );
  app.post<{ Params: Static<typeof NamespaceParams>; Body: Static<typeof ApplyBody> }>(
    '/namespaces/:namespace/apply',
    {
      schema: {
        ...s,
        operationId: 'applyManifests',
        summary: 'apply Kubernetes manifests',
        description:
          'Applies manifests (Namespace, PersistentVolumeClaim, Pod, Deployment, StatefulSet) in one transaction; documents without a namespace go to the namespace of the path.',
        params: NamespaceParams,
        body: ApplyBody,
        response: responses(
          Type.Object(
            {
              lines: Type.Array(Type.String(), { description: 'what was done, one line per object, as the CLI prints it' }),
              notes: Type.Array(Type.String(), {
                description: 'what was skipped and why (kinds and apiVersions Anvil does not model), as the CLI prints on stderr',
              }),
            },
            { description: 'what the apply did' },
          ),
        ),
      },
    },
    async (req) => {
      const ns = req.params.namespace;
      const plan = planApply(parseManifestText(req.body.manifests, 'body.manifests'), ns, req.body.strict ?? false);
      // In steps: a large apply lets other requests (/healthz among them) in between its pods.
      return {
        lines: await api.store.changeInSteps(actorOf(req), 'apply manifests', req.body.source ?? `namespaces/${ns}`, (cp) =>
          applySteps(cp, plan),
        ),
        notes: plan.notes,
      };
    },
  );
};
