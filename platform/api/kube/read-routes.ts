/**
 * The facade's reads: list (a List or a Table, by Accept), get, and watch (`?watch=1` or `watch=true`: a
 * chunked stream of watch events, watch-hub.ts) for every resource of resources.ts, with label and field
 * selectors, at `/api/v1/...` and `/apis/apps/v1/...`, cluster-wide and per namespace. Every answer carries
 * the store's revisions as resourceVersions; every error is a Status (permission before existence).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../../domain/clock.js';
import type { Actor } from '../../domain/tenancy.js';
import { AnvilError } from '../../errors.js';
import type { Api } from '../api.js';
import { wantsTable } from './discovery.js';
import type { KubeObject } from './objects.js';
import { READ_RESOURCES, readSourceOf, visibleObjects, type ReadResource } from './resources.js';
import { SelectorError, selectorOf } from './selectors.js';
import { StatusSchema, notFoundStatus, statusOf, statusOfError, type KubeStatus } from './status.js';
import { tableOf, type IncludeObject } from './tables.js';
import { GoneError, WatchHub, type WatchEventType, type Watcher } from './watch-hub.js';
import { durableStream } from '../durable-answers.js';

/** The longest a watch stays open (s), whatever timeoutSeconds asks: the apiserver's default too. */
export const MAX_WATCH_SECONDS = 1800;

const opt = (description: string) => Type.Optional(Type.String({ description }));
/** What kubectl sends on reads. */
const ReadQuery = Type.Object(
  {
    limit: opt('taken and ignored: the whole list is answered (no paging yet)'),
    timeout: opt('the client-side timeout kubectl sends (32s); taken and ignored'),
    includeObject: Type.Optional(
      Type.Union([Type.Literal('None'), Type.Literal('Metadata'), Type.Literal('Object')], {
        description: "what a Table row embeds: nothing, the object's metadata (default) or the whole object (kubectl --sort-by)",
      }),
    ),
    labelSelector: opt('k=v, k==v, k!=v, k in (a,b), k notin (a,b), k (exists), !k; comma-separated, all must hold'),
    fieldSelector: opt(
      'metadata.name, metadata.namespace (all kinds), spec.nodeName, status.phase (pods), involvedObject.*, reason, type, source (events), with =, == or !=',
    ),
    resourceVersion: opt(
      'a list answers the current state; a watch starts after this revision (0 or absent: the current objects as ADDED)',
    ),
    resourceVersionMatch: opt('taken and ignored: a list answers the current state'),
    watch: opt('1 or true: a stream of watch events, one JSON object per line'),
    allowWatchBookmarks: opt('true: a watch also sends BOOKMARK events carrying the current revision'),
    sendInitialEvents: opt(
      'true (with allowWatchBookmarks): a watch sends the current objects as ADDED whatever its resourceVersion, then a BOOKMARK annotated k8s.io/initial-events-end',
    ),
    timeoutSeconds: opt(`a watch ends after this many seconds (at most ${MAX_WATCH_SECONDS})`),
    pretty: opt('taken and ignored'),
  },
  { additionalProperties: false },
);
type ReadQueryT = {
  includeObject?: IncludeObject;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  watch?: string;
  allowWatchBookmarks?: string;
  sendInitialEvents?: string;
  timeoutSeconds?: string;
};

const kubeAnswer = (description: string) =>
  Type.Object({ kind: Type.String(), apiVersion: Type.Optional(Type.String()) }, { description, additionalProperties: true });

/** A Status to answer as it is. */
class ReadStatus extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

function statusFor(err: unknown): KubeStatus {
  if (err instanceof ReadStatus) return err.status;
  if (err instanceof SelectorError) return statusOfError(new AnvilError('ANVIL_ERR_SELECTOR_UNSUPPORTED', err.message));
  if (err instanceof GoneError) {
    const message = `${err.message}: list again and watch from the list's resourceVersion`;
    return { ...statusOf(410, message, { causes: [{ reason: 'ANVIL_ERR_WATCH_EXPIRED', message }] }), reason: 'Expired' };
  }
  return statusOfError(err);
}

