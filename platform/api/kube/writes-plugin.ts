/**
 * The Kubernetes facade's writes, registered inside the facade (its auth hook applies): create (POST),
 * patch (PATCH: strategic merge, merge, server-side apply) and delete (DELETE) of namespaces, pods,
 * persistentvolumeclaims, deployments and statefulsets; the OpenAPI v3 documents kubectl validates
 * against; and, where no read route answers them yet, the GET of one deployment, statefulset or claim
 * that kubectl's apply and delete read back. Errors are Status objects worded as the apiserver's.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Api } from '../api.js';
import { manifestsOf } from '../../state/kube-manifests.js';
import { groupVersionDocument, openApiV3Index } from './openapi-v3.js';
import { PATCH_TYPES, patchObject } from './patch-object.js';
import { StatusSchema, statusOf, statusOfError } from './status.js';
import { objectOfProtobuf, ProtobufBodyError } from './protobuf-body.js';

/** The protobuf media type client-go's typed clients send for built-in kinds. */
const PROTOBUF = 'application/vnd.kubernetes.protobuf';
import type { Clock } from '../../domain/clock.js';
import { deletedStatus, WRITABLE, WriteStatusError } from './write-status.js';
import { changeScale, readScale, SCALABLE_KINDS } from './scale.js';
import { createObject, deleteObject, type FieldValidation, type WriteOptions, type Writer } from './writes.js';

const opt = (description: string) => Type.Optional(Type.String({ description }));
/** What kubectl sends on writes. */
const WriteQuery = Type.Object(
  {
    fieldManager: opt('who makes the change: kubectl-create, kubectl-client-side-apply, kubectl (server-side apply)'),
    fieldValidation: Type.Optional(
      Type.Union([Type.Literal('Strict'), Type.Literal('Warn'), Type.Literal('Ignore')], {
        description: 'unknown fields: refused (Strict, kubectl’s default), answered as warnings (Warn, the default) or ignored',
      }),
    ),
    dryRun: Type.Optional(Type.Literal('All', { description: 'check and answer the change without keeping it' })),
    force: opt('server-side apply: take fields of other managers (taken and ignored: Anvil answers no conflicts)'),
    gracePeriodSeconds: opt('taken and ignored: objects go at once'),
    propagationPolicy: opt('taken and ignored: a workload’s pods go with it'),
    pretty: opt('taken and ignored'),
    timeout: opt('taken and ignored'),
  },
  { additionalProperties: false },
);
const OpenApiQuery = Type.Object({
  hash: opt('the content hash the index names (kubectl caches by URL)'),
  timeout: opt('taken and ignored'),
});
const nsParam = { namespace: Type.String({ description: 'the namespace (tenant)' }) };
const nameParam = { name: Type.String({ description: 'the object name' }) };
const answer = Type.Object({ kind: Type.String(), apiVersion: Type.Optional(Type.String()) }, { additionalProperties: true });
const errors = { '4xx': StatusSchema, '5xx': StatusSchema };

type WriteQueryT = { fieldManager?: string; fieldValidation?: FieldValidation; dryRun?: 'All' };
type Params = { namespace?: string; name?: string };

