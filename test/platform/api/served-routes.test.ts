/**
 * The routes `anvil describe`, `endpoint create`, `volume create --selector/--spread-zones` and `delete`
 * of workloads and endpoints use: each through the domain, with its rules (the RBAC walk checks the roles).
 */
import { describe, expect, it } from 'vitest';
import { podManifest, seededWorld } from './api-harness.js';

describe('served routes', () => {
  it("a pending pod's scheduling route gives every node's reason, worked out now; a running pod's gives its node", async () => {
    const w = await seededWorld();
    expect(
      (await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests: podManifest('huge', '500') })).statusCode,
    ).toBe(200);
    const pending = await w.call('tuser', 'GET', '/apis/anvil.dev/v1/namespaces/a/pods/huge/scheduling');
    expect(pending.statusCode).toBe(200);
    const status = pending.json() as { state: string; failure: { summary: string; nodes: { node: string; reason: string }[] } };
    expect(status.state).toBe('pending');
    expect(status.failure.nodes.map((n) => n.node)).toEqual(['node1', 'node2', 'node3']);
    for (const n of status.failure.nodes) expect(n.reason).toMatch(/insufficient cpu/);
    // Cordoning a node changes its reason at once, though the stored status was written before.
    expect((await w.call('admin', 'POST', '/apis/anvil.dev/v1/nodes/node2/cordon')).statusCode).toBe(200);
    const after = (await w.call('tuser', 'GET', '/apis/anvil.dev/v1/namespaces/a/pods/huge/scheduling')).json() as typeof status;
    expect(after.failure.nodes.find((n) => n.node === 'node2')!.reason).toMatch(/cordon|unschedulable/i);
    const running = (await w.call('tuser', 'GET', '/apis/anvil.dev/v1/namespaces/a/pods/pa/scheduling')).json() as {
      state: string;
      node: string;
      endpoints: { ip: string }[];
    };
    expect(running.state).toBe('running');
    expect(running.node).toMatch(/^node[123]$/);
    expect(running.endpoints[0]!.ip).toMatch(/^10\.1\.0\./);
    const ghost = await w.call('tuser', 'GET', '/apis/anvil.dev/v1/namespaces/a/pods/ghost/scheduling');
    expect([ghost.statusCode, ghost.json().code]).toEqual([404, 'ANVIL_ERR_OBJECT_NOT_FOUND']);
    await w.app.close();
  });

  it('a volume body with node_selector and spread_zones places the plexes as the CLI does, and refuses what cannot be met', async () => {
    const w = await seededWorld();
    await w.call('admin', 'POST', '/apis/anvil.dev/v1/nodes', { name: 'node4', zone: 'zone1', labels: { rack: 'r2' } });
    const pinned = await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/volumes', {
      name: 'pinned',
      size_bytes: 1e9,
      node_selector: { rack: 'r2' },
    });
    expect(pinned.statusCode).toBe(201);
    expect(pinned.json()).toMatchObject({ node_selector: { rack: 'r2' }, plexes: [{ node: 'node4' }] });
    const spread = await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/volumes', {
      name: 'spread',
      size_bytes: 1e9,
      mirrors: 2,
      spread_zones: true,
    });
    expect(spread.statusCode).toBe(201);
    const zones = (spread.json() as { plexes: { node: string }[] }).plexes.map((p) => w.api.store.read((s) => s.nodes.get(p.node)!.zone));
    expect(new Set(zones).size).toBe(2);
    const auditBefore = w.api.store.audit(1000).length;
    const three = await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/volumes', {
      name: 'three',
      size_bytes: 1e9,
      mirrors: 3,
      spread_zones: true,
    });
    expect(three.statusCode).toBeGreaterThanOrEqual(400);
    expect(three.json().code).toMatch(/^ANVIL_ERR_/);
    expect(w.api.store.audit(1000).length).toBe(auditBefore);
    await w.app.close();
  });

  it('persistent endpoints: created with an IP of the range, listed, refused to delete while a pod uses it, deleted after', async () => {
    const w = await seededWorld();
    const created = await w.call('admin', 'POST', '/apis/anvil.dev/v1/namespaces/a/endpoints', {
      name: 'db-ep',
      network: 'net1',
      ip: '10.1.0.150',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'db-ep', network: 'net1', ip: '10.1.0.150', binding: { state: 'free' } });
    expect(
      (await w.call('admin', 'POST', '/apis/anvil.dev/v1/namespaces/a/endpoints', { name: 'db-ep', network: 'net1' })).json().code,
    ).toBe('ANVIL_ERR_OBJECT_EXISTS');
    expect(
      (await w.call('admin', 'POST', '/apis/anvil.dev/v1/namespaces/a/endpoints', { name: 'x', network: 'net1', ip: '10.1.0.250' })).json()
        .code,
    ).toBe('ANVIL_ERR_FIELD_INVALID');
    expect(
      (await w.call('admin', 'POST', '/apis/anvil.dev/v1/namespaces/a/endpoints', { name: 'y', network: 'nowhere' })).json().code,
    ).toBe('ANVIL_ERR_OBJECT_NOT_FOUND');
    const manifest = `apiVersion: v1\nkind: Pod\nmetadata: { name: db, annotations: { anvil.dev/endpoint0: '{"endpointId":"db-ep"}' } }\nspec: { containers: [{ name: c }] }\n`;
    expect((await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests: manifest })).statusCode).toBe(200);
    const view = (await w.call('tuser', 'GET', '/apis/anvil.dev/v1/namespaces/a/endpoints/db-ep')).json();
    expect(view).toMatchObject({ name: 'db-ep', pod: 'db', ip: '10.1.0.150', static: true });
    const inUse = await w.call('admin', 'DELETE', '/apis/anvil.dev/v1/namespaces/a/endpoints/db-ep');
    expect([inUse.statusCode, inUse.json().code]).toEqual([409, 'ANVIL_ERR_IN_USE']);
    expect((await w.call('tuser', 'DELETE', '/apis/anvil.dev/v1/namespaces/a/pods/db')).statusCode).toBe(200);
    expect((await w.call('admin', 'DELETE', '/apis/anvil.dev/v1/namespaces/a/endpoints/db-ep')).statusCode).toBe(200);
    expect(w.api.store.read((s) => s.endpoints.has('a/db-ep'))).toBe(false);
    await w.app.close();
  });

  it('deleting a Deployment or StatefulSet deletes the pods it made; an unknown one is not found', async () => {
    const w = await seededWorld();
    const podsOf = (owner: string) =>
      w.api.store.read((s) => [...s.pods.values()].filter((p) => p.namespace === 'a' && p.owner?.name === owner).length);
    expect(podsOf('da')).toBe(1);
    const res = await w.call('tuser', 'DELETE', '/apis/anvil.dev/v1/namespaces/a/deployments/da');
    expect(res.statusCode).toBe(200);
    expect(podsOf('da')).toBe(0);
    expect(podsOf('ca')).toBe(1);
    const again = await w.call('tuser', 'DELETE', '/apis/anvil.dev/v1/namespaces/a/deployments/da');
    expect([again.statusCode, again.json().code]).toEqual([404, 'ANVIL_ERR_OBJECT_NOT_FOUND']);
    // The StatefulSet route does not reach a Deployment's pods, nor the other way round.
    expect((await w.call('tuser', 'DELETE', '/apis/anvil.dev/v1/namespaces/a/statefulsets/pa')).statusCode).toBe(404);
    expect((await w.call('tuser', 'DELETE', '/apis/anvil.dev/v1/namespaces/a/statefulsets/ca')).statusCode).toBe(200);
    expect(podsOf('ca')).toBe(0);
    await w.app.close();
  });

  it('events filtered by object name, without case, as anvil events --object; another tenant sees none of them', async () => {
    const w = await seededWorld();
    const events = (await w.call('admin', 'GET', '/apis/anvil.dev/v1/events?limit=100&object=ENDPOINT%2Fa%2Fea')).json() as {
      object: string;
      reason: string;
    }[];
    expect(events.map((e) => [e.object, e.reason])).toEqual([['endpoint/a/ea', 'EndpointCreated']]);
    const other = (await w.call('tother', 'GET', '/apis/anvil.dev/v1/events?object=%2Fa%2F')).json() as unknown[];
    expect(other).toEqual([]);
    await w.app.close();
  });

  it('takes every name the domain takes (subdomains up to 253 characters) and refuses namespaces that are not labels', async () => {
    const w = await seededWorld();
    const long = `data.${'x'.repeat(240)}`;
    const created = await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/volumes', { name: long, size_bytes: 2 ** 30 });
    expect(created.statusCode).toBe(201);
    expect((await w.call('tuser', 'GET', `/apis/anvil.dev/v1/namespaces/a/volumes/${long}`)).json().name).toBe(long);
    const tooLong = await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/volumes', {
      name: `${long}-more-than-253`,
      size_bytes: 2 ** 30,
    });
    expect([tooLong.statusCode, tooLong.json().code]).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
    expect(tooLong.json().message).toContain('body/name');
    const dotted = await w.call('admin', 'GET', '/apis/anvil.dev/v1/namespaces/a.b/volumes');
    expect([dotted.statusCode, dotted.json().code]).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
    expect(dotted.json().message).toContain('params/namespace');
    await w.app.close();
  });
});
