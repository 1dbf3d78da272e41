/**
 * The Anvil API server (Fastify): one plugin per domain under /apis/anvil.dev/v1, the Kubernetes facade
 * (kube/facade-plugin.ts) at /version, /api and /apis, bearer-token auth, RBAC through the
 * domain, coded errors with their HTTP status, Prometheus metrics, health, the OpenAPI document and its page,
 * and the dashboard at / (platform/dashboard).
 * Every read and change goes through the same Store and ControlPlane as the CLI: one set of invariants.
 */
import { startResyncLoop } from '../state/advance-resyncs.js';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Registry } from 'prom-client';
import { AnvilError, isAnvilError } from '../errors.js';
import { wallClock, type Clock } from '../domain/clock.js';
import { localAdmin } from '../domain/tenancy.js';
import { Store } from '../state/store.js';
import type { FileSync } from '../state/durability.js';
import { holdAnswersUntilDurable } from './durable-answers.js';
import { closeSilentConnectionsOnClose } from './silent-connections.js';
import { installAuth } from './auth.js';
import { clientErrorHandlerTelling, codedFrameworkError, frameworkErrors, installQueryRule, MAX_PARAM_LENGTH } from './error-shapes.js';
import { ErrorBody, SWAGGER_OPTIONS } from './schemas.js';
import { TokenStore } from './tokens.js';
import { ListPages } from './paging.js';
import { systemPlugin } from './plugins/system.js';
import { clusterPlugin } from './plugins/cluster.js';
import { networksPlugin } from './plugins/networks.js';
import { perfTiersPlugin } from './plugins/perf-tiers.js';
import { volumesPlugin } from './plugins/volumes.js';
import { podsPlugin } from './plugins/pods.js';
import { workloadsPlugin } from './plugins/workloads.js';
import { tenancyPlugin } from './plugins/tenancy.js';
import { eventsPlugin } from './plugins/events.js';
import { quotasPlugin } from './plugins/quotas.js';
import { extenderPlugin } from './plugins/extender.js';
import { usagePlugin } from './plugins/usage.js';
import { reportsPlugin } from './plugins/reports.js';
import { runsPlugin } from './plugins/runs.js';
import { runFiguresPlugin } from './plugins/run-figures.js';
import { liveRunsPlugin } from './plugins/live-runs.js';
import { LiveRuns, NO_LIVE_RUNS, type LiveRunOptions } from './live-runs.js';
import { dashboardPlugin } from '../dashboard/dashboard-plugin.js';
import { kubeFacadePlugin } from './kube/facade-plugin.js';
import { statusOf } from './kube/status.js';
import { installRateLimit } from './rate-limit.js';
import { installStateMetrics } from './state-metrics.js';
import { countRefusedRequests, installRequestMetrics } from './request-metrics.js';
import type { KubeApi } from './extender/kube-binder.js';
import type { Api } from './api.js';
import { extenderCallersOf, type ServerTls } from './tls.js';
import { dualProtocolServer } from './dual-protocol.js';
import type { Server as HttpServer } from 'node:http';
import { isLoopbackAddress } from './loopback.js';

export interface ServerOptions {
  /** The state file (':memory:' in tests). */
  readonly statePath: string;
  readonly clock?: Clock;
  readonly logger?: boolean;
  /** HTTPS (from loadServerTls); with a client CA the extender answers callers with its client certificates only. */
  readonly tls?: ServerTls;
  /** The Kubernetes API the extender's bind posts Bindings to (kubeApiOf); without it bind stays in Anvil. */
  readonly kube?: KubeApi;
  /** Requests a minute per bearer token (rate-limit.ts); undefined or 0: no limit. */
  readonly rateLimitPerMinute?: number;
  /** A folder of results folders (`anvil serve --runs`): GET /runs lists them (run-folders.ts). */
  readonly runsDir?: string;
  /** Runs started from the API (POST /runs) into runsDir: the worker module and the bounds (live-runs.ts); without it none start. */
  readonly liveRuns?: LiveRunOptions;
  /** A folder of reports (`anvil serve --reports`; default runsDir): GET /reports lists them (report-files.ts). */
  readonly reportsDir?: string;
  /**
   * With `tls`: plain http on the same port too (dual-protocol.ts), answered for loopback callers only (`anvil
   * serve` by default: https with the CA made beside the state, http for the CLI and curl on this machine).
   */
  readonly plainHttpOnLoopback?: boolean;
  /** Plain http: a token-less Kubernetes-facade read from loopback acts as `viewer` (kubectl sends no token over http). */
  readonly kubeAnonymousLoopback?: boolean;
  /** Flushes the state file's WAL to disk (state/durability.ts); tests put a slow or failing one in its place. */
  readonly syncWal?: FileSync;
}