export const kubeWritesPlugin: FastifyPluginAsync<{ api: Api; clock: Clock }> = async (app, { api }) => {
  const manifests = manifestsOf(api.store);
  for (const type of Object.values(PATCH_TYPES))
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // kubectl's imperative creates (create namespace, create deployment) send protobuf: read it into JSON.
  app.addContentTypeParser(PROTOBUF, { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, objectOfProtobuf(body as Buffer));
    } catch (e) {
      if (!(e instanceof ProtobufBodyError)) throw e;
      done(new WriteStatusError(statusOf(415, e.message)), undefined);
    }
  });
  // client-go's scale client sends its PUT with no Content-Type: read a body without one as JSON. A body
  // of a type no parser takes is refused as Fastify would, but as a Status kubectl prints.
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    const type = req.headers['content-type'];
    if (type !== undefined) {
      done(new WriteStatusError(statusOf(415, `the Content-Type ${type} is not served here; send application/json`)), undefined);
      return;
    }
    try {
      done(null, JSON.parse(body as string));
    } catch (e) {
      done(new WriteStatusError(statusOf(400, `the body is not JSON: ${(e as Error).message}`)), undefined);
    }
  });
  app.setErrorHandler((err, req, reply) => {
    const status = err instanceof WriteStatusError ? err.status : statusOfError(err);
    if (status.code >= 500) req.log.error(err);
    return send(reply.status(status.code), status);
  });

  const writer = (req: FastifyRequest): Writer => ({ store: api.store, manifests, actor: req.actor! });
  const options = (req: FastifyRequest): WriteOptions => {
    const q = req.query as WriteQueryT;
    // The apiserver's default is Warn; kubectl asks for Strict.
    return { fieldValidation: q.fieldValidation ?? 'Warn', dryRun: q.dryRun === 'All', warnings: [] };
  };
  /** The answer, with the warnings kubectl prints (`Warning: ...`) as the apiserver sends them. */
  const answered = (reply: FastifyReply, o: WriteOptions, code: number, body: unknown) => {
    if (o.warnings.length > 0)
      void reply.header(
        'warning',
        o.warnings.map((w) => `299 - "${w.replace(/["\\]/g, '\\$&')}"`),
      );
    return send(reply.status(code), body);
  };
  const schema = (operationId: string, description: string, params: Record<string, unknown>, query: unknown, code = 200) => ({
    config: { public: true },
    schema: {
      tags: ['kubernetes'],
      security: [{ bearer: [] as string[] }],
      operationId,
      description,
      ...(Object.keys(params).length ? { params: Type.Object(params as Record<string, ReturnType<typeof Type.String>>) } : {}),
      querystring: query,
      response: { [code]: answer, ...(code !== 200 ? { 200: answer } : {}), ...errors },
    },
  });

  for (const r of WRITABLE) {
    const prefix = r.group ? '/apis/apps/v1' : '/api/v1';
    const collection = r.namespaced ? `${prefix}/namespaces/:namespace/${r.resource}` : `${prefix}/${r.resource}`;
    const params = r.namespaced ? nsParam : {};
    const nsOf = (req: FastifyRequest) => (req.params as Params).namespace ?? '';
    const id = `${r.kind}${r.namespaced ? '' : 'Cluster'}`;
    app.post(
      collection,
      schema(
        `kubeCreate${id}`,
        `Creates a ${r.kind} (kubectl create, apply): placed as anvil apply -f places it.`,
        params,
        WriteQuery,
        201,
      ),
      async (req, reply) => {
        const o = options(req);
        return answered(reply, o, 201, await createObject(writer(req), r, nsOf(req), req.body, o));
      },
    );
    app.patch(
      `${collection}/:name`,
      schema(
        `kubePatch${id}`,
        `Patches a ${r.kind}: strategic merge patch, JSON merge patch, or server-side apply (apply-patch+yaml); the Anvil objects follow.`,
        { ...params, ...nameParam },
        WriteQuery,
      ),
      async (req, reply) => {
        const o = options(req);
        const fieldManager = (req.query as WriteQueryT).fieldManager ?? 'unknown';
        const patched = await patchObject(
          writer(req),
          r,
          nsOf(req),
          (req.params as Params).name!,
          req.headers['content-type'] ?? '',
          typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? {}),
          fieldManager,
          o,
        );
        return answered(reply, o, patched.created ? 201 : 200, patched.object);
      },
    );
    app.delete(
      `${collection}/:name`,
      schema(`kubeDelete${id}`, `Deletes a ${r.kind} and the Anvil objects it became, at once.`, { ...params, ...nameParam }, WriteQuery),
      async (req, reply) => {
        const name = (req.params as Params).name!;
        const uid = await deleteObject(writer(req), r, nsOf(req), name);
        return send(reply, deletedStatus(r, name, uid));
      },
    );
  }

  // The scale subresource (kubectl scale): read, patched (merge or strategic) or replaced (PUT).
  for (const r of WRITABLE.filter((w) => SCALABLE_KINDS.includes(w.kind))) {
    const url = `/apis/apps/v1/namespaces/:namespace/${r.resource}/:name/scale`;
    const params = { ...nsParam, ...nameParam };
    const at = (req: FastifyRequest) => req.params as Required<Params>;
    const manager = (req: FastifyRequest) => (req.query as WriteQueryT).fieldManager ?? 'unknown';
    const text = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body ?? {}));
    app.get(
      url,
      schema(
        `kubeRead${r.kind}Scale`,
        `The ${r.kind}'s Scale (autoscaling/v1): replicas asked and had, and its selector.`,
        params,
        WriteQuery,
      ),
      async (req, reply) => send(reply, readScale(writer(req), r, at(req).namespace, at(req).name)),
    );
    app.patch(
      url,
      schema(
        `kubePatch${r.kind}Scale`,
        `Sets the ${r.kind}'s replicas (kubectl scale): a merge or strategic merge patch of its Scale.`,
        params,
        WriteQuery,
      ),
      async (req, reply) => {
        const o = options(req);
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type === PATCH_TYPES.json || type === PATCH_TYPES.apply)
          throw new WriteStatusError(statusOf(415, `a Scale is patched with a merge patch (kubectl scale sends one), not ${type}`));
        let patch: unknown;
        try {
          patch = JSON.parse(text(req.body)) as unknown;
        } catch (e) {
          throw new WriteStatusError(statusOf(400, `the patch is not JSON: ${(e as Error).message}`));
        }
        return answered(reply, o, 200, await changeScale(writer(req), r, at(req).namespace, at(req).name, { patch }, manager(req), o));
      },
    );
    app.put(
      url,
      schema(
        `kubeReplace${r.kind}Scale`,
        `Sets the ${r.kind}'s replicas from a whole Scale (kubectl scale --current-replicas): its resourceVersion, when sent, must be the current one.`,
        params,
        WriteQuery,
      ),
      async (req, reply) => {
        const o = options(req);
        return answered(
          reply,
          o,
          200,
          await changeScale(writer(req), r, at(req).namespace, at(req).name, { scale: req.body }, manager(req), o),
        );
      },
    );
  }

  const openapi = (url: string, operationId: string, description: string, body: () => unknown) =>
    app.get(url, schema(operationId, description, {}, OpenApiQuery), async (_req, reply) => send(reply, body()));
  openapi('/openapi/v3', 'kubeOpenApiV3', 'Where the OpenAPI v3 document of each group-version is (kubectl validation).', openApiV3Index);
  openapi('/openapi/v3/api/v1', 'kubeOpenApiV3Core', 'The core/v1 operations kubectl validates against.', () =>
    groupVersionDocument('api/v1'),
  );
  openapi('/openapi/v3/apis/apps/v1', 'kubeOpenApiV3Apps', 'The apps/v1 operations kubectl validates against.', () =>
    groupVersionDocument('apis/apps/v1'),
  );
  openapi('/openapi/v3/apis/storage.k8s.io/v1', 'kubeOpenApiV3Storage', 'StorageClass, named so that files holding one validate.', () =>
    groupVersionDocument('apis/storage.k8s.io/v1'),
  );
};

function send(reply: FastifyReply, body: unknown) {
  void reply.serializer(JSON.stringify);
  if (!reply.hasHeader('content-type')) void reply.type('application/json');
  return reply.send(body);
}
