/** What the domain plugins share: reading and changing the state as the request's actor. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClusterState } from '../../domain/cluster-state.js';
import type { ControlPlane } from '../../domain/control-plane.js';
import { notFound } from '../../domain/context.js';
import { KIND_CLASS, objectsOf, type Kind } from '../../domain/queries.js';
import { allows } from '../../domain/tenancy.js';
import type { ListQuery, Page } from '../paging.js';
import { actorOf, readStateOf } from '../auth.js';
import type { Api } from '../api.js';

/**
 * One change as the request's actor, all or nothing; the audit log names the action and target. It is
 * committed with the other requests' changes of the moment in one transaction (group commit) and resolves
 * at commit; the answer built from it is sent only once an fsync covers it (durable-answers.ts): it
 * acknowledges a change that a crash cannot lose.
 */
export function change<T>(api: Api, req: FastifyRequest, action: string, target: string, fn: (cp: ControlPlane) => T): Promise<T> {
  return api.store.changeInGroupHeld(actorOf(req), action, target, fn);
}

/**
 * The objects of a kind the actor may view (the domain's role check), in `namespace` or all visible: the
 * whole array, or with ?limit / ?continue a page of one snapshot of them (paging.ts), written by JSON.stringify.
 */
export function list(api: Api, req: FastifyRequest, reply: FastifyReply, kind: Kind, namespace?: string): unknown[] | Page | Buffer {
  const actor = actorOf(req);
  const answer = api.pages.answer(
    actor.user,
    req.url.split('?')[0]!,
    req.query as ListQuery,
    () => readStateOf(api.store, req, (s: ClusterState) => objectsOf(s, actor, kind, namespace)),
    // The listing's own check (a name no object bears: nothing is picked).
    () => readStateOf(api.store, req, (s: ClusterState) => objectsOf(s, actor, kind, namespace, '')),
    (item) => {
      const ns = (item as { namespace?: unknown }).namespace;
      return typeof ns !== 'string' || allows(actor, KIND_CLASS[kind], 'view', ns);
    },
  );
  // The domain's objects are written as they are: the response schema names every field of them (the
  // OpenAPI contract test holds the bytes equal), and JSON.stringify writes a list of thousands of nodes
  // several times faster than the schema's serializer, which checks each node against its unions. The
  // state's own objects are written once each (jsonOf); what a query makes afresh (views) every time.
  void reply.type('application/json; charset=utf-8');
  if (STATE_OBJECTS.has(kind)) return listJson(answer as object[] | Page);
  void reply.serializer(JSON.stringify);
  return answer;
}

/** Kinds whose list items are the state's own objects (objectsOf), not views made for the answer. */
const STATE_OBJECTS: ReadonlySet<Kind> = new Set<Kind>(['nodes', 'networks', 'volumes', 'snapshots', 'pods', 'namespaces', 'users']);

/**
 * Each state object's JSON (UTF-8), written the first time it is listed. The domain never edits an object in
 * place, it replaces it (its fields are readonly; the store's ANVIL_STORE_VERIFY check holds every test to it,
 * and the store itself writes an object only when it is another one: TrackedDocuments), so an object's JSON
 * holds for as long as the object lives. A node's many numbers past 2^30 (bytes, bits/s) make it ~2 us to
 * write: a list of 40 nodes cost more than the rest of its request. The answer is one Buffer of them: no
 * string to join, flatten, measure and encode again for the socket.
 */
const written = new WeakMap<object, Buffer>();

function jsonOf(item: object): Buffer {
  let json = written.get(item);
  if (json === undefined) written.set(item, (json = Buffer.from(JSON.stringify(item))));
  return json;
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
const PAGE_OPEN = Buffer.from('{"items":');
const PAGE_METADATA = Buffer.from(',"metadata":');

/** `items` as a JSON array, after `before` and before `after`. */
function arrayJson(items: readonly object[], before: Buffer[], after: Buffer[]): Buffer {
  const parts = [...before, OPEN];
  items.forEach((item, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(jsonOf(item));
  });
  parts.push(CLOSE, ...after);
  return Buffer.concat(parts);
}

/** JSON.stringify's bytes for a list answer (the whole array, or a page: items, then metadata) of state objects. */
function listJson(answer: object[] | Page): Buffer {
  if (Array.isArray(answer)) return arrayJson(answer, [], []);
  return arrayJson(answer.items as object[], [PAGE_OPEN], [PAGE_METADATA, Buffer.from(`${JSON.stringify(answer.metadata)}}`)]);
}

/** One object, or ANVIL_ERR_OBJECT_NOT_FOUND (also when the actor may not see it). */
export function one(api: Api, req: FastifyRequest, kind: Kind, name: string, namespace?: string): unknown {
  const found = readStateOf(api.store, req, (s: ClusterState) => objectsOf(s, actorOf(req), kind, namespace, name));
  if (found.length === 0)
    throw notFound(
      kind.replace(/s$/, ''),
      namespace ? `${namespace}/${name}` : name,
      `list them with GET ${namespace ? `/apis/anvil.dev/v1/namespaces/${namespace}/` : '/apis/anvil.dev/v1/'}${kind}`,
    );
  return found[0];
}
