/**
 * The HTTP request metrics: answers counted by method, route and status (`anvil_http_requests_total`), and
 * their time by method and route (`anvil_http_request_duration_seconds`, a histogram). The route is the URL a
 * route was registered with (its parameters unfilled), 'unmatched' where none matched.
 * Each route counts its own answers (given its hook as it is registered: `req.routeOptions` would build an
 * object per request to tell the route), in plain maps handed to the counter when /metrics is scraped:
 * prom-client's `inc` builds a label string and looks it up on every call, a few per cent of a small read.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Answers of one route: by method, by HTTP status, how many. */
type RouteAnswers = Map<string, Map<number, number>>;

/** Installs the metrics on `app` (before the routes are registered) into `registry`. */
export function installRequestMetrics(app: FastifyInstance, registry: Registry): void {
  const answers = new Map<string, RouteAnswers>();
  new Counter({
    name: 'anvil_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [route, methods] of answers)
        for (const [method, statuses] of methods)
          for (const [status, n] of statuses) this.inc({ method, route, status: String(status) }, n);
    },
  });
  const duration = new Histogram({
    name: 'anvil_http_request_duration_seconds',
    help: 'time to answer a request, seconds',
    labelNames: ['method', 'route'],
    registers: [registry],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  });
  const counterOf = (route: string): ((req: FastifyRequest, reply: FastifyReply) => void) => {
    let methods = answers.get(route);
    if (methods === undefined) answers.set(route, (methods = new Map()));
    const byMethod = methods;
    return (req, reply) => {
      let statuses = byMethod.get(req.method);
      if (statuses === undefined) byMethod.set(req.method, (statuses = new Map()));
      statuses.set(reply.statusCode, (statuses.get(reply.statusCode) ?? 0) + 1);
      duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    };
  };
  app.addHook('onRoute', (route) => {
    const count = counterOf(route.url);
    const counted: onResponseHookHandler = (req, reply, done) => {
      count(req, reply);
      done();
    };
    route.onResponse = [...[route.onResponse ?? []].flat(), counted];
  });
  const unmatched = counterOf('unmatched');
  app.addHook('onResponse', (req, reply, done) => {
    if (req.is404) unmatched(req, reply);
    done();
  });
}
