/**
 * Issue 11, point 4: one request's size is bounded. A Deployment of 150,000 replicas, too many documents
 * or too many pods in one apply is refused at once (413 ANVIL_ERR_REQUEST_TOO_LARGE naming the field and
 * the maximum) and changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_APPLY_DOCUMENTS, MAX_APPLY_PODS, MAX_REPLICAS_PER_WORKLOAD } from '../../../platform/manifests/apply.js';
import { deploymentManifest, seededWorld, type World } from './api-harness.js';

const deployment = deploymentManifest;

let world: World | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

async function podCount(w: World): Promise<number> {
  return ((await w.call('admin', 'GET', '/apis/anvil.dev/v1/pods')).json() as unknown[]).length;
}

describe('the size of one apply', () => {
  it('refuses a workload of more replicas than allowed, naming the line, the field and the maximum', async () => {
    world = await seededWorld();
    const before = await podCount(world);
    const r = await world.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests: deployment('big', 150_000) });
    expect(r.statusCode, r.body).toBe(413);
    expect(r.json().code).toBe('ANVIL_ERR_REQUEST_TOO_LARGE');
    expect(r.json().message).toBe(
      `body.manifests:5: spec.replicas: 150000 replicas, more than the ${MAX_REPLICAS_PER_WORKLOAD} one workload may have; split it into several workloads`,
    );
    expect(await podCount(world)).toBe(before);
  });

  it('refuses more pods in one apply than allowed, though each workload is within bounds', async () => {
    world = await seededWorld();
    const workloads = Math.ceil((MAX_APPLY_PODS + 1) / MAX_REPLICAS_PER_WORKLOAD);
    const manifests = Array.from({ length: workloads }, (_, i) => deployment(`w${i}`, MAX_REPLICAS_PER_WORKLOAD)).join('---\n');
    const r = await world.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests });
    expect(r.statusCode, r.body).toBe(413);
    expect(r.json().message).toMatch(new RegExp(`more than the ${MAX_APPLY_PODS} one apply may make`));
  });

  it('refuses more documents than allowed', async () => {
    world = await seededWorld();
    const manifests = Array.from({ length: MAX_APPLY_DOCUMENTS + 1 }, (_, i) => `kind: Namespace\nmetadata: { name: n${i} }\n`).join(
      '---\n',
    );
    const r = await world.call('admin', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests });
    expect(r.statusCode, r.body).toBe(413);
    expect(r.json().message).toBe(
      `${MAX_APPLY_DOCUMENTS + 1} documents in one apply, more than the ${MAX_APPLY_DOCUMENTS} allowed; split the manifests into several applies`,
    );
  });
});
