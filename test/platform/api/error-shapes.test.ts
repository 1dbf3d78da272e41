/**
 * Every answer of the server is a catalogue error `{code, message}` with its status, also those Fastify and
 * Node's HTTP parser give before a route runs; and every route refuses a query parameter it does not declare,
 * naming it and the ones it takes.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../../platform/errors.js';
import { routesOf } from '../../../platform/api/error-shapes.js';
import { seededWorld, type World } from './api-harness.js';

/** One request written by hand on a socket (inject normalises URLs and skips Node's parser): status and body. */
async function overSocket(w: World, requestHead: string): Promise<{ status: number; body: unknown }> {
  const address = w.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening');
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(address.port, '127.0.0.1', () => socket.write(requestHead));
    let received = '';
    socket.on('data', (chunk) => (received += String(chunk)));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
  const [head, body] = [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)];
  return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]), body: JSON.parse(body) as unknown };
}

const get = (path: string, token: string) =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`;

/** A catalogue error with its own status and nothing but code, message and details. */
function expectCoded(status: number, body: unknown, code: keyof typeof ERRORS): void {
  expect([status, (body as { code: string }).code]).toEqual([ERRORS[code].status, code]);
  expect(Object.keys(body as object).filter((k) => k !== 'details')).toEqual(['code', 'message']);
  expect((body as { message: string }).message.length).toBeGreaterThan(10);
}

/** A path of the route with every parameter filled. */
const filled = (url: string) =>
  url
    .replace(/:id\b/g, '1')
    .replace(/:namespace\b/g, 'a')
    .replace(/:[A-Za-z_]+/g, 'x')
    .replace(/\*$/, 'swagger-ui.css');

describe('unknown query parameters', () => {
  it('every route of the server refuses one with ANVIL_ERR_QUERY_UNKNOWN naming it and the parameters the route takes', async () => {
    const w = await seededWorld();
    const doc = (await w.app.inject('/openapi.json')).json() as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
    };
    const routes = routesOf(w.app);
    // The API, the system routes, the docs with their files, the scheduler extender.
    for (const url of [
      '/apis/anvil.dev/v1/nodes',
      '/apis/anvil.dev/v1/namespaces/:namespace/volumes/:name',
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/docs',
      '/docs/static/*',
      '/scheduler/filter',
    ]) {
      expect(
        routes.map((r) => r.url),
        url,
      ).toContain(url);
    }
    expect(routes.length).toBeGreaterThan(68);
    for (const { method, url } of routes) {
      const res = await w.app.inject({
        method: method as 'GET',
        url: `${filled(url)}?bogus=1`,
        headers: { authorization: `Bearer ${w.tokens.admin}` },
      });
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      if (method === 'HEAD') continue; // no body
      // The Kubernetes facade answers a Status (kubectl reads only those), the catalogue code as its cause.
      const status = res.json() as { kind?: string; reason?: string; details?: { causes?: { reason: string }[] } };
      if (status.kind === 'Status') {
        expect([status.reason, status.details?.causes?.[0]?.reason], `${method} ${url}`).toEqual(['BadRequest', 'ANVIL_ERR_QUERY_UNKNOWN']);
      } else expectCoded(res.statusCode, res.json(), 'ANVIL_ERR_QUERY_UNKNOWN');
      const message = (res.json() as { message: string }).message;
      expect(message, `${method} ${url}`).toContain(`${method} ${url} does not take the query parameter bogus`);
      const declared = (doc.paths[url.replace(/:([A-Za-z_]+)/g, '{$1}')]?.[method.toLowerCase()]?.parameters ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => p.name);
      expect(message, `${method} ${url}`).toMatch(
        declared.length === 0 ? /it takes none$/ : new RegExp(`it takes ${declared.join(', ')}$`),
      );
    }
    await w.app.close();
  });

  it('a parameter a route declares is still taken; an unknown route stays 404 whatever its query', async () => {
    const w = await seededWorld();
    expect((await w.call('admin', 'GET', '/apis/anvil.dev/v1/events?limit=2&severity=info')).statusCode).toBe(200);
    expect((await w.call('admin', 'GET', '/apis/anvil.dev/v1/audit?limit=2')).statusCode).toBe(200);
    const both = await w.call('admin', 'GET', '/apis/anvil.dev/v1/audit?limit=2&since=x&until=y');
    expectCoded(both.statusCode, both.json(), 'ANVIL_ERR_QUERY_UNKNOWN');
    expect(both.json().message).toBe('GET /apis/anvil.dev/v1/audit does not take the query parameters since, until; it takes limit');
    // A parameter another route takes is not taken here either.
    const force = await w.call('admin', 'DELETE', '/apis/anvil.dev/v1/namespaces/a/endpoints/ea?force=true');
    expectCoded(force.statusCode, force.json(), 'ANVIL_ERR_QUERY_UNKNOWN');
    expect(force.json().message).toBe(
      'DELETE /apis/anvil.dev/v1/namespaces/:namespace/endpoints/:name does not take the query parameter force; it takes none',
    );
    const missing = await w.call('admin', 'GET', '/apis/anvil.dev/v1/nowhere?bogus=1');
    expectCoded(missing.statusCode, missing.json(), 'ANVIL_ERR_ROUTE_NOT_FOUND');
    await w.app.close();
  });
});

describe('answers Fastify and Node give before a route runs', () => {
  it("a URL whose %-escape is not UTF-8 is ANVIL_ERR_BAD_URL (400), not Fastify's own body", async () => {
    const w = await seededWorld();
    const res = await w.call('admin', 'GET', '/apis/anvil.dev/v1/namespaces/a/volumes/%E9');
    expectCoded(res.statusCode, res.json(), 'ANVIL_ERR_BAD_URL');
    await w.app.close();
  });

  it("a path parameter over 256 characters is ANVIL_ERR_URI_TOO_LONG (414), by inject and over a socket; a URL over 16 KiB is ANVIL_ERR_HEADERS_TOO_LARGE (431) from Node's parser", async () => {
    const w = await seededWorld();
    const long = `/apis/anvil.dev/v1/namespaces/a/volumes/${'v'.repeat(300)}`;
    const injected = await w.call('admin', 'GET', long);
    expectCoded(injected.statusCode, injected.json(), 'ANVIL_ERR_URI_TOO_LONG');
    await w.app.listen({ host: '127.0.0.1', port: 0 });
    const real = await overSocket(w, get(long, w.tokens.admin));
    expectCoded(real.status, real.body, 'ANVIL_ERR_URI_TOO_LONG');
    const huge = await overSocket(w, get(`/apis/anvil.dev/v1/namespaces/a/volumes/${'v'.repeat(20_000)}`, w.tokens.admin));
    expectCoded(huge.status, huge.body, 'ANVIL_ERR_HEADERS_TOO_LARGE');
    const garbage = await overSocket(w, 'NOT HTTP\r\n\r\n');
    expectCoded(garbage.status, garbage.body, 'ANVIL_ERR_BAD_REQUEST');
    // No route ran for those two, so the request metrics have them apart, by status and code.
    const metrics = (await w.call('viewer', 'GET', '/metrics')).body;
    expect(metrics).toContain('anvil_http_refused_requests_total{status="431",code="ANVIL_ERR_HEADERS_TOO_LARGE"} 1');
    expect(metrics).toContain('anvil_http_refused_requests_total{status="400",code="ANVIL_ERR_BAD_REQUEST"} 1');
    await w.app.close();
  });

  it("a path out of the docs' static folder is ANVIL_ERR_ROUTE_NOT_FOUND (404) over a socket, where no URL normalisation hides it", async () => {
    const w = await seededWorld();
    await w.app.listen({ host: '127.0.0.1', port: 0 });
    for (const path of ['/docs/static/%2e%2e/', '/docs/static/../', '/docs/static/%2e%2e/%2e%2e/package.json']) {
      const res = await overSocket(w, get(path, w.tokens.admin));
      expectCoded(res.status, res.body, 'ANVIL_ERR_ROUTE_NOT_FOUND');
    }
    await w.app.close();
  });

  it('a 50 MB body is ANVIL_ERR_BODY_TOO_LARGE (413) naming the limit; a body not JSON ANVIL_ERR_MEDIA_TYPE (415); a broken JSON body a field error', async () => {
    const w = await seededWorld();
    const auth = { authorization: `Bearer ${w.tokens.admin}` };
    const big = await w.app.inject({
      method: 'POST',
      url: '/apis/anvil.dev/v1/namespaces',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: `{"name":"${'a'.repeat(50 * 1024 * 1024)}"}`,
    });
    expectCoded(big.statusCode, big.json(), 'ANVIL_ERR_BODY_TOO_LARGE');
    expect(big.json().message).toMatch(/larger than the \d+ bytes/);
    const xml = await w.app.inject({
      method: 'POST',
      url: '/apis/anvil.dev/v1/namespaces',
      headers: { ...auth, 'content-type': 'application/xml' },
      payload: '<name>x</name>',
    });
    expectCoded(xml.statusCode, xml.json(), 'ANVIL_ERR_MEDIA_TYPE');
    const broken = await w.app.inject({
      method: 'POST',
      url: '/apis/anvil.dev/v1/namespaces',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expectCoded(broken.statusCode, broken.json(), 'ANVIL_ERR_FIELD_INVALID');
    await w.app.close();
  });

  it('the docs page, its files and /openapi.json are still served', async () => {
    const w = await seededWorld();
    for (const path of [
      '/docs',
      '/docs/',
      '/docs/static/swagger-ui.css',
      '/docs/static/swagger-initializer.js',
      '/docs/json',
      '/openapi.json',
    ]) {
      expect((await w.app.inject(path)).statusCode, path).toBe(200);
    }
    await w.app.close();
  });
});
