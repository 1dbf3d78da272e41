/**
 * Every answer of the server in the catalogue's `{code, message}` form, including those Fastify and Node
 * give before a route runs: a URL that is not valid (400), a path parameter over the router's bound (414),
 * a request line and headers over Node's 16 KiB (431), malformed HTTP (400), a body too large (413) or not
 * JSON (415), a static file outside its folder (404). And one rule for query parameters on every route: a
 * parameter the route does not declare is refused with a coded 400 naming it and the ones allowed.
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { AnvilError, ERRORS, type ErrorCode } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a caller whose body is over the route's bodyLimit should do instead (the 413's advice). */
    bodyTooLarge?: string;
  }
}

/** The body of a coded error, as the error handler sends it. */
const bodyOf = (code: ErrorCode, message: string) => ({ code, message });

/** The path of a request, without its query, for messages. */
const pathOf = (url: string) => url.split('?')[0] ?? url;

/** The bound on path parameters (routerOptions.maxParamLength): object names run to 253 characters. */
export const MAX_PARAM_LENGTH = 256;

/** What Fastify's router finds wrong with a URL before any route runs (Fastify's frameworkErrors option). */
export function frameworkErrors(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const path = pathOf(req.raw.url ?? '');
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply
      .status(ERRORS.ANVIL_ERR_URI_TOO_LONG.status)
      .send(
        bodyOf(
          'ANVIL_ERR_URI_TOO_LONG',
          `a part of the path ${path.slice(0, 120)}... is longer than the ${MAX_PARAM_LENGTH} characters a route takes; object names have at most 253`,
        ),
      );
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    void reply
      .status(ERRORS.ANVIL_ERR_BAD_URL.status)
      .send(
        bodyOf(
          'ANVIL_ERR_BAD_URL',
          `the path ${path.slice(0, 300)} is not a valid URL: a %-escape does not decode to UTF-8; escape names with encodeURIComponent`,
        ),
      );
    return;
  }
  void reply
    .status(500)
    .send(bodyOf('ANVIL_ERR_INTERNAL', `internal error (${error.message}); this is a bug, please report it with the server log`));
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (Fastify's clientErrorHandler): the answer
 * is written on the socket by hand, as Fastify's own handler does, with a coded body, and told to `refused`
 * (no route ran, so the request metrics never see it).
 */
export function clientErrorHandlerTelling(refused: (status: number, code: ErrorCode) => void) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [code, message]: [ErrorCode, string] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [
            'ANVIL_ERR_HEADERS_TOO_LARGE',
            'the request line and headers exceed the 16 KiB the server reads; shorten the URL (object names have at most 253 characters) or the headers',
          ]
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? ['ANVIL_ERR_REQUEST_TIMEOUT', 'the request was not received in time; send it again']
          : ['ANVIL_ERR_BAD_REQUEST', `the request is not well-formed HTTP/1.1 (${err.code ?? err.message}); use an HTTP client`];
    const status = ERRORS[code].status;
    refused(status, code);
    const body = JSON.stringify(bodyOf(code, message));
    if (socket.writable)
      socket.write(
        `HTTP/1.1 ${status} ${reasonOf(status)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
      );
    socket.destroy(err);
  };
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };
const reasonOf = (status: number) => REASONS[status] ?? 'Error';

/**
 * The coded error for an error Fastify raised with a 4xx status (not a schema validation, which names its
 * fields): a body too large, not JSON, not parseable; a file the static server refuses.
 */
export function codedFrameworkError(err: FastifyError, req: FastifyRequest): AnvilError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AnvilError(
        'ANVIL_ERR_BODY_TOO_LARGE',
        `the request body is larger than the ${req.routeOptions.bodyLimit ?? 1048576} bytes the server reads; ${req.routeOptions.config?.bodyTooLarge ?? 'send less at a time (apply fewer manifests per request)'}`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AnvilError(
        'ANVIL_ERR_MEDIA_TYPE',
        `the server reads JSON bodies only, not ${String(req.headers['content-type'])}; send Content-Type: application/json`,
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AnvilError('ANVIL_ERR_FIELD_INVALID', `bad request: ${err.message}; send a JSON body (Content-Type: application/json)`);
  }
  // The static files of /docs refuse a path out of their folder (403) or a missing file (404): there is no such file.
  if (err.statusCode === 403 || err.statusCode === 404)
    return new AnvilError(
      'ANVIL_ERR_ROUTE_NOT_FOUND',
      `no route or file ${req.method} ${pathOf(req.url)}; see /openapi.json or /docs for the routes`,
    );
  return new AnvilError('ANVIL_ERR_BAD_REQUEST', `bad request: ${err.message}`);
}

/** The routes of each server, as registered (HEAD routes included), for the walk that checks them all. */
const routeLists = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

export function routesOf(app: FastifyInstance): readonly { method: string; url: string }[] {
  return routeLists.get(app) ?? [];
}

/** The query parameters a route declares (its querystring schema's properties); none without one. */
function declaredQuery(route: { schema?: RouteOptions['schema'] }): string[] {
  const query = route.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(query?.properties ?? {});
}

/**
 * The one rule for query parameters: a route takes those it declares, no other. Checked as the request
 * arrives (after its authentication), before its body is read and the body and path are validated, so a stray
 * parameter is named whatever else is wrong. Each route is given its own check as it is registered (install
 * before any route is registered, before `installAuth`, which puts its check first): the parameters a route
 * takes are worked out once, and a request asks nothing of its route (`req.routeOptions` builds an object).
 * No route matched (the not-found handler): that is the answer, whatever the query.
 */
export function installQueryRule(app: FastifyInstance): void {
  const routes: { method: string; url: string }[] = [];
  routeLists.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    const allowed = declaredQuery(route);
    const url = route.url;
    // A callback hook, not an async one: every request passes here, and an async hook costs each a promise.
    const queryRule: onRequestHookHandler = (req, _reply, done) => {
      const query = req.query as Record<string, unknown> | undefined;
      let unknown: string[] | undefined;
      for (const name in query) if (!allowed.includes(name)) (unknown ??= []).push(name);
      if (unknown === undefined) return done();
      const takes = allowed.length === 0 ? 'it takes none' : `it takes ${allowed.join(', ')}`;
      done(
        new AnvilError(
          'ANVIL_ERR_QUERY_UNKNOWN',
          `${req.method} ${url} does not take the query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; ${takes}`,
        ),
      );
    };
    route.onRequest = [queryRule, ...[route.onRequest ?? []].flat()];
  });
}
