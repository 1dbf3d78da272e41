/**
 * Issue 11, point 4: namespace quotas. A cluster admin caps a namespace; every create and grow that would
 * pass a limit is refused whole (403 ANVIL_ERR_QUOTA_EXCEEDED naming the quota, the usage and the limit),
 * and the namespace's users read the quota with its usage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deploymentManifest, seededWorld, type World } from './api-harness.js';

const deployment = (name: string, replicas: number): string => deploymentManifest(name, replicas, '{ cpu: 10m, memory: 16Mi }');

const fastPod = `apiVersion: v1
kind: Pod
metadata:
  name: fast
  annotations: { anvil.dev/endpoint0: '{"network":"net1","perfTier":"high"}' }
spec: { containers: [{ name: c, image: nginx }] }
`;

let world: World | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

async function setQuota(w: World, ns: string, limits: object): Promise<void> {
  const r = await w.call('admin', 'PUT', `/apis/anvil.dev/v1/namespaces/${ns}/quota`, limits);
  expect(r.statusCode, r.body).toBe(200);
}

const stateOf = (w: World) => w.api.store.read((s) => JSON.stringify([...s.documents()]));

describe('namespace quotas', () => {
  it('refuse an apply that would pass the pod limit, whole, naming the quota, usage and limit', async () => {
    world = await seededWorld();
    await setQuota(world, 'b', { pods: 2 }); // b holds pod pb
    const before = stateOf(world);
    const r = await world.call('tother', 'POST', '/apis/anvil.dev/v1/namespaces/b/apply', { manifests: deployment('web', 3) });
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().code).toBe('ANVIL_ERR_QUOTA_EXCEEDED');
    expect(r.json().message).toBe(
      "body.manifests:1: pod b/web-1: namespace b's quota of pods is 2; 2 is used and this needs 1 more; delete something in b or ask a cluster admin to raise it (anvil quota set b ...)",
    );
    expect(stateOf(world)).toBe(before);
    const fits = await world.call('tother', 'POST', '/apis/anvil.dev/v1/namespaces/b/apply', { manifests: deployment('web', 1) });
    expect(fits.statusCode, fits.body).toBe(200);
  });

  it('refuse a volume, a restore or a growth past the volume count or capacity', async () => {
    world = await seededWorld();
    await setQuota(world, 'b', { capacity_bytes: 15e9 }); // b holds volume vb of 10e9 bytes, one plex
    const big = await world.call('tother', 'POST', '/apis/anvil.dev/v1/namespaces/b/volumes', { name: 'vc', size_bytes: 6e9 });
    expect(big.statusCode, big.body).toBe(403);
    expect(big.json().message).toMatch(
      /^volume b\/vc: namespace b's quota of capacity_bytes is 13\.97GiB; 9\.31GiB is used and this needs 5\.59GiB more/,
    );
    expect(
      (await world.call('tother', 'POST', '/apis/anvil.dev/v1/namespaces/b/volumes', { name: 'vc', size_bytes: 4e9 })).statusCode,
    ).toBe(201);
    const grow = await world.call('tother', 'PATCH', '/apis/anvil.dev/v1/namespaces/b/volumes/vb', { size_bytes: 12e9 });
    expect(grow.statusCode, grow.body).toBe(403);
    await setQuota(world, 'a', { volumes: 1 }); // a holds va
    const restore = await world.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/snapshots/sa/restore', { to: 'vr' });
    expect(restore.statusCode, restore.body).toBe(403);
    expect(restore.json().message).toMatch(/quota of volumes is 1; 1 is used/);
  });

  it('count the guaranteed bandwidth and IOPS of the pods', async () => {
    world = await seededWorld();
    await setQuota(world, 'b', { bandwidth_bits_per_s: 1e6 });
    const r = await world.call('tother', 'POST', '/apis/anvil.dev/v1/namespaces/b/apply', { manifests: fastPod });
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().message).toMatch(/quota of bandwidth_bits_per_s is 1M/);
    await setQuota(world, 'b', { iops: 0 });
    const withVolume = await world.call('tother', 'POST', '/apis/anvil.dev/v1/namespaces/b/apply', {
      manifests:
        'apiVersion: v1\nkind: Pod\nmetadata: { name: p2, annotations: { anvil.dev/perf-tier: high } }\nspec: { containers: [{ name: c, image: nginx }] }\n',
    });
    expect(withVolume.statusCode, withVolume.body).toBe(403);
    expect(withVolume.json().message).toMatch(/quota of iops is 0/);
  });

  it("are read with their usage by the namespace's users, and by no other tenant", async () => {
    world = await seededWorld();
    await setQuota(world, 'b', { pods: 10, volumes: 3 });
    const mine = await world.call('tother', 'GET', '/apis/anvil.dev/v1/namespaces/b/quotas');
    expect(mine.json()).toMatchObject([
      { kind: 'Quota', namespace: 'b', pods: 10, volumes: 3, used: { pods: 1, volumes: 1, capacity_bytes: 10e9 } },
    ]);
    const all = await world.call('tother', 'GET', '/apis/anvil.dev/v1/quotas');
    expect((all.json() as { namespace: string }[]).map((q) => q.namespace)).toEqual(['b']);
    expect((await world.call('tuser', 'GET', '/apis/anvil.dev/v1/namespaces/b/quotas')).statusCode).toBe(403);
  });
});
