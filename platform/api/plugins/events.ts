/** Events (what the cluster did) and the audit log (who changed what). */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { allows, authorize, parseRole } from '../../domain/tenancy.js';
import { actorOf } from '../auth.js';
import { bearer, responses } from '../schemas.js';
import type { Api } from '../api.js';

const EventQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$', description: 'at most this many, newest (1-9999)' })),
  severity: Type.Optional(Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('error')])),
  object: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'only events of objects whose kind/namespace/name contains this (as anvil events --object)' })),
}, { additionalProperties: false });
const AuditQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$', description: 'at most this many, newest (1-99999)' })) }, { additionalProperties: false });
const Event = Type.Object({ at: Type.String(), severity: Type.String(), reason: Type.String(), object: Type.String(), message: Type.String() });
const Audit = Type.Object({ at: Type.String(), actor: Type.String(), action: Type.String(), target: Type.String(), changes: Type.Integer() });

/** `kind/namespace/name` objects belong to a namespace; others are cluster-scoped. */
function namespaceOf(object: string): string | undefined {
  const parts = object.split('/');
  return parts.length === 3 ? parts[1] : undefined;
}

export const eventsPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const s = { tags: ['events'], security: bearer };
  app.get<{ Querystring: Static<typeof EventQuery> }>('/events', { schema: { ...s, summary: 'events the caller may view, newest last', querystring: EventQuery, response: responses(Type.Array(Event)) } }, async (req) => {
    const actor = actorOf(req);
    const limit = Number(req.query.limit ?? 50);
    const all = api.store.events({ limit: 100_000, ...(req.query.severity ? { severity: req.query.severity } : {}), ...(req.query.object ? { object: req.query.object } : {}) });
    const visible = all.filter((e) => allows(actor, 'event', 'view') || (namespaceOf(e.object) !== undefined && allows(actor, 'event', 'view', namespaceOf(e.object))));
    // A caller with no event role anywhere is refused outright, not shown an empty list.
    if (!actor.roles.flatMap(parseRole).some((r) => r.cls === 'event')) authorize(actor, 'event', 'view');
    return visible.slice(-limit);
  });
  app.get<{ Querystring: Static<typeof AuditQuery> }>('/audit', { schema: { ...s, summary: 'who changed what, when (needs user-view cluster-wide)', querystring: AuditQuery, response: responses(Type.Array(Audit)) } }, async (req) => {
    authorize(actorOf(req), 'user', 'view');
    return api.store.audit(Number(req.query.limit ?? 100));
  });
};
