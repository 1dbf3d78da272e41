/** The extender bench's server-side p99: read from Prometheus text as prom-client writes Anvil's duration histogram. */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { durationBuckets, serverP99Bound } from '../../../bench/perf/server-duration.js';

/** A registry holding the histogram under Anvil's name, labels and bounds (platform/api/request-metrics.ts). */
function histogram() {
  const registry = new Registry();
  const h = new Histogram({
    name: 'anvil_http_request_duration_seconds',
    help: 'time to answer a request, seconds',
    labelNames: ['method', 'route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const observe = (route: string, method: string, seconds: number, times: number) => {
    for (let i = 0; i < times; i++) h.observe({ method, route }, seconds);
  };
  return { text: () => registry.metrics(), observe };
}

describe("the server's own p99 of a route, from its duration histogram scraped before and after", () => {
  it('counts only the calls between the scrapes, of that route and POST, and gives the least bound 99% reach', async () => {
    const h = histogram();
    h.observe('/scheduler/filter', 'POST', 0.03, 50); // before: slow ones that must not count
    const before = await h.text();
    h.observe('/scheduler/filter', 'POST', 0.0008, 985);
    h.observe('/scheduler/filter', 'POST', 0.002, 10);
    h.observe('/scheduler/filter', 'POST', 0.004, 5);
    h.observe('/scheduler/prioritize', 'POST', 0.2, 100); // another route
    h.observe('/scheduler/filter', 'GET', 0.2, 100); // another method
    const after = await h.text();
    expect(durationBuckets(after, '/scheduler/filter').get('+Inf')).toBe(1050);
    expect(serverP99Bound(before, after, '/scheduler/filter')).toEqual({ bound_ms: 2.5, share: 0.995, answers: 1000 });
    expect(serverP99Bound(before, after, '/scheduler/prioritize')).toEqual({ bound_ms: 250, share: 1, answers: 100 });
  });

  it('is null without calls in between, and Infinity when 99% lie past the last bound', async () => {
    const h = histogram();
    h.observe('/scheduler/filter', 'POST', 0.0004, 10);
    const before = await h.text();
    expect(serverP99Bound(before, before, '/scheduler/filter')).toBeNull();
    h.observe('/scheduler/filter', 'POST', 2, 100);
    expect(serverP99Bound(before, await h.text(), '/scheduler/filter')).toEqual({ bound_ms: Infinity, share: 1, answers: 100 });
  });
});
