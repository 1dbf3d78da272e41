/**
 * The facade's reads beyond nodes and pods, through Fastify's inject(): every object's resourceVersion is
 * the store revision that last wrote it and a list's is the store's; events, PVCs, Deployments,
 * StatefulSets and ReplicaSets as Lists and Tables with kubectl's columns; label and field selectors (a 400
 * Status for what the facade cannot select by); a tenant reads only its namespaces (Forbidden before NotFound).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { keyOf } from '../../../platform/domain/volume.js';
import { seededWorld, type RoleName, type World } from './api-harness.js';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

let w: World;
beforeAll(async () => {
  w = await seededWorld();
});
afterAll(async () => {
  await w.app.close();
});

const get = (url: string, role: Exclude<RoleName, 'none'> = 'admin', accept?: string) =>
  w.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${w.tokens[role]}`, ...(accept ? { accept } : {}) } });

interface Obj {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [k: string]: unknown;
}
interface List {
  kind: string;
  metadata: { resourceVersion: string };
  items: Obj[];
}
interface Table {
  kind: string;
  columnDefinitions: { name: string; priority: number }[];
  rows: { cells: string[] }[];
}
const names = (l: List) => l.items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`);
const columns = (t: Table) => t.columnDefinitions.map((c) => (c.priority ? `${c.name}*` : c.name));

describe('resource versions', () => {
  it("are the store's revision for a list and the revision that last wrote each object", async () => {
    const before = (await get('/api/v1/namespaces/a/persistentvolumeclaims')).json() as List;
    expect(before.metadata.resourceVersion).toBe(String(w.api.store.revision()));
    const va = before.items.find((o) => o.metadata.name === 'va')!;
    expect(va.metadata.resourceVersion).toBe(String(w.api.store.read((_, r) => r.of('Volume', keyOf('a', 'va')))));
    await w.api.store.changeInGroup(localAdmin('admin'), 'create volumes', 'volumes/a/vnew', (cp) =>
      cp.createVolume({ namespace: 'a', name: 'vnew', size_bytes: 2 ** 30 }),
    );
    const after = (await get('/api/v1/namespaces/a/persistentvolumeclaims')).json() as List;
    expect(Number(after.metadata.resourceVersion)).toBe(Number(before.metadata.resourceVersion) + 1);
    const byName = new Map(after.items.map((o) => [o.metadata.name, o.metadata.resourceVersion]));
    // The new volume carries the new revision; the untouched one keeps its own.
    expect(byName.get('vnew')).toBe(after.metadata.resourceVersion);
    expect(byName.get('va')).toBe(va.metadata.resourceVersion);
    // A get answers the same version as the list.
    expect(((await get('/api/v1/namespaces/a/persistentvolumeclaims/va')).json() as Obj).metadata.resourceVersion).toBe(
      va.metadata.resourceVersion,
    );
  });
});

describe('events, claims and workloads', () => {
  it('lists PVCs from volumes with the perf tier as storage class and the plexes as annotations', async () => {
    const pvc = (await get('/api/v1/namespaces/a/persistentvolumeclaims/va')).json() as Obj & { spec: { storageClassName: string } };
    expect(pvc.kind).toBe('PersistentVolumeClaim');
    expect(pvc.spec.storageClassName).toBe(w.api.store.read((s) => s.volumes.get(keyOf('a', 'va'))!.perf_tier));
    expect(pvc.metadata.annotations!['anvil.dev/plexes']).toMatch(/^node\d:in-sync/);
    const table = (await get('/api/v1/namespaces/a/persistentvolumeclaims', 'admin', TABLE_ACCEPT)).json() as Table;
    expect(columns(table)).toEqual([
      'Name',
      'Status',
      'Volume',
      'Capacity',
      'Access Modes',
      'StorageClass',
      'VolumeAttributesClass',
      'Age',
      'VolumeMode*',
    ]);
    expect(table.rows.find((r) => r.cells[0] === 'va')!.cells.slice(1, 2)).toEqual(['Bound']);
  });

  it('shows Deployments, their ReplicaSets and StatefulSets as views over the pods, with owner references', async () => {
    const deploy = (await get('/apis/apps/v1/namespaces/a/deployments/da')).json() as Obj & {
      spec: { replicas: number; selector: { matchLabels: Record<string, string> } };
      status: { readyReplicas: number };
    };
    expect([deploy.kind, deploy.spec.replicas, deploy.status.readyReplicas]).toEqual(['Deployment', 1, 1]);
    const rs = (await get('/apis/apps/v1/namespaces/a/replicasets')).json() as List;
    expect(rs.items).toHaveLength(1);
    const rsName = rs.items[0]!.metadata.name;
    expect(rsName).toMatch(/^da-[0-9a-f]{10}$/);
    // The pod's controller is the ReplicaSet, whose controller is the Deployment.
    const pods = (await get(`/api/v1/namespaces/a/pods?labelSelector=app%3Dda`)).json() as List;
    expect(pods.items.map((p) => (p.metadata as { ownerReferences?: { kind: string; name: string }[] }).ownerReferences?.[0])).toEqual([
      expect.objectContaining({ kind: 'ReplicaSet', name: rsName }),
    ]);
    const table = (await get('/apis/apps/v1/deployments', 'admin', TABLE_ACCEPT)).json() as Table;
    expect(columns(table)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(table.rows.map((r) => r.cells.slice(0, 4))).toEqual([['da', '1/1', '1', '1']]);
    const sts = (await get('/apis/apps/v1/namespaces/a/statefulsets', 'admin', TABLE_ACCEPT)).json() as Table;
    expect(sts.rows.map((r) => r.cells.slice(0, 2))).toEqual([['ca', '1/1']]);
  });

  it("lists Anvil's events about pods with their involved object (the scheduler's as anvil-scheduler)", async () => {
    const pod = (await get('/api/v1/namespaces/a/pods/pa')).json() as Obj & { metadata: { uid: string } };
    const selector = `involvedObject.name=pa,involvedObject.namespace=a,involvedObject.uid=${pod.metadata.uid}`;
    const events = (await get(`/api/v1/namespaces/a/events?fieldSelector=${encodeURIComponent(selector)}`)).json() as List;
    expect(events.items.map((e) => [e.reason, e.type, (e.source as { component: string }).component])).toContainEqual([
      'Scheduled',
      'Normal',
      'anvil-scheduler',
    ]);
    // A claim's events name its uid too (kubectl describe pvc matches them by it).
    const pvc = (await get('/api/v1/namespaces/a/persistentvolumeclaims/va')).json() as Obj & { metadata: { uid: string } };
    const about = (
      await get(`/api/v1/namespaces/a/events?fieldSelector=involvedObject.kind%3DPersistentVolumeClaim,involvedObject.name%3Dva`)
    ).json() as List;
    expect(about.items.length).toBeGreaterThan(0);
    expect(about.items.map((e) => (e.involvedObject as { uid?: string }).uid)).toEqual(about.items.map(() => pvc.metadata.uid));
    const table = (await get('/api/v1/namespaces/a/events', 'admin', TABLE_ACCEPT)).json() as Table;
    expect(columns(table).slice(0, 5)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    expect(table.rows.map((r) => r.cells[3])).toContain('pod/pa');
  });
});

describe('selectors', () => {
  const podNames = async (query: string) => names((await get(`/api/v1/pods?${query}`)).json() as List).sort();

  it('filters by label: =, ==, !=, in, notin, exists and !key', async () => {
    expect(await podNames('labelSelector=app%3Dda')).toEqual(['a/da-0']);
    expect(await podNames('labelSelector=app%3D%3Dca')).toEqual(['a/ca-0']);
    expect(await podNames('labelSelector=app%20in%20(da,ca)')).toEqual(['a/ca-0', 'a/da-0']);
    expect(await podNames('labelSelector=app%20notin%20(da)')).toEqual(['a/ca-0', 'a/pa', 'b/pb']);
    expect(await podNames('labelSelector=app')).toEqual(['a/ca-0', 'a/da-0']);
    expect(await podNames('labelSelector=!app')).toEqual(['a/pa', 'b/pb']);
    expect(await podNames('labelSelector=app!%3Dda')).toEqual(['a/ca-0', 'a/pa', 'b/pb']);
    expect(await podNames('labelSelector=app,pod-template-hash')).toEqual(['a/da-0']);
  });

  it('filters by metadata.name, metadata.namespace, spec.nodeName and status.phase', async () => {
    const all = (await get('/api/v1/pods')).json() as List;
    const node = (all.items.find((p) => p.metadata.name === 'pa')!.spec as { nodeName: string }).nodeName;
    const onNode = all.items
      .filter((p) => (p.spec as { nodeName?: string }).nodeName === node)
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(await podNames(`fieldSelector=spec.nodeName%3D${node}`)).toEqual(onNode.sort());
    expect(await podNames('fieldSelector=metadata.name%3Dpa')).toEqual(['a/pa']);
    expect(await podNames('fieldSelector=metadata.namespace%3Db')).toEqual(['b/pb']);
    expect(await podNames('fieldSelector=status.phase!%3DRunning')).toEqual([]);
    expect(await podNames('fieldSelector=status.phase%3DRunning,metadata.namespace!%3Da')).toEqual(['b/pb']);
  });

  it('answers a 400 Status naming the fields it can select by, or the malformed label', async () => {
    const field = await get('/api/v1/pods?fieldSelector=spec.foo%3Dx');
    expect(field.statusCode).toBe(400);
    expect(field.json()).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      code: 400,
      message: expect.stringContaining(
        '"spec.foo" is not a known field selector for Pod: only "metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"',
      ),
      details: { causes: [{ reason: 'ANVIL_ERR_SELECTOR_UNSUPPORTED' }] },
    });
    const label = await get('/api/v1/pods?labelSelector=app%3D%3D%3Dx');
    expect(label.statusCode).toBe(400);
    expect((label.json() as { message: string }).message).toMatch(/invalid label value "=x"/);
  });
});

describe('tenancy', () => {
  const resources = [
    '/api/v1/namespaces/NS/events',
    '/api/v1/namespaces/NS/persistentvolumeclaims',
    '/apis/apps/v1/namespaces/NS/deployments',
    '/apis/apps/v1/namespaces/NS/statefulsets',
    '/apis/apps/v1/namespaces/NS/replicasets',
  ];

  it("lets a tenant read its namespace's objects, and refuses another namespace before saying whether anything exists", async () => {
    for (const url of resources) {
      expect((await get(url.replace('NS', 'a'), 'tuser')).statusCode, url).toBe(200);
      const list = await get(url.replace('NS', 'b'), 'tuser');
      expect([list.statusCode, (list.json() as { reason: string }).reason], url).toEqual([403, 'Forbidden']);
      // An existing name and a missing one read the same: Forbidden.
      for (const name of ['vb', 'pb', 'nosuch']) {
        const one = await get(`${url.replace('NS', 'b')}/${name}`, 'tuser');
        expect(one.statusCode, `${url}/${name}`).toBe(403);
      }
    }
  });

  it("lists across namespaces only the tenant's own objects (kubectl -A)", async () => {
    for (const url of ['/api/v1/events', '/api/v1/persistentvolumeclaims', '/apis/apps/v1/deployments', '/api/v1/pods']) {
      const list = (await get(url, 'tuser')).json() as List;
      expect(list.items.length, url).toBeGreaterThan(0);
      expect(new Set(list.items.map((o) => o.metadata.namespace)), url).toEqual(new Set(['a']));
    }
    // Events of cluster-scoped objects (nodes, networks) are for cluster-wide readers only.
    const all = (await get('/api/v1/events', 'viewer')).json() as List;
    expect(all.items.some((e) => (e.involvedObject as { kind: string }).kind === 'Node' || e.metadata.namespace === 'default')).toBe(true);
  });
});
