/** Events (what the cluster did) and the audit log (who changed what). */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { allows, authorize, rolesOf } from '../../domain/tenancy.js';
import { actorOf } from '../auth.js';
import { AUDIT_LIMIT_RANGE, EVENT_LIMIT_RANGE } from '../../domain/limits.js';
import { bearer, limitParam, responses } from '../schemas.js';
import type { Api } from '../api.js';

const EventQuery = Type.Object(
  {
    limit: limitParam(EVENT_LIMIT_RANGE, ', newest'),
    severity: Type.Optional(
      Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('error')], { description: 'only events of this severity' }),
    ),
    object: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 300,
        description: 'only events of objects whose kind/namespace/name contains this (as anvil events --object)',
      }),
    ),
  },
  { additionalProperties: false },
);
const AuditQuery = Type.Object({ limit: limitParam(AUDIT_LIMIT_RANGE, ', newest') }, { additionalProperties: false });
/** As the store reads them (store.ts: SELECT at, severity, reason, object, message). */
const Event = Type.Object(
  {
    at: Type.String({ description: 'ISO 8601 UTC' }),
    severity: Type.String({ enum: ['info', 'warning', 'error'] }),
    reason: Type.String({ description: 'a CamelCase reason, e.g. PodScheduled' }),
    object: Type.String({ description: 'kind/name or kind/namespace/name' }),
    message: Type.String(),
  },
  { description: 'something the cluster did' },
);
/** As the store reads them (store.ts: SELECT at, actor, action, target, changes). */
const Audit = Type.Object(
  {
    at: Type.String({ description: 'ISO 8601 UTC' }),
    actor: Type.String({ description: 'the user who made the change' }),
    action: Type.String(),
    target: Type.String(),
    changes: Type.Integer({ description: 'stored objects changed' }),
  },
  { description: 'who changed what, when' },
);

/** `kind/namespace/name` objects belong to a namespace; others are cluster-scoped. */
function namespaceOf(object: string): string | undefined {
  const parts = object.split('/');
  return parts.length === 3 ? parts[1] : undefined;
}

export const eventsPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const s = { tags: ['events'], security: bearer };
  app.get<{ Querystring: Static<typeof EventQuery> }>(
    '/events',
    {
      schema: {
        ...s,
        operationId: 'listEvents',
        summary: 'events the caller may view',
        description: 'Events of the objects the caller may view, newest last, filtered by severity and object.',
        querystring: EventQuery,
        response: responses(Type.Array(Event, { description: 'the events, newest last' })),
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const limit = Number(req.query.limit ?? 50);
      // A caller with no event role anywhere is refused outright, not shown an empty list.
      if (!actor.roles.flatMap(rolesOf).some((r) => r.cls === 'event')) authorize(actor, 'event', 'view');
      const seesAll = allows(actor, 'event', 'view');
      // Who sees every event gets the newest `limit` from the store; who sees some namespaces gets them
      // filtered from all (a fixed cap could hide theirs behind other namespaces' newer events).
      const events = api.store.events({
        limit: seesAll ? limit : -1,
        ...(req.query.severity ? { severity: req.query.severity } : {}),
        ...(req.query.object ? { object: req.query.object } : {}),
      });
      const visible = seesAll
        ? events
        : events.filter((e) => {
            const namespace = namespaceOf(e.object);
            return namespace !== undefined && allows(actor, 'event', 'view', namespace);
          });
      return visible.slice(-limit);
    },
  );
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/audit',
    {
      schema: {
        ...s,
        operationId: 'listAudit',
        summary: 'the audit log',
        description: 'Who changed what, when, newest last; needs user-view cluster-wide.',
        querystring: AuditQuery,
        response: responses(Type.Array(Audit, { description: 'the audit rows, newest last' })),
      },
    },
    async (req) => {
      authorize(actorOf(req), 'user', 'view');
      return api.store.audit(Number(req.query.limit ?? 100));
    },
  );
};