function send(reply: FastifyReply, body: unknown) {
  void reply.serializer(JSON.stringify);
  void reply.type('application/json');
  return reply.send(body);
}

const revisionOf = (text: string | undefined): number | undefined => {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text))
    throw new ReadStatus(statusOf(400, `resourceVersion "${text}" is not a revision: give the resourceVersion of a list`));
  return Number(text);
};

/** Registers the read routes of every resource on the facade's `app`; returns the watch hub (closed with the server). */
export function registerReadRoutes(app: FastifyInstance, api: Api, clock: Clock): WatchHub {
  const hub = new WatchHub(api.store, READ_RESOURCES);
  hub.onError = (e) => app.log.error(e, 'the Kubernetes facade ended its watches: reading the state failed');
  app.addHook('preClose', async () => hub.closeAll());

  /** One consistent read of the store: the objects visible to `actor` and the revision they are at. */
  const readVisible = (resource: ReadResource, actor: Actor, namespace: string | undefined) =>
    api.store.read((state, revisions) => {
      const source = readSourceOf(api.store, state, revisions);
      return { objects: visibleObjects(resource, source, actor, namespace), revision: revisions.current };
    });

  const list = (req: FastifyRequest, reply: FastifyReply, resource: ReadResource, namespace: string | undefined) => {
    const q = req.query as ReadQueryT;
    const actor = req.actor!;
    if (q.watch === 'true' || q.watch === '1') return watch(req, reply, resource, namespace);
    const { objects, revision } = readVisible(resource, actor, namespace);
    const matches = selectorOf(resource.kind, q.labelSelector, q.fieldSelector);
    const items = objects.filter(matches);
    hub.touch();
    const rv = String(revision);
    if (wantsTable(req.headers.accept)) return send(reply, tableOf(resource.kind, items, rv, clock(), q.includeObject ?? 'Metadata'));
    const apiVersion = resource.group === '' ? 'v1' : `${resource.group}/v1`;
    return send(reply, { kind: `${resource.kind}List`, apiVersion, metadata: { resourceVersion: rv }, items });
  };

  const get = (req: FastifyRequest, reply: FastifyReply, resource: ReadResource, namespace: string | undefined, name: string) => {
    const q = req.query as ReadQueryT;
    const { objects } = readVisible(resource, req.actor!, namespace);
    const found = objects.find((o) => o.metadata.name === name);
    if (found === undefined) throw new ReadStatus(notFoundStatus(resource.name, name, resource.group));
    if (wantsTable(req.headers.accept))
      return send(reply, tableOf(resource.kind, [found], found.metadata.resourceVersion, clock(), q.includeObject ?? 'Metadata'));
    return send(reply, found);
  };

  const watch = (req: FastifyRequest, reply: FastifyReply, resource: ReadResource, namespace: string | undefined) => {
    const q = req.query as ReadQueryT;
    const actor = req.actor!;
    // Permission before anything else: a tenant learns nothing of a namespace it may not watch.
    resource.authorizeList(actor, namespace);
    const matches = selectorOf(resource.kind, q.labelSelector, q.fieldSelector);
    const from = revisionOf(q.resourceVersion);
    const seconds = q.timeoutSeconds === undefined ? MAX_WATCH_SECONDS : Number(q.timeoutSeconds);
    if (!Number.isInteger(seconds) || seconds < 0)
      throw new ReadStatus(statusOf(400, `timeoutSeconds "${q.timeoutSeconds}" is not a whole number of seconds`));
    const table = wantsTable(req.headers.accept);
    const res = reply.raw;
    // Each event once the commits before it are on disk (durable-answers.ts): a watch shows nothing a crash could take back.
    const out = durableStream(api.store, res);
    let opened = false;
    let closed = false;
    // Set once the watch has started; close() may run before (a Gone watch never opens).
    const ending: { timer?: NodeJS.Timeout } = {};
    const open = () => {
      if (opened) return;
      opened = true;
      reply.hijack();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
      res.flushHeaders();
    };
    const watcher: Watcher = {
      resource,
      actor,
      namespace,
      matches,
      bookmarks: q.allowWatchBookmarks === 'true',
      send: (type: WatchEventType, object: KubeObject) => {
        if (closed) return;
        open();
        const shown =
          table && type !== 'BOOKMARK'
            ? tableOf(resource.kind, [object], object.metadata.resourceVersion, clock(), q.includeObject ?? 'Metadata')
            : object;
        out.write(`${JSON.stringify({ type, object: shown })}\n`);
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (ending.timer) clearTimeout(ending.timer);
        hub.forget(watcher);
        open();
        out.end();
      },
    };
    // Throws Gone (answered as a Status) before anything is sent.
    hub.watch(watcher, from, q.sendInitialEvents === 'true');
    open();
    // The response's close, not the request's: the request closes as soon as it has been read.
    res.on('close', () => watcher.close());
    ending.timer = setTimeout(() => watcher.close(), Math.min(seconds, MAX_WATCH_SECONDS) * 1000);
    return reply;
  };

  for (const resource of READ_RESOURCES) {
    const base = resource.group === '' ? '/api/v1' : `/apis/${resource.group}/v1`;
    const what = `${resource.kind}s`;
    const route = (
      url: string,
      operationId: string,
      description: string,
      params: ReturnType<typeof Type.Object> | undefined,
      handler: (req: FastifyRequest, reply: FastifyReply) => unknown,
    ) =>
      app.get(url, {
        // A list may be a watch, written past Fastify (request-metrics.ts counts it when it ends).
        config: { public: true, streamed: true },
        schema: {
          tags: ['kubernetes'],
          security: [{ bearer: [] as string[] }],
          operationId,
          description,
          querystring: ReadQuery,
          ...(params ? { params } : {}),
          response: {
            200: kubeAnswer('a List, a Table, one object or (watch) a stream of watch events'),
            '4xx': StatusSchema,
            '5xx': StatusSchema,
          },
        },
        handler: async (req, reply) => {
          try {
            return await handler(req, reply);
          } catch (e) {
            const status = statusFor(e);
            if (status.code >= 500) req.log.error(e);
            return send(reply.status(status.code), status);
          }
        },
      });
    const nameParam = { name: Type.String({ description: `the ${resource.kind} name` }) };
    const nsParam = { namespace: Type.String({ description: 'the namespace (tenant)' }) };
    const op = resource.kind;
    type P = { namespace?: string; name: string };
    route(
      `${base}/${resource.name}`,
      `kubeList${op}s`,
      `${what} of every namespace the caller may view (list, Table or watch).`,
      undefined,
      (req, reply) => list(req, reply, resource, undefined),
    );
    if (!resource.namespaced) {
      route(`${base}/${resource.name}/:name`, `kubeGet${op}`, `One ${resource.kind}.`, Type.Object(nameParam), (req, reply) =>
        get(req, reply, resource, undefined, (req.params as P).name),
      );
      continue;
    }
    route(
      `${base}/namespaces/:namespace/${resource.name}`,
      `kubeListNamespaced${op}s`,
      `The ${what} of one namespace (list, Table or watch).`,
      Type.Object(nsParam),
      (req, reply) => list(req, reply, resource, (req.params as P).namespace),
    );
    route(
      `${base}/namespaces/:namespace/${resource.name}/:name`,
      `kubeGetNamespaced${op}`,
      `One ${resource.kind} of a namespace.`,
      Type.Object({ ...nsParam, ...nameParam }),
      (req, reply) => get(req, reply, resource, (req.params as P).namespace, (req.params as P).name),
    );
  }
  return hub;
}
