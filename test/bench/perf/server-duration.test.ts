/** The extender bench's server-side p99: read from Prometheus text, as prom-client writes Anvil's duration histogram and as a served Anvil answers /metrics. */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { postDurationBuckets, serverP99Bound } from '../../../bench/perf/server-duration.js';
import { DURATION_BUCKETS_S } from '../../../platform/api/request-metrics.js';
import { seededWorld } from '../../platform/api/api-harness.js';

/** A registry holding a histogram under Anvil's name, labels and bounds, to observe chosen durations into. */
function histogram() {
  const registry = new Registry();
  const h = new Histogram({
    name: 'anvil_http_request_duration_seconds',
    help: 'time to answer a request, seconds',
    labelNames: ['method', 'route'],
    buckets: DURATION_BUCKETS_S,
    registers: [registry],
  });
  const observe = (route: string, method: string, seconds: number, times: number) => {
    for (let i = 0; i < times; i++) h.observe({ method, route }, seconds);
  };
  return { text: () => registry.metrics(), observe };
}

describe("the server's own p99 of a route, from its duration histogram scraped before and after", () => {
  it('counts only the POSTs to that route between the scrapes, and gives the least bound 99% reach', async () => {
    const h = histogram();
    h.observe('/scheduler/filter', 'POST', 0.03, 50); // before: slow ones that must not count
    const before = await h.text();
    h.observe('/scheduler/filter', 'POST', 0.0008, 985);
    h.observe('/scheduler/filter', 'POST', 0.002, 10);
    h.observe('/scheduler/filter', 'POST', 0.004, 5);
    h.observe('/scheduler/prioritize', 'POST', 0.2, 100); // another route
    h.observe('/scheduler/filter', 'GET', 0.2, 100); // another method
    const after = await h.text();
    expect(postDurationBuckets(after, '/scheduler/filter').get('+Inf')).toBe(1050);
    expect(serverP99Bound(before, after, '/scheduler/filter')).toEqual({ bound_ms: 2.5, share: 0.995, answers: 1000 });
    expect(serverP99Bound(before, after, '/scheduler/prioritize')).toEqual({ bound_ms: 250, share: 1, answers: 100 });
  });

  it('is null without answers in between, and has no bound when 99% lie past the largest', async () => {
    const h = histogram();
    h.observe('/scheduler/filter', 'POST', 0.0004, 10);
    const before = await h.text();
    expect(serverP99Bound(before, before, '/scheduler/filter')).toBeNull();
    h.observe('/scheduler/filter', 'POST', 2, 100);
    expect(serverP99Bound(before, await h.text(), '/scheduler/filter')).toEqual({ bound_ms: null, share: 1, answers: 100 });
  });

  it("reads a served Anvil's /metrics: the extender's routes by their served paths, each call counted once", async () => {
    const w = await seededWorld();
    const scrape = async () => {
      const r = await w.call('viewer', 'GET', '/metrics');
      expect(r.statusCode).toBe(200);
      return r.body;
    };
    const before = await scrape();
    const args = {
      Pod: { metadata: { name: 'p', namespace: 'a', uid: 'u1' }, spec: { containers: [{ name: 'c' }] } },
      NodeNames: ['node1'],
    };
    for (let i = 0; i < 7; i++)
      expect((await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: args })).statusCode).toBe(200);
    const own = serverP99Bound(before, await scrape(), '/scheduler/filter');
    expect(own?.answers).toBe(7);
    // Whatever this machine took, the bound is one of the histogram's (or none) and holds 99% of the calls.
    expect([...DURATION_BUCKETS_S.map((s) => s * 1000), null]).toContainEqual(own!.bound_ms);
    expect(own!.share).toBeGreaterThanOrEqual(0.99);
    expect(serverP99Bound(before, await scrape(), '/scheduler/prioritize')).toBeNull();
    await w.app.close();
  });
});
