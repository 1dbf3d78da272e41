/**
 * Issue 11, point 3: permission before existence. A tenant applying manifests into another tenant's
 * namespace is refused before any lookup (no "unchanged" that confirms a name), and no error names an
 * object of a namespace the caller may not view (a pinned IP another tenant's pod holds).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { podManifest, seededWorld, type World } from './api-harness.js';

const claim = (name: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: ${name} }
spec: { resources: { requests: { storage: 1Gi } } }
`;

const pinnedPod = (name: string, ip: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  annotations: { anvil.dev/endpoint0: '{"network":"net1","ip":"${ip}"}' }
spec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: 100m, memory: 64Mi } } }] }
`;

let world: World | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

describe('apply into a namespace the caller may not edit', () => {
  // Namespace a holds pod pa and volume va; namespace b's user (tother) probes them by name.
  for (const [what, manifests] of [
    ['an existing pod', podManifest('pa')],
    ['an existing claim', claim('va')],
    ['a new pod', podManifest('fresh')],
    ['a Namespace', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n'],
  ] as const) {
    it(`is forbidden for ${what}, the same answer whether or not the object exists`, async () => {
      world = await seededWorld();
      const r = await world.call('tother', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests });
      expect(r.statusCode, r.body).toBe(403);
      expect(r.json().code).toBe('ANVIL_ERR_FORBIDDEN');
      expect(r.body).not.toMatch(/unchanged|exists/);
    });
  }

  it("the namespace's own tenant still applies, and sees its objects unchanged", async () => {
    world = await seededWorld();
    const r = await world.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', {
      manifests: `${podManifest('pa')}---\n${claim('va')}`,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().lines).toEqual(['persistentvolumeclaim/va unchanged (volume exists)', 'pod/pa unchanged']);
  });
});

describe('a pinned IP in use', () => {
  it("names the holder to who may see it, and only says 'another pod' to a tenant who may not", async () => {
    world = await seededWorld();
    const first = await world.call('tother', 'POST', '/apis/anvil.dev/v1/namespaces/b/apply', {
      manifests: pinnedPod('holder', '10.1.0.150'),
    });
    expect(first.statusCode, first.body).toBe(200);
    const tenant = await world.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', {
      manifests: pinnedPod('taker', '10.1.0.150'),
    });
    expect(tenant.statusCode, tenant.body).toBe(409);
    expect(tenant.json().code).toBe('ANVIL_ERR_IN_USE');
    expect(tenant.json().message).toMatch(/10\.1\.0\.150 on network net1 is already used by another pod/);
    expect(tenant.body).not.toMatch(/holder|b\//);
    const admin = await world.call('admin', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', {
      manifests: pinnedPod('taker', '10.1.0.150'),
    });
    expect(admin.json().message).toMatch(/already used by pod b\/holder/);
  });
});
