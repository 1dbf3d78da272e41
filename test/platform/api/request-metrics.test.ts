/**
 * The request metrics count each answer once, under its route and the status sent: answers sent through
 * Fastify as they are sent (after the wait for their fsync), streams written past it (a Kubernetes watch) once
 * they end, answers of no route as `unmatched`; the duration histogram holds every one of them. And the query
 * rule, checked per route as the request arrives, still comes after authentication.
 */
import { describe, expect, it } from 'vitest';
import { seededWorld } from './api-harness.js';

/** The value of the sample `name{labels}` in a Prometheus text body, or undefined. */
function sample(body: string, name: string, labels: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('request metrics', () => {
  it('count each answer once under its route and status, a watch once it has ended, with its duration', async () => {
    const w = await seededWorld();
    for (let i = 0; i < 3; i++) expect((await w.call('admin', 'GET', '/apis/anvil.dev/v1/namespaces')).statusCode).toBe(200);
    expect((await w.call('none', 'GET', '/apis/anvil.dev/v1/namespaces')).statusCode).toBe(401);
    expect((await w.call('admin', 'GET', '/apis/anvil.dev/v1/no-such-thing')).statusCode).toBe(404);
    // A watch is written past Fastify: counted when it ends (timeoutSeconds=0 ends it at once).
    const watch = await w.app.inject({
      url: '/api/v1/namespaces/a/pods?watch=true&timeoutSeconds=0',
      headers: { authorization: `Bearer ${w.tokens.admin}` },
    });
    expect(watch.statusCode).toBe(200);
    const body = (await w.call('admin', 'GET', '/metrics')).body;
    const ns = 'method="GET",route="/apis/anvil.dev/v1/namespaces"';
    expect(sample(body, 'anvil_http_requests_total', `${ns},status="200"`)).toBe(3);
    expect(sample(body, 'anvil_http_requests_total', `${ns},status="401"`)).toBe(1);
    expect(sample(body, 'anvil_http_requests_total', 'method="GET",route="unmatched",status="404"')).toBe(1);
    expect(sample(body, 'anvil_http_requests_total', 'method="GET",route="/api/v1/namespaces/:namespace/pods",status="200"')).toBe(1);
    // The scrape itself is counted once it has been sent, not in its own answer.
    expect(sample(body, 'anvil_http_requests_total', 'method="GET",route="/metrics",status="200"')).toBeUndefined();
    // Every answer of the route in the histogram: its count, the +Inf bucket, and cumulative buckets.
    expect(sample(body, 'anvil_http_request_duration_seconds_count', ns)).toBe(4);
    expect(sample(body, 'anvil_http_request_duration_seconds_bucket', `le="+Inf",${ns}`)).toBe(4);
    const buckets = body
      .split('\n')
      .filter((l) => l.startsWith('anvil_http_request_duration_seconds_bucket{') && l.includes(ns))
      .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    expect(buckets.length).toBe(12);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
    const sum = sample(body, 'anvil_http_request_duration_seconds_sum', ns)!;
    expect(sum).toBeGreaterThan(0);
    // A second scrape counts the first.
    const again = (await w.call('admin', 'GET', '/metrics')).body;
    expect(sample(again, 'anvil_http_requests_total', 'method="GET",route="/metrics",status="200"')).toBe(1);
    await w.app.close();
  });

  it('refuse an unknown query parameter only after the token: 401 without one, 400 with one', async () => {
    const w = await seededWorld();
    const none = await w.call('none', 'GET', '/apis/anvil.dev/v1/namespaces?bogus=1');
    expect([none.statusCode, none.json().code]).toEqual([401, 'ANVIL_ERR_UNAUTHENTICATED']);
    const admin = await w.call('admin', 'GET', '/apis/anvil.dev/v1/namespaces?bogus=1');
    expect([admin.statusCode, admin.json().code]).toEqual([400, 'ANVIL_ERR_QUERY_UNKNOWN']);
    expect(admin.json().message).toBe(
      'GET /apis/anvil.dev/v1/namespaces does not take the query parameter bogus; it takes limit, continue',
    );
    // A public route has no token to check first.
    const health = await w.app.inject('/healthz?bogus=1');
    expect([health.statusCode, health.json().code]).toEqual([400, 'ANVIL_ERR_QUERY_UNKNOWN']);
    await w.app.close();
  });
});