// Api has its own module (plugins import it, not this file); re-exported for callers of buildServer.
export type { Api };

export const API_PREFIX = '/apis/anvil.dev/v1';

/** Builds the server (not listening: `inject()` in tests, `listen()` in `anvil serve`). */
export async function buildServer(opts: ServerOptions): Promise<{ app: FastifyInstance; api: Api; liveRuns: LiveRuns }> {
  const clock = opts.clock ?? wallClock;
  const store = Store.open(opts.statePath, clock, false, opts.syncWal);
  const tokens = TokenStore.of(store, clock);
  const metrics = new Registry();
  const api: Api = { store, tokens, metrics, pages: new ListPages(() => clock().getTime()) };
  const common = {
    logger: opts.logger ?? false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    // Object names run to 253 characters (DNS-1123 subdomains); Fastify's default stops path parameters at 100.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // What Fastify and Node refuse before a route runs is answered in the catalogue's form too.
    frameworkErrors,
    clientErrorHandler: clientErrorHandlerTelling(countRefusedRequests(metrics)),
  };
  // The routes read nothing of the raw server, so one instance type serves HTTP and HTTPS alike.
  const tls = opts.tls;
  const app = (tls === undefined
    ? Fastify(common)
    : opts.plainHttpOnLoopback === true
      ? Fastify({ ...common, serverFactory: (handler, o) => dualProtocolServer(httpsOptionsOf(tls), handler, o) as unknown as HttpServer })
      : Fastify({ ...common, https: httpsOptionsOf(tls) })) as unknown as FastifyInstance;
  if (tls !== undefined && opts.plainHttpOnLoopback === true) refusePlainHttpOffLoopback(app);
  closeSilentConnectionsOnClose(app);
  // Resyncs finish as the clock passes their copy time, whether or not anyone calls.
  const stopResyncs = startResyncLoop(store, (m) => app.log.warn(m));
  app.addHook('onClose', async () => {
    stopResyncs();
    store.close();
    tokens.close();
  });
  // Before the routes are registered: every answer of every route (and every error) waits for its fsync.
  holdAnswersUntilDurable(app, store);
  app.addSchema(ErrorBody);
  installErrors(app);
  installQueryRule(app);
  installRequestMetrics(app, metrics);
  installStateMetrics(metrics, store);
  installAuth(app, store, tokens);
  await installRateLimit(app, opts.rateLimitPerMinute);
  await app.register(swagger, SWAGGER_OPTIONS);
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } as Record<string, unknown> });
  await app.register(systemPlugin, { api });
  await app.register(dashboardPlugin);
  for (const plugin of [
    clusterPlugin,
    networksPlugin,
    perfTiersPlugin,
    volumesPlugin,
    podsPlugin,
    workloadsPlugin,
    tenancyPlugin,
    quotasPlugin,
    eventsPlugin,
    usagePlugin,
  ]) {
    await app.register(plugin, { api, prefix: API_PREFIX });
  }
  const liveRuns = new LiveRuns(opts.runsDir, opts.liveRuns ?? NO_LIVE_RUNS, clock);
  await app.register(runsPlugin, { folder: opts.runsDir, live: liveRuns, prefix: API_PREFIX });
  await app.register(runFiguresPlugin, { folder: opts.runsDir, live: liveRuns, prefix: API_PREFIX });
  await app.register(liveRunsPlugin, { runs: liveRuns, prefix: API_PREFIX });
  await app.register(reportsPlugin, { folder: opts.reportsDir ?? opts.runsDir, prefix: API_PREFIX });
  await app.register(kubeFacadePlugin, { api, clock, anonymousLoopback: opts.kubeAnonymousLoopback === true });
  await app.register(extenderPlugin, { api, callers: extenderCallersOf(opts.tls), kube: opts.kube, prefix: '/scheduler' });
  return { app, api, liveRuns };
}

