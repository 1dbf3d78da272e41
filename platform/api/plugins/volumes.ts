/** Mirrored volumes and their snapshots, per namespace (tenant). */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, bearer, labels, Message, NamespacedNameParams, NamespaceParams, NoQuery, ObjectList, ObjectName, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { VOLUME_SIZE_RANGE } from '../../domain/limits.js';
import { change, list, one } from './common.js';

const VolumeBody = Type.Object({
  name: ObjectName,
  size_bytes: Type.Integer({ minimum: VOLUME_SIZE_RANGE.min, maximum: VOLUME_SIZE_RANGE.max, description: 'size, bytes (1 MiB to 1 PiB)' }),
  mirrors: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
  perf_tier: Type.Optional(ObjectName),
  node_selector: Type.Optional(labels('node labels every plex needs, key: value (as --selector k=v)')),
  spread_zones: Type.Optional(Type.Boolean({ description: 'put each mirror in a different zone' })),
}, { additionalProperties: false });
const VolumeChange = Type.Object({
  mirrors: Type.Optional(Type.Integer({ minimum: 1, maximum: 3, description: "the plex count plus or minus one (a new plex is copied from an in-sync one); after a node was removed with its plex, the volume's mirror count puts a new plex elsewhere" })),
  size_bytes: Type.Optional(Type.Integer({ minimum: VOLUME_SIZE_RANGE.min, maximum: VOLUME_SIZE_RANGE.max })),
}, { additionalProperties: false, minProperties: 1 });
const SnapshotBody = Type.Object({ name: ObjectName, volume: ObjectName }, { additionalProperties: false });
const RestoreBody = Type.Object({ to: ObjectName, perf_tier: Type.Optional(ObjectName) }, { additionalProperties: false });
const Force = Type.Object({ force: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) }, { additionalProperties: false });
type NsName = Static<typeof NamespacedNameParams>;

export const volumesPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const tags = ['volumes'];
  const s = { tags, security: bearer };
  app.get('/volumes', { schema: { ...s, summary: 'the volumes of every namespace the caller may view', response: responses(ObjectList) } }, async (req) => list(api, req, 'volumes'));
  app.get<{ Params: Static<typeof NamespaceParams> }>('/namespaces/:namespace/volumes', { schema: { ...s, params: NamespaceParams, response: responses(ObjectList) } }, async (req) => list(api, req, 'volumes', req.params.namespace));
  app.get<{ Params: NsName }>('/namespaces/:namespace/volumes/:name', { schema: { ...s, params: NamespacedNameParams, response: responses(AnyObject) } }, async (req) => one(api, req, 'volumes', req.params.name, req.params.namespace));
  app.post<{ Params: Static<typeof NamespaceParams>; Body: Static<typeof VolumeBody> }>('/namespaces/:namespace/volumes', { schema: { ...s, params: NamespaceParams, body: VolumeBody, response: responses(AnyObject, 201) } }, async (req, reply) => {
    const ns = req.params.namespace;
    return reply.status(201).send(change(api, req, 'create volumes', `volumes/${ns}/${req.body.name}`, (cp) => cp.createVolume({ namespace: ns, ...req.body })));
  });
  app.patch<{ Params: NsName; Body: Static<typeof VolumeChange> }>('/namespaces/:namespace/volumes/:name', { schema: { ...s, summary: 'add or drop one mirror, or grow a detached volume', params: NamespacedNameParams, body: VolumeChange, response: responses(AnyObject) } }, async (req) => {
    const { namespace, name } = req.params;
    return change(api, req, 'update volumes', `volumes/${namespace}/${name}`, (cp) => cp.updateVolume(namespace, name, req.body));
  });
  app.delete<{ Params: NsName; Querystring: Static<typeof Force> }>('/namespaces/:namespace/volumes/:name', { schema: { ...s, params: NamespacedNameParams, querystring: Force, response: responses(Message) } }, async (req) => {
    const { namespace, name } = req.params;
    change(api, req, 'delete volumes', `volumes/${namespace}/${name}`, (cp) => cp.deleteVolume(namespace, name, req.query.force === 'true'));
    return { message: `volume ${namespace}/${name} deleted` };
  });

  app.get<{ Params: Static<typeof NamespaceParams> }>('/namespaces/:namespace/snapshots', { schema: { ...s, params: NamespaceParams, response: responses(ObjectList) } }, async (req) => list(api, req, 'snapshots', req.params.namespace));
  app.get<{ Params: NsName }>('/namespaces/:namespace/snapshots/:name', { schema: { ...s, params: NamespacedNameParams, querystring: NoQuery, response: responses(AnyObject) } }, async (req) => one(api, req, 'snapshots', req.params.name, req.params.namespace));
  app.post<{ Params: Static<typeof NamespaceParams>; Body: Static<typeof SnapshotBody> }>('/namespaces/:namespace/snapshots', { schema: { ...s, params: NamespaceParams, body: SnapshotBody, response: responses(AnyObject, 201) } }, async (req, reply) => {
    const ns = req.params.namespace;
    return reply.status(201).send(change(api, req, 'create snapshots', `snapshots/${ns}/${req.body.name}`, (cp) => cp.createSnapshot(ns, req.body.name, req.body.volume)));
  });
  app.post<{ Params: NsName; Body: Static<typeof RestoreBody> }>('/namespaces/:namespace/snapshots/:name/restore', { schema: { ...s, summary: 'restore a snapshot to a new volume (a linked clone)', params: NamespacedNameParams, body: RestoreBody, response: responses(AnyObject, 201) } }, async (req, reply) => {
    const { namespace, name } = req.params;
    return reply.status(201).send(change(api, req, 'restore volumes', `volumes/${namespace}/${req.body.to}`, (cp) => cp.restoreSnapshot(namespace, name, req.body.to, req.body.perf_tier)));
  });
  app.delete<{ Params: NsName }>('/namespaces/:namespace/snapshots/:name', { schema: { ...s, params: NamespacedNameParams, response: responses(Message) } }, async (req) => {
    const { namespace, name } = req.params;
    change(api, req, 'delete snapshots', `snapshots/${namespace}/${name}`, (cp) => cp.deleteSnapshot(namespace, name));
    return { message: `snapshot ${namespace}/${name} deleted` };
  });
};
