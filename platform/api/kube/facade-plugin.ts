/**
 * The Kubernetes facade: `/version`, discovery, the resources of resources.ts (list, get, watch:
 * read-routes.ts) and the writes of writes-plugin.ts (create, patch, delete), over Anvil's own objects.
 * Same tokens and RBAC as Anvil's API (a tenant sees only its namespaces' pods); errors are Kubernetes Status objects. Over plain http kubectl never sends a token, so
 * with `anonymousLoopback` a token-less call from a loopback address reads as the `viewer` role.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import type { Clock } from '../../domain/clock.js';
import type { Actor } from '../../domain/tenancy.js';
import { bearerActor } from '../auth.js';
import type { Api } from '../api.js';
import {
  AGGREGATED_V2,
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
  wantsAggregatedV2,
} from './discovery.js';
import { registerReadRoutes } from './read-routes.js';
import { StatusSchema, statusOf, statusOfError } from './status.js';
import { kubeWritesPlugin } from './writes-plugin.js';
import { isLoopbackAddress } from '../loopback.js';

export interface KubeFacadeOptions {
  readonly api: Api;
  readonly clock: Clock;
  /** Plain http calls only (never over TLS): a call without a token from 127.0.0.0/8 or ::1 acts as `system:anonymous` with `viewer`. */
  readonly anonymousLoopback: boolean;
}

/** The anonymous actor of a loopback http call: cluster-wide read, as `kubectl proxy` gives. */
export const ANONYMOUS_LOOPBACK: Actor = { user: 'system:anonymous', roles: ['viewer'] };

const opt = (description: string) => Type.Optional(Type.String({ description }));
const TIMEOUT = opt('the client-side timeout kubectl sends (32s); taken and ignored');
/** What kubectl sends on discovery. */
const DiscoveryQuery = Type.Object({ timeout: TIMEOUT }, { additionalProperties: false });
/** A Kubernetes answer: named fields, the rest as Kubernetes defines them. */
const kubeAnswer = (description: string, fields: Record<string, TSchema> = {}) =>
  Type.Object({ kind: Type.String(), apiVersion: Type.Optional(Type.String()), ...fields }, { description, additionalProperties: true });
const errors = { '4xx': StatusSchema, '5xx': StatusSchema };

export const kubeFacadePlugin: FastifyPluginAsync<KubeFacadeOptions> = async (app, { api, clock, anonymousLoopback }) => {
  // Facade routes are `public` to Anvil's own auth hook: this one authenticates them, answering a Status.
  // A callback hook, not an async one: no promise and no extra turn of the microtask queue per request.
  app.addHook('onRequest', (req, _reply, done) => {
    const header = req.headers.authorization;
    // Never over TLS: there kubectl sends its token, and a call without one is refused as on Anvil's API.
    const plain = (req.socket as typeof req.socket & { encrypted?: boolean }).encrypted !== true;
    try {
      if (header === undefined && anonymousLoopback && plain && isLoopbackAddress(req.socket.remoteAddress)) req.actor = ANONYMOUS_LOOPBACK;
      else req.actor = bearerActor(api.store, api.tokens, header);
    } catch (e) {
      return done(e as Error);
    }
    done();
  });
  app.setErrorHandler((err, req, reply) => {
    const status = kubeStatusOf(err);
    if (status.code >= 500) req.log.error(err);
    return send(reply.status(status.code), status);
  });

  const route = (
    url: string,
    operationId: string,
    description: string,
    response: TSchema,
    handler: (req: FastifyRequest, reply: FastifyReply) => unknown,
  ) => {
    app.get(url, {
      config: { public: true },
      schema: {
        tags: ['kubernetes'],
        security: [{ bearer: [] as string[] }],
        operationId,
        description,
        querystring: DiscoveryQuery,
        response: { 200: response, ...errors },
      },
      handler: async (req, reply) => send(reply, await handler(req, reply)),
    });
  };

  route('/version', 'kubeVersion', 'The Kubernetes version the facade speaks (`kubectl version`).', kubeAnswer('version info', {}), () => ({
    kind: 'Info',
    ...versionInfo(),
  }));
  route(
    '/api',
    'kubeCoreDiscovery',
    'Core API discovery: APIVersions, or the aggregated APIGroupDiscoveryList when Accept asks for apidiscovery.k8s.io v2.',
    kubeAnswer('discovery'),
    (req, reply) =>
      wantsAggregatedV2(req.headers.accept)
        ? (void reply.type(AGGREGATED_V2), aggregatedDiscovery(''))
        : apiVersions(req.headers.host ?? ''),
  );
  route(
    '/apis',
    'kubeGroupDiscovery',
    'API group discovery: APIGroupList (apps), or the aggregated form when Accept asks for apidiscovery.k8s.io v2.',
    kubeAnswer('discovery'),
    (req, reply) =>
      wantsAggregatedV2(req.headers.accept) ? (void reply.type(AGGREGATED_V2), aggregatedDiscovery('apps')) : apiGroupList(),
  );
  route(
    '/api/v1',
    'kubeCoreResources',
    'The core/v1 resources with their short names and categories (APIResourceList).',
    kubeAnswer('APIResourceList'),
    () => apiResourceList('v1'),
  );
  route(
    '/apis/apps/v1',
    'kubeAppsResources',
    'The apps/v1 resources with their short names and categories (APIResourceList).',
    kubeAnswer('APIResourceList'),
    () => apiResourceList('apps/v1'),
  );

  // Lists, gets and watches of every resource (nodes, namespaces, pods, events, PVCs, workloads); first, so
  // that the writes' own GET of one object (registered only where none is) gives way to them.
  registerReadRoutes(app, api, clock);

  // The writes (create, patch, delete) and the OpenAPI v3 documents: their own plugin, under this one's auth.
  await app.register(kubeWritesPlugin, { api, clock });
};

/** A Status to answer as it is (the error handler passes it through). */
class StatusError extends Error {
  constructor(readonly status: ReturnType<typeof statusOf>) {
    super(status.message);
  }
}

/** Kubernetes answers are written as they are (their schemas name only their top fields). */
function send(reply: FastifyReply, body: unknown) {
  if (body instanceof StatusError) body = body.status;
  void reply.serializer(JSON.stringify);
  if (!reply.hasHeader('content-type')) void reply.type('application/json');
  return reply.send(body);
}

/** The Status of an error the facade throws, its own Status errors included. */
export function kubeStatusOf(err: unknown) {
  return err instanceof StatusError ? err.status : statusOfError(err);
}
