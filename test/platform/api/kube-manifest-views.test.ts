/**
 * The facade's read views over what kubectl wrote (the reads and writes merged): an object created or
 * applied through the facade reads back with its manifest's labels, containers, env, ports and replicas
 * (not the stand-ins the views make up without one), keeps Anvil's annotations and the last-applied
 * configuration, is found by its manifest's labels, and a change to its manifest alone (a label patched)
 * moves its resourceVersion and reaches a watch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicaSetIdentity } from '../../../platform/api/kube/pod-objects.js';
import { seededWorld, type World } from './api-harness.js';

let w: World;
beforeAll(async () => {
  w = await seededWorld();
});
afterAll(async () => {
  await w.app.close();
});

interface Obj {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion: string };
  spec: Record<string, unknown> & {
    replicas?: number;
    template?: { metadata: { labels: Record<string, string> }; spec: { containers: unknown[] } };
  };
  status?: Record<string, unknown>;
}
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const CONTAINER = {
  name: 'web',
  image: 'nginx:1.27',
  env: [{ name: 'MODE', value: 'fast' }],
  ports: [{ containerPort: 8080 }],
  resources: { requests: { cpu: '100m', memory: '64Mi' } },
};
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'shop', labels: { tier: 'front' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { run: 'shop' } },
    template: { metadata: { labels: { run: 'shop', tier: 'front' } }, spec: { containers: [CONTAINER] } },
  },
};
const auth = () => ({ authorization: `Bearer ${w.tokens.admin}` });
const post = (url: string, body: unknown) =>
  w.app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { ...auth(), 'content-type': 'application/json' } });
const get = async <T = Obj>(url: string): Promise<T> => {
  const r = await w.app.inject({ method: 'GET', url, headers: auth() });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as T;
};
const list = (url: string) => get<{ metadata: { resourceVersion: string }; items: Obj[] }>(url);

describe('read views of what kubectl wrote', () => {
  it('show the manifest: labels, containers, env, ports and replicas of a Deployment, its ReplicaSet and its pods', async () => {
    const created = await post('/apis/apps/v1/namespaces/a/deployments', {
      ...deployment,
      metadata: { ...deployment.metadata, annotations: { [LAST_APPLIED]: JSON.stringify(deployment) } },
    });
    expect(created.statusCode, created.body).toBe(201);

    const d = await get('/apis/apps/v1/namespaces/a/deployments/shop');
    expect(d.metadata.labels).toEqual({ tier: 'front' });
    expect(d.metadata.annotations?.[LAST_APPLIED]).toBe(JSON.stringify(deployment));
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector).toEqual({ matchLabels: { run: 'shop' } });
    expect(d.spec.template!.spec.containers).toEqual([CONTAINER]);
    expect(d.status).toMatchObject({ replicas: 2 });
    // The write answered what a read answers.
    expect((created.json() as Obj).spec).toEqual(d.spec);

    // Its ReplicaSet: named by the Deployment's uid and template (pod-objects.ts), found by name.
    const { name: rsName } = replicaSetIdentity('a', 'shop', {
      uid: (d.metadata as { uid?: string }).uid!,
      template: deployment.spec.template,
    });
    const rs = await get(`/apis/apps/v1/namespaces/a/replicasets/${rsName}`);
    expect(rs.spec.template!.spec.containers).toEqual([CONTAINER]);
    expect(rs.metadata.labels).toMatchObject({ run: 'shop', tier: 'front' });
    expect(rs.metadata.labels).not.toHaveProperty('app');

    // Selectors see the manifest's labels; the `app` label the views make up without a manifest is gone.
    const pods = await list('/api/v1/namespaces/a/pods?labelSelector=run%3Dshop,tier%3Dfront');
    expect(pods.items.map((p) => p.metadata.name).sort()).toEqual(['shop-0', 'shop-1']);
    expect((await list('/api/v1/namespaces/a/pods?labelSelector=app%3Dshop')).items).toEqual([]);
    const pod = pods.items[0]!;
    expect(pod.metadata.labels).toHaveProperty('pod-template-hash');
    expect(pod.metadata.annotations).toHaveProperty('anvil.dev/perf-tier');
    expect(pod.spec.containers).toEqual([CONTAINER]);
    expect((await list('/apis/apps/v1/namespaces/a/deployments?labelSelector=tier%3Dfront')).items.map((o) => o.metadata.name)).toEqual([
      'shop',
    ]);
  });

  it('show a namespace and a claim with their manifests, Anvil annotations kept', async () => {
    expect(
      (await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { cost: 'x' } } }))
        .statusCode,
    ).toBe(201);
    const ns = await list('/api/v1/namespaces?labelSelector=cost%3Dx');
    expect(ns.items.map((o) => o.metadata.labels)).toEqual([{ cost: 'x', 'kubernetes.io/metadata.name': 'team' }]);

    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'db', labels: { app: 'db' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    const made = await post('/api/v1/namespaces/a/persistentvolumeclaims', {
      ...claim,
      metadata: { ...claim.metadata, annotations: { [LAST_APPLIED]: JSON.stringify(claim) } },
    });
    expect(made.statusCode, made.body).toBe(201);
    const pvc = await get('/api/v1/namespaces/a/persistentvolumeclaims/db');
    expect(pvc.metadata.labels).toEqual({ app: 'db' });
    expect(pvc.metadata.annotations?.[LAST_APPLIED]).toBe(JSON.stringify(claim));
    expect(pvc.metadata.annotations).toHaveProperty('anvil.dev/state');
    expect(pvc.status).toMatchObject({ phase: 'Bound' });
  });

  it('move the resourceVersion on a change to the manifest alone, and a watch sees it', async () => {
    const before = await list('/apis/apps/v1/namespaces/a/deployments');
    const was = before.items.find((o) => o.metadata.name === 'shop')!;
    const patched = await w.app.inject({
      method: 'PATCH',
      url: '/apis/apps/v1/namespaces/a/deployments/shop',
      payload: JSON.stringify({ metadata: { labels: { tier: 'back' } } }),
      headers: { ...auth(), 'content-type': 'application/merge-patch+json' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const now = await get('/apis/apps/v1/namespaces/a/deployments/shop');
    expect(now.metadata.labels).toEqual({ tier: 'back' });
    expect(Number(now.metadata.resourceVersion)).toBeGreaterThan(Number(was.metadata.resourceVersion));
    expect(Number(now.metadata.resourceVersion)).toBe(w.api.store.revision());
    expect((patched.json() as Obj).metadata.resourceVersion).toBe(now.metadata.resourceVersion);

    const watched = await w.app.inject({
      method: 'GET',
      url: `/apis/apps/v1/namespaces/a/deployments?watch=1&timeoutSeconds=0&resourceVersion=${before.metadata.resourceVersion}`,
      headers: auth(),
    });
    const events = watched.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; object: Obj });
    expect(events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.labels, e.object.metadata.resourceVersion])).toEqual([
      ['MODIFIED', 'shop', { tier: 'back' }, now.metadata.resourceVersion],
    ]);
  });
});
