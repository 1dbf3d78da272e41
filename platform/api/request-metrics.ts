/**
 * The HTTP request metrics: answers counted by method, route and status (`anvil_http_requests_total`), and
 * their time by method and route (`anvil_http_request_duration_seconds`, a histogram). The route is the URL a
 * route was registered with (its parameters unfilled), 'unmatched' where none matched; what Node's parser
 * refuses before any route, apart (`anvil_http_refused_requests_total`).
 * Each route counts its own answers (given its hooks as it is registered: `req.routeOptions` would build an
 * object per request to tell the route), in plain maps and arrays handed to prom-client when /metrics is
 * scraped: prom-client's `inc` and `observe` build a label string and look it up on every call.
 * An answer is counted as it is sent (onSend, after every other onSend hook: the wait for its fsync and the
 * 503 of a failed one included), not once written (onResponse): a route with an onResponse hook makes Fastify
 * put two listeners on every response of it and take them off again. Routes whose answer is a stream written
 * past Fastify (`config.streamed`: watches, server-sent events) never send through onSend, and are counted when
 * the stream ends, as before.
 */
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler, onSendHookHandler } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyRequest {
    /** performance.now() when the request reached its route's hooks, ms (its duration is counted from here). */
    arrived_ms: number;
  }
  interface FastifyContextConfig {
    /** The route may answer with a stream written past Fastify (reply.hijack): counted on response instead. */
    streamed?: boolean;
  }
}

/** The duration histogram's upper bounds, seconds. */
export const DURATION_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** Answers of one route and method: how many of each status, and their durations. */
interface Series {
  readonly statuses: Map<number, number>;
  /** Answers per bucket of DURATION_BUCKETS_S (not cumulative), the last one past the largest bound. */
  readonly buckets: number[];
  sum_s: number;
  count: number;
}

/** The series of one route, by method. */
type RouteSeries = Map<string, Series>;

/** Counts one answer of `req` into its route's `series`. */
function count(series: RouteSeries, req: FastifyRequest, reply: FastifyReply): void {
  let s = series.get(req.method);
  if (s === undefined)
    series.set(req.method, (s = { statuses: new Map(), buckets: DURATION_BUCKETS_S.map(() => 0).concat(0), sum_s: 0, count: 0 }));
  const status = reply.statusCode;
  s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
  const seconds = (performance.now() - req.arrived_ms) / 1000;
  let bucket = 0;
  while (bucket < DURATION_BUCKETS_S.length && seconds > DURATION_BUCKETS_S[bucket]!) bucket++;
  s.buckets[bucket]!++;
  s.sum_s += seconds;
  s.count++;
}

/**
 * Counts the requests Node's HTTP parser refused before any route (not HTTP, headers past 16 KiB, too slow),
 * answered by hand (error-shapes.ts): `anvil_http_refused_requests_total` by status and code.
 */
export function countRefusedRequests(registry: Registry): (status: number, code: string) => void {
  const refused = new Counter({
    name: 'anvil_http_refused_requests_total',
    help: "HTTP requests refused before any route (Node's parser: not HTTP, headers too large, too slow), by status and code",
    labelNames: ['status', 'code'],
    registers: [registry],
  });
  return (status, code) => refused.inc({ status: String(status), code });
}

/** Installs the metrics on `app` (before the routes are registered, and after the server's own onSend hooks) into `registry`. */
export function installRequestMetrics(app: FastifyInstance, registry: Registry): void {
  const routes = new Map<string, RouteSeries>();
  const seriesOf = (route: string): RouteSeries => {
    let series = routes.get(route);
    if (series === undefined) routes.set(route, (series = new Map()));
    return series;
  };
  new Counter({
    name: 'anvil_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [route, methods] of routes)
        for (const [method, s] of methods) for (const [status, n] of s.statuses) this.inc({ method, route, status: String(status) }, n);
    },
  });
  new Histogram({
    name: 'anvil_http_request_duration_seconds',
    help: 'time to answer a request, seconds',
    labelNames: ['method', 'route'],
    registers: [registry],
    buckets: DURATION_BUCKETS_S,
    collect() {
      this.reset();
      for (const [route, methods] of routes)
        for (const [method, s] of methods) {
          const labels = { method, route };
          this.zero(labels);
          // prom-client takes observations one at a time; its series of these labels is filled as `observe` would.
          const held = (this as unknown as { hashMap: Record<string, PromSeries> }).hashMap;
          const entry = Object.values(held).find((e) => e.labels.method === method && e.labels.route === route)!;
          DURATION_BUCKETS_S.forEach((bound, i) => (entry.bucketValues[bound] = s.buckets[i]!));
          entry.sum = s.sum_s;
          entry.count = s.count;
        }
    },
  });
  // The clock of every request, matched or not, starts before any other hook of its route (authentication included).
  app.decorateRequest('arrived_ms', 0);
  app.addHook('onRequest', (req, _reply, done) => {
    req.arrived_ms = performance.now();
    done();
  });
  app.addHook('onRoute', (route) => {
    const series = seriesOf(route.url);
    if (route.config?.streamed === true) {
      const counted: onResponseHookHandler = (req, reply, done) => {
        count(series, req, reply);
        done();
      };
      route.onResponse = [...[route.onResponse ?? []].flat(), counted];
      return;
    }
    // After the server's own onSend hooks (the wait for the fsync): the status is the one sent.
    const counted: onSendHookHandler = (req, reply, payload, done) => {
      count(series, req, reply);
      done(null, payload);
    };
    route.onSend = [...[route.onSend ?? []].flat(), counted];
  });
  // No route matched: the not-found handler's answers (it has the server's hooks only, none of a route).
  const unmatched = seriesOf('unmatched');
  app.addHook('onSend', (req, reply, payload, done) => {
    if (req.is404) count(unmatched, req, reply);
    done(null, payload);
  });
}

/** What prom-client keeps of one series of a histogram (lib/histogram.js createBaseValues). */
interface PromSeries {
  labels: Record<string, string>;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}
