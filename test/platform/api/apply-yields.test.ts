/**
 * Issue 11, point 4: a large apply does not stall the server. An apply of the most replicas allowed is
 * worked out in steps, so /healthz (and other requests) are answered while it runs; a change committed
 * meanwhile is kept, and the apply is worked out again on top of it. No wall-clock budget: the test
 * asserts the order in which the answers arrive.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REPLICAS_PER_WORKLOAD } from '../../../platform/manifests/apply.js';
import { deploymentManifest, seededWorld, type World } from './api-harness.js';

const deployment = (replicas: number): string => deploymentManifest('big', replicas, '{ cpu: 1m, memory: 1Mi }');

let world: World | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

describe('a large apply', () => {
  it('lets /healthz and other changes in while it runs, and keeps both', async () => {
    world = await seededWorld();
    let applyStarted = false;
    world.app.addHook('preHandler', async (req) => {
      if (req.url.endsWith('/apply')) applyStarted = true;
    });
    const base = await world.app.listen({ host: '127.0.0.1', port: 0 });
    const auth = { authorization: `Bearer ${world.tokens.admin}`, 'content-type': 'application/json' };
    const done: string[] = [];
    const applying = fetch(`${base}/apis/anvil.dev/v1/namespaces/c/apply`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ manifests: deployment(MAX_REPLICAS_PER_WORKLOAD) }),
    }).then(async (r) => {
      done.push('apply');
      return { status: r.status, body: (await r.json()) as { lines: string[] } };
    });
    // Once the apply's handler runs (a handler that held the event loop would run to its end first):
    while (!applyStarted) await new Promise((resolve) => setTimeout(resolve, 1));
    const health = await fetch(`${base}/healthz`);
    done.push('healthz');
    expect(health.status).toBe(200);
    const tenant = await fetch(`${base}/apis/anvil.dev/v1/namespaces`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'd' }),
    });
    done.push('tenant');
    expect(tenant.status).toBe(201);
    const applied = await applying;
    expect(done).toEqual(['healthz', 'tenant', 'apply']);
    expect(applied.status, JSON.stringify(applied.body).slice(0, 300)).toBe(200);
    expect(applied.body.lines[0]).toMatch(new RegExp(`^deployment.apps/big created \\(${MAX_REPLICAS_PER_WORKLOAD} pods: `));
    // Both changes are in the state, and in the audit log.
    const state = world.api.store.read((s) => ({
      tenant: s.tenants.has('d'),
      pods: [...s.pods.values()].filter((p) => p.namespace === 'c').length,
    }));
    expect(state).toEqual({ tenant: true, pods: MAX_REPLICAS_PER_WORKLOAD });
    expect(world.api.store.audit(2).map((a) => a.action)).toEqual(['create namespaces', 'apply manifests']);
  });
});
