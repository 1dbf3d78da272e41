/** Mirrored volumes and their snapshots, per namespace (tenant). */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { SnapshotObject, VolumeObject } from '../object-schemas.js';
import { bearer, Message, NamespacedNameParams, NamespaceParams, NoQuery, ObjectName, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { ListQuery, listOrPage } from '../paging.js';
import { VOLUME_SIZE_RANGE } from '../../domain/limits.js';
import { VolumeFields } from '../../domain/volume-service.js';
import { change, list, one } from './common.js';

// The domain's own schema of a new volume (VolumeInput is its type).
const VolumeBody = VolumeFields;
const VolumeChange = Type.Object(
  {
    mirrors: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3,
        description:
          "the plex count plus or minus one (a new plex is copied from an in-sync one); after a node was removed with its plex, the volume's mirror count puts a new plex elsewhere",
      }),
    ),
    size_bytes: Type.Optional(Type.Integer({ minimum: VOLUME_SIZE_RANGE.min, maximum: VOLUME_SIZE_RANGE.max })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const SnapshotBody = Type.Object({ name: ObjectName, volume: ObjectName }, { additionalProperties: false });
const RestoreBody = Type.Object({ to: ObjectName, perf_tier: Type.Optional(ObjectName) }, { additionalProperties: false });
const Force = Type.Object(
  {
    force: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description: 'true: delete it even while attached to a pod or with snapshots (they go too)',
      }),
    ),
  },
  { additionalProperties: false },
);
type NsName = Static<typeof NamespacedNameParams>;

