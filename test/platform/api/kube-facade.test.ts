/**
 * The Kubernetes facade's answers, through Fastify's inject(): discovery (legacy, and aggregated only when
 * Accept asks for v2), nodes, namespaces and pods as Lists or Tables, Status errors, the same tokens and
 * roles as Anvil's API, anonymous loopback reads only when switched on; Anvil's own API at its new prefix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../platform/api/server.js';
import { humanDuration } from '../../../platform/api/kube/tables.js';
import { seededWorld, type World } from './api-harness.js';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

let w: World;
beforeAll(async () => {
  w = await seededWorld();
});
afterAll(async () => {
  await w.app.close();
});

/** `token` null: no Authorization header. */
const get = (url: string, accept?: string, token: string | null = w.tokens.admin) =>
  w.app.inject({
    method: 'GET',
    url,
    headers: { ...(accept ? { accept } : {}), ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
  });

interface Table {
  kind: string;
  metadata: { resourceVersion: string };
  columnDefinitions: { name: string; priority: number }[];
  rows: { cells: string[]; object: { metadata: { name: string; namespace?: string } } }[];
}

describe('the Kubernetes facade', () => {
  it('keeps /api, /apis and /version for Kubernetes: Anvil answers at /apis/anvil.dev/v1', async () => {
    const anvil = await get('/apis/anvil.dev/v1/nodes');
    expect(anvil.statusCode).toBe(200);
    expect((anvil.json() as { kind: string }[])[0]!.kind).toBe('Node');
    const kube = await get('/api/v1/nodes');
    expect(kube.json()).toMatchObject({ kind: 'NodeList', apiVersion: 'v1' });
    const version = (await get('/version')).json() as { major: string; minor: string; gitVersion: string };
    expect([version.major, version.minor, version.gitVersion]).toEqual(['1', '32', 'v1.32.0-anvil']);
  });

  it('answers legacy discovery, and the aggregated v2 form only when Accept asks for v2', async () => {
    const legacy = await get('/api');
    expect(legacy.headers['content-type']).toMatch(/^application\/json/);
    expect(legacy.json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await get('/apis')).json()).toMatchObject({ kind: 'APIGroupList', groups: [{ name: 'apps' }] });
    const aggregated = await get('/apis', DISCOVERY_ACCEPT);
    expect(aggregated.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(aggregated.json()).toMatchObject({ kind: 'APIGroupDiscoveryList', items: [{ metadata: { name: 'apps' } }] });
    // A client that takes only v2beta1 (kubectl 1.27-1.29) must get the legacy answer, not v2.
    const beta = await get('/api', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json');
    expect((beta.json() as { kind: string }).kind).toBe('APIVersions');
    const core = (await get('/api/v1')).json() as { resources: { name: string; shortNames: string[]; categories?: string[] }[] };
    const apps = (await get('/apis/apps/v1')).json() as typeof core;
    // Subresources (deployments/scale) carry no short names.
    const short = Object.fromEntries(
      [...core.resources, ...apps.resources].filter((r) => !r.name.includes('/')).map((r) => [r.name, r.shortNames.join()]),
    );
    expect(short).toEqual({
      namespaces: 'ns',
      nodes: 'no',
      pods: 'po',
      events: 'ev',
      persistentvolumeclaims: 'pvc',
      deployments: 'deploy',
      statefulsets: 'sts',
      replicasets: 'rs',
    });
    const all = [...core.resources, ...apps.resources].filter((r) => r.categories?.includes('all')).map((r) => r.name);
    expect(all).toEqual(['pods', 'deployments', 'statefulsets', 'replicasets']);
  });

  it("lists pods as a Table with kubectl's columns (IP and Node for -o wide), or as a PodList with object metadata", async () => {
    const table = (await get('/api/v1/namespaces/a/pods', TABLE_ACCEPT)).json() as Table;
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Status:0',
      'Restarts:0',
      'Age:0',
      'IP:1',
      'Node:1',
      'Nominated Node:1',
      'Readiness Gates:1',
    ]);
    const pods = w.api.store.read((s) => [...s.pods.values()].filter((p) => p.namespace === 'a'));
    expect(table.rows.map((r) => r.cells[0])).toEqual(pods.map((p) => p.name));
    for (const pod of pods) {
      const row = table.rows.find((r) => r.cells[0] === pod.name)!;
      expect(pod.status.state).toBe('running');
      const node = pod.status.state === 'running' ? pod.status.node : '';
      expect(row.cells.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
      expect(row.cells.slice(5, 7)).toEqual([pod.addresses![0]!.ip, node]);
      expect(row.object.metadata.namespace).toBe('a');
    }
    const list = (await get('/api/v1/namespaces/a/pods/pa')).json() as {
      kind: string;
      metadata: { name: string; uid: string; resourceVersion: string; creationTimestamp: string };
      spec: { nodeName: string };
      status: { podIP: string };
    };
    expect(list.kind).toBe('Pod');
    expect(list.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(list.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The same state answers the same uid and version; a change of the pod changes its version.
    const again = (await get('/api/v1/namespaces/a/pods/pa')).json() as typeof list;
    expect(again.metadata).toEqual(list.metadata);
  });

  it("answers nodes and namespaces as Tables with kubectl's columns", async () => {
    const nodes = (await get('/api/v1/nodes', TABLE_ACCEPT)).json() as Table;
    expect(nodes.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
    ]);
    expect(nodes.rows.map((r) => r.cells.slice(0, 2))).toEqual([
      ['node1', 'Ready'],
      ['node2', 'Ready'],
      ['node3', 'Ready'],
    ]);
    const ns = (await get('/api/v1/namespaces', TABLE_ACCEPT)).json() as Table;
    expect(ns.rows.map((r) => r.cells.slice(0, 2).join())).toContain('a,Active');
  });

  it('answers errors as Status objects: NotFound naming the pod, 401 for a wrong token, 403 for another tenant', async () => {
    const missing = await get('/api/v1/namespaces/a/pods/nosuch', TABLE_ACCEPT);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'pods "nosuch" not found',
      details: { kind: 'pods' },
    });
    const wrong = await get('/api/v1/nodes', undefined, 'anvil_wrong');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
    const other = await get('/api/v1/namespaces/a/pods/pa', undefined, w.tokens.tother);
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden' });
    // A tenant's list of every pod holds only its own namespace's.
    const mine = (await get('/api/v1/pods', undefined, w.tokens.tother)).json() as { items: { metadata: { namespace: string } }[] };
    expect(mine.items.length).toBeGreaterThan(0);
    expect(new Set(mine.items.map((p) => p.metadata.namespace))).toEqual(new Set(['b']));
    const unknown = await get('/apis/batch/v1/jobs');
    expect(unknown.statusCode).toBe(404);
    expect((unknown.json() as { kind: string }).kind).toBe('Status');
    // Anvil's own group keeps its coded body.
    expect((await get('/apis/anvil.dev/v1/nosuch')).json()).toMatchObject({ code: 'ANVIL_ERR_ROUTE_NOT_FOUND' });
    expect((await get('/api/v1/pods', undefined, null)).statusCode).toBe(401);
  });

  it("shows a tenant its own namespaces only; another tenant's reads exactly as a missing one", async () => {
    type NsList = { kind: string; items: { metadata: { name: string } }[] };
    const names = async (token: string) =>
      ((await get('/api/v1/namespaces', undefined, token)).json() as NsList).items.map((n) => n.metadata.name);
    // tadmin = tenant-admin/a, tuser = tenant-user/a, tother = tenant-user/b; admin and viewer see every namespace.
    expect(await names(w.tokens.tadmin)).toEqual(['a']);
    expect(await names(w.tokens.tuser)).toEqual(['a']);
    expect(await names(w.tokens.tother)).toEqual(['b']);
    const all = (await names(w.tokens.admin)).sort();
    expect(all).toEqual(expect.arrayContaining(['a', 'b', 'c']));
    expect((await names(w.tokens.viewer)).sort()).toEqual(all);
    const own = await get('/api/v1/namespaces/a', undefined, w.tokens.tuser);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ kind: 'Namespace', metadata: { name: 'a' } });
    const ownTable = (await get('/api/v1/namespaces/a', TABLE_ACCEPT, w.tokens.tadmin)).json() as Table;
    expect(ownTable.rows.map((r) => r.cells[0])).toEqual(['a']);
    // Permission before existence: existing-but-foreign (b) and missing (nosuch) differ only in the name.
    const foreign = await get('/api/v1/namespaces/b', undefined, w.tokens.tuser);
    const missing = await get('/api/v1/namespaces/nosuch', undefined, w.tokens.tuser);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'namespaces "b" not found' });
    const named = (body: string, name: string) => body.replaceAll(`\\"${name}\\"`, '\\"X\\"').replaceAll(`"${name}"`, '"X"');
    expect(named(foreign.body, 'b')).toBe(named(missing.body, 'nosuch'));
    expect(foreign.headers['content-type']).toBe(missing.headers['content-type']);
    // The admin still reads any namespace, and a missing one as NotFound.
    expect((await get('/api/v1/namespaces/b')).statusCode).toBe(200);
    expect((await get('/api/v1/namespaces/nosuch')).statusCode).toBe(404);
  });

  it('reads without a token from loopback only when the server was built with kubeAnonymousLoopback', async () => {
    const { app } = await buildServer({ statePath: ':memory:', kubeAnonymousLoopback: true });
    const local = await app.inject({ method: 'GET', url: '/api/v1/nodes', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
    const remote = await app.inject({ method: 'GET', url: '/api/v1/nodes', remoteAddress: '192.0.2.7' });
    expect(remote.statusCode).toBe(401);
    // Anvil's own API still wants a token.
    expect((await app.inject({ method: 'GET', url: '/apis/anvil.dev/v1/nodes', remoteAddress: '127.0.0.1' })).statusCode).toBe(401);
    await app.close();
  });

  it("writes ages as kubectl's HumanDuration does", () => {
    expect(
      [5_000, 119_000, 200_000, 600_000, 4 * 3600_000 + 60_000, 30 * 3600_000, 3 * 86400_000 + 3600_000, 400 * 86400_000].map(
        humanDuration,
      ),
    ).toEqual(['5s', '119s', '3m20s', '10m', '4h1m', '30h', '3d1h', '400d']);
  });
});