/**
 * Plain http beside https answers loopback callers only: a token sent in clear stays on this machine, and a
 * client elsewhere is told to use https (kubectl would send no token over http anyway).
 */
function refusePlainHttpOffLoopback(app: FastifyInstance): void {
  // A callback hook: every request of `anvil serve` passes here, and an async hook costs each a promise.
  app.addHook('onRequest', (req, _reply, done) => {
    const socket = req.socket as typeof req.socket & { encrypted?: boolean };
    if (socket.encrypted === true || isLoopbackAddress(socket.remoteAddress)) return done();
    done(
      new AnvilError(
        'ANVIL_ERR_PLAIN_HTTP_NOT_LOOPBACK',
        `plain http is answered only from this machine (loopback); ${socket.remoteAddress ?? 'this caller'} must use https on the same port, trusting the CA anvil serve made beside its state (<state>.tls/ca.pem)`,
      ),
    );
  });
}

/**
 * With a client CA the server asks every caller for a certificate but does not refuse the connection without
 * one (rejectUnauthorized: false): the CLI, browsers and Prometheus use bearer tokens on the same port; only
 * the scheduler extender requires a verified certificate (`socket.authorized`).
 */
function httpsOptionsOf(tls: ServerTls) {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCa !== undefined ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
  };
}

/**
 * When the state file is new: the user `admin` (cluster-admin) and its first token, to print once.
 * Returns undefined when users already exist.
 */
export function bootstrapAdmin(api: Api): string | undefined {
  const hasUsers = api.store.read((s) => s.users.size > 0);
  if (hasUsers || api.tokens.list().length > 0) return undefined;
  api.store.change(localAdmin('admin'), 'create users', 'users/admin', (cp) => cp.createUser('admin', ['cluster-admin']));
  const token = api.tokens.issue('admin', 'first admin token', 'admin').token;
  // Printed on stdout, not in an answer that waits for its fsync: on disk before it is shown.
  api.store.durableNow();
  return token;
}

function installErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AnvilError, req, reply) => {
    if (isAnvilError(err))
      return reply
        .status(err.status)
        .send({ code: err.code, message: err.message, ...(err.details.length ? { details: err.details } : {}) });
    const fe = err as FastifyError;
    if (fe.validation) {
      // Name every field at fault and what it must be.
      const details = fe.validation.map(
        (v) => `${fe.validationContext ?? 'body'}${v.instancePath}: ${v.message ?? 'invalid'}${allowedOf(v.params)}`,
      );
      return reply.status(400).send({ code: 'ANVIL_ERR_FIELD_INVALID', message: `bad request: ${details.join('; ')}`, details });
    }
    if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
      const coded = codedFrameworkError(fe, req);
      return reply.status(coded.status).send({ code: coded.code, message: coded.message });
    }
    req.log.error(err);
    return reply.status(500).send({
      code: 'ANVIL_ERR_INTERNAL',
      message: `internal error (${err.message}); this is a bug, please report it with the server log`,
    });
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    // kubectl reads only Status objects: an unknown Kubernetes path gets one (Anvil's own group keeps its body).
    if (/^\/apis?(\/|$)/.test(path) && !path.startsWith(`${API_PREFIX}/`)) {
      reply.status(404).send(statusOf(404, `the server could not find the requested resource (${req.method} ${path})`));
      return;
    }
    reply.status(404).send({
      code: 'ANVIL_ERR_ROUTE_NOT_FOUND',
      message: `no route ${req.method} ${req.url.split('?')[0]}; see /openapi.json or /docs for the routes`,
    });
  });
}

/** What a failed schema rule allows or rejects, for the message: the extra field, the allowed values. */
function allowedOf(params: Record<string, unknown>): string {
  if (typeof params.additionalProperty === 'string') return ` (${params.additionalProperty})`;
  if (Array.isArray(params.allowedValues)) return ` (${params.allowedValues.join(', ')})`;
  return '';
}