export const volumesPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const tags = ['volumes'];
  const s = { tags, security: bearer };
  app.get(
    '/volumes',
    {
      schema: {
        ...s,
        operationId: 'listVolumes',
        summary: 'the volumes of every namespace the caller may view',
        description: 'Every volume the caller may view: size, perf tier, plexes and their state, attachment.',
        querystring: ListQuery,
        response: responses(listOrPage(VolumeObject, 'the volumes')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'volumes')),
  );
  app.get<{ Params: Static<typeof NamespaceParams> }>(
    '/namespaces/:namespace/volumes',
    {
      schema: {
        ...s,
        operationId: 'listNamespacedVolumes',
        summary: 'the volumes of one namespace',
        description: 'The volumes of one namespace.',
        params: NamespaceParams,
        querystring: ListQuery,
        response: responses(listOrPage(VolumeObject, 'the volumes')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'volumes', req.params.namespace)),
  );
  app.get<{ Params: NsName }>(
    '/namespaces/:namespace/volumes/:name',
    {
      schema: {
        ...s,
        operationId: 'getVolume',
        summary: 'one volume',
        description: 'One volume: size, perf tier, plexes and their state, attachment.',
        params: NamespacedNameParams,
        response: responses(VolumeObject),
      },
    },
    async (req) => one(api, req, 'volumes', req.params.name, req.params.namespace),
  );
  app.post<{ Params: Static<typeof NamespaceParams>; Body: Static<typeof VolumeBody> }>(
    '/namespaces/:namespace/volumes',
    {
      schema: {
        ...s,
        operationId: 'createVolume',
        summary: 'create a volume',
        description:
          'Creates a mirrored volume: one plex per mirror, on nodes that match the selector (in different zones with spread_zones).',
        params: NamespaceParams,
        body: VolumeBody,
        response: responses(VolumeObject, 201),
      },
    },
    async (req, reply) => {
      const ns = req.params.namespace;
      return reply
        .status(201)
        .send(
          await change(api, req, 'create volumes', `volumes/${ns}/${req.body.name}`, (cp) =>
            cp.createVolume({ namespace: ns, ...req.body }),
          ),
        );
    },
  );
  app.patch<{ Params: NsName; Body: Static<typeof VolumeChange> }>(
    '/namespaces/:namespace/volumes/:name',
    {
      schema: {
        ...s,
        operationId: 'updateVolume',
        summary: 'add or drop one mirror, or grow a detached volume',
        description: 'Changes the mirror count by one (a new plex is copied from an in-sync one) or grows a detached volume.',
        params: NamespacedNameParams,
        body: VolumeChange,
        response: responses(VolumeObject),
      },
    },
    async (req) => {
      const { namespace, name } = req.params;
      return await change(api, req, 'update volumes', `volumes/${namespace}/${name}`, (cp) => cp.updateVolume(namespace, name, req.body));
    },
  );
  app.delete<{ Params: NsName; Querystring: Static<typeof Force> }>(
    '/namespaces/:namespace/volumes/:name',
    {
      schema: {
        ...s,
        operationId: 'deleteVolume',
        summary: 'delete a volume',
        description: 'Deletes a volume and its plexes; one attached to a pod or with snapshots needs force=true.',
        params: NamespacedNameParams,
        querystring: Force,
        response: responses(Message),
      },
    },
    async (req) => {
      const { namespace, name } = req.params;
      await change(api, req, 'delete volumes', `volumes/${namespace}/${name}`, (cp) =>
        cp.deleteVolume(namespace, name, req.query.force === 'true'),
      );
      return { message: `volume ${namespace}/${name} deleted` };
    },
  );

  app.get<{ Params: Static<typeof NamespaceParams> }>(
    '/namespaces/:namespace/snapshots',
    {
      schema: {
        ...s,
        operationId: 'listNamespacedSnapshots',
        summary: 'the snapshots of one namespace',
        description: 'The snapshots of one namespace: the volume each was taken of, and the nodes holding it.',
        params: NamespaceParams,
        querystring: ListQuery,
        response: responses(listOrPage(SnapshotObject, 'the snapshots')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'snapshots', req.params.namespace)),
  );
  app.get<{ Params: NsName }>(
    '/namespaces/:namespace/snapshots/:name',
    {
      schema: {
        ...s,
        operationId: 'getSnapshot',
        summary: 'one snapshot',
        description: 'One snapshot: the volume it was taken of, its size and the nodes holding it.',
        params: NamespacedNameParams,
        querystring: NoQuery,
        response: responses(SnapshotObject),
      },
    },
    async (req) => one(api, req, 'snapshots', req.params.name, req.params.namespace),
  );
  app.post<{ Params: Static<typeof NamespaceParams>; Body: Static<typeof SnapshotBody> }>(
    '/namespaces/:namespace/snapshots',
    {
      schema: {
        ...s,
        operationId: 'createSnapshot',
        summary: 'take a snapshot of a volume',
        description: 'Takes a snapshot of a volume of the namespace, kept on the nodes of its in-sync plexes.',
        params: NamespaceParams,
        body: SnapshotBody,
        response: responses(SnapshotObject, 201),
      },
    },
    async (req, reply) => {
      const ns = req.params.namespace;
      return reply
        .status(201)
        .send(
          await change(api, req, 'create snapshots', `snapshots/${ns}/${req.body.name}`, (cp) =>
            cp.createSnapshot(ns, req.body.name, req.body.volume),
          ),
        );
    },
  );
  app.post<{ Params: NsName; Body: Static<typeof RestoreBody> }>(
    '/namespaces/:namespace/snapshots/:name/restore',
    {
      schema: {
        ...s,
        operationId: 'restoreSnapshot',
        summary: 'restore a snapshot to a new volume',
        description:
          "Restores a snapshot to a new volume (a linked clone on the snapshot's nodes), in the given perf tier or the source volume's.",
        params: NamespacedNameParams,
        body: RestoreBody,
        response: responses(VolumeObject, 201),
      },
    },
    async (req, reply) => {
      const { namespace, name } = req.params;
      return reply
        .status(201)
        .send(
          await change(api, req, 'restore volumes', `volumes/${namespace}/${req.body.to}`, (cp) =>
            cp.restoreSnapshot(namespace, name, req.body.to, req.body.perf_tier),
          ),
        );
    },
  );
  app.delete<{ Params: NsName }>(
    '/namespaces/:namespace/snapshots/:name',
    {
      schema: {
        ...s,
        operationId: 'deleteSnapshot',
        summary: 'delete a snapshot',
        description: 'Deletes a snapshot.',
        params: NamespacedNameParams,
        response: responses(Message),
      },
    },
    async (req) => {
      const { namespace, name } = req.params;
      await change(api, req, 'delete snapshots', `snapshots/${namespace}/${name}`, (cp) => cp.deleteSnapshot(namespace, name));
      return { message: `snapshot ${namespace}/${name} deleted` };
    },
  );
};
