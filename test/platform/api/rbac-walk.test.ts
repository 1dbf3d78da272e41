/**
 * Walks EVERY route of the API with EVERY role (admin, tenant admin of a, tenant user of a, viewer, the
 * tenant user of b on a's objects, no token) on a fresh seeded world per call, and checks the status and
 * the coded error; a refused call must change nothing, and no list shows another tenant's objects.
 */
import { describe, expect, it } from 'vitest';
import { replicaSetName } from '../../../platform/api/kube/pod-objects.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { ROLES, podManifest, seededWorld, type RoleName, type World } from './api-harness.js';

interface Case {
  method: string;
  url: string;
  body?: unknown;
  /** Roles that succeed (2xx); every other role with a token gets 403 ANVIL_ERR_FORBIDDEN, no token 401. */
  ok: readonly RoleName[];
  /** Roles answered 200 with a filtered list, which must hold none of namespace a's objects. */
  filtered?: readonly RoleName[];
  public?: boolean;
  /** Roles answered 404 NotFound, exactly as for a missing object (the object is not theirs to know of). */
  hidden?: readonly RoleName[];
  /** A Kubernetes facade route: refusals are Status objects whose cause names the catalogue code. */
  kube?: boolean;
  /** Run on each fresh world before the call (what the call needs beyond the seeded world). */
  setup?: (w: Awaited<ReturnType<typeof seededWorld>>) => void;
}

const ALL: RoleName[] = ['admin', 'tadmin', 'tuser', 'viewer', 'tother'];
const A_READ: RoleName[] = ['admin', 'tadmin', 'tuser', 'viewer'];
const A_WRITE: RoleName[] = ['admin', 'tadmin', 'tuser'];
const NODE_READ: RoleName[] = ['admin', 'tadmin', 'viewer'];
const ADMIN: RoleName[] = ['admin'];

/** A Kubernetes object as kubectl sends it. */
const kube = (apiVersion: string, kind: string, name: string, spec?: unknown) => ({
  apiVersion,
  kind,
  metadata: { name },
  ...(spec ? { spec } : {}),
});
const POD_SPEC = { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] };
const CLAIM_SPEC = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
const WORKLOAD_SPEC = {
  replicas: 1,
  selector: { matchLabels: { app: 'k' } },
  template: { metadata: { labels: { app: 'k' } }, spec: POD_SPEC },
};
/** A patch of the labels (a plain JSON body is read as a merge patch). */
const LABEL = { metadata: { labels: { walked: 'yes' } } };

const CASES: Case[] = [
  { method: 'GET', url: '/healthz', ok: [...ALL, 'none'], public: true },
  { method: 'GET', url: '/readyz', ok: [...ALL, 'none'], public: true },
  { method: 'GET', url: '/openapi.json', ok: [...ALL, 'none'], public: true },
  // Prometheus metrics count every tenant's requests: a cluster-wide view role only
  { method: 'GET', url: '/metrics', ok: ['admin', 'viewer'] },
  // the scheduler extender: no token (kube-scheduler sends none), loopback only
  {
    method: 'POST',
    url: '/scheduler/filter',
    body: { Pod: { metadata: { name: 'k', namespace: 'a' }, spec: { containers: [{ name: 'c' }] } }, NodeNames: ['node1'] },
    ok: [...ALL, 'none'],
    public: true,
  },
  {
    method: 'POST',
    url: '/scheduler/prioritize',
    body: { Pod: { metadata: { name: 'k', namespace: 'a' }, spec: { containers: [{ name: 'c' }] } }, NodeNames: ['node1'] },
    ok: [...ALL, 'none'],
    public: true,
  },
  {
    method: 'POST',
    url: '/scheduler/bind',
    body: { PodName: 'k', PodNamespace: 'a', PodUID: 'u', Node: 'node1' },
    ok: [...ALL, 'none'],
    public: true,
  },
  // cluster and nodes
  { method: 'GET', url: '/apis/anvil.dev/v1/cluster', ok: NODE_READ },
  { method: 'POST', url: '/apis/anvil.dev/v1/cluster', body: { name: 'c2', nodes: 1 }, ok: [] },
  { method: 'GET', url: '/apis/anvil.dev/v1/nodes', ok: NODE_READ },
  // allocation as JSON (the dashboard's cluster page): the kinds' own view roles
  { method: 'GET', url: '/apis/anvil.dev/v1/usage/nodes', ok: NODE_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/usage/cluster', ok: NODE_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/usage/networks', ok: ALL },
  // the runs folder: the cluster's view (cluster-view), as its metrics are; a tenant's user lists its tenant's
  // runs (none in the fixture) and may open none of the cluster's
  { method: 'GET', url: '/apis/anvil.dev/v1/runs', ok: ALL },
  { method: 'GET', url: '/apis/anvil.dev/v1/runs/fixture-run/intervals', ok: ['admin', 'viewer'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/runs/fixture-run/verdicts', ok: ['admin', 'viewer'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/runs/fixture-run/latency-cdf', ok: ['admin', 'viewer'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/runs/fixture-run/nodes', ok: ['admin', 'viewer'] },
  // a run's events (the folder's finished run: its end only) and the scenarios a run may be started with: the same view;
  // starting one is cluster edit (the seeded world's server has no run worker: the admin's start is a 409)
  { method: 'GET', url: '/apis/anvil.dev/v1/runs/fixture-run/events', ok: ['admin', 'viewer'] },
  // the cluster's view, and a tenant's users who may start runs under it
  { method: 'GET', url: '/apis/anvil.dev/v1/scenarios', ok: ALL },
  { method: 'POST', url: '/apis/anvil.dev/v1/runs', body: { scenario: 'two-pods' }, ok: [] },
  // the reports under the runs folder, listed and opened: the same cluster-wide view
  { method: 'GET', url: '/apis/anvil.dev/v1/reports', ok: ['admin', 'viewer'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/reports/file?path=tco-east/2026/tco.html', ok: ['admin', 'viewer'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/nodes/node1', ok: NODE_READ },
  { method: 'POST', url: '/apis/anvil.dev/v1/nodes', body: { name: 'node9' }, ok: ADMIN },
  { method: 'POST', url: '/apis/anvil.dev/v1/nodes/node2/cordon', ok: ADMIN },
  { method: 'POST', url: '/apis/anvil.dev/v1/nodes/node2/links/storage0/down', ok: ADMIN },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/nodes/node3?force=true', ok: ADMIN },
  // networks and perf tiers
  { method: 'GET', url: '/apis/anvil.dev/v1/networks', ok: ALL },
  { method: 'GET', url: '/apis/anvil.dev/v1/networks/net1', ok: ALL },
  {
    method: 'POST',
    url: '/apis/anvil.dev/v1/networks',
    body: { name: 'net2', subnet: '10.2.0.0/24', start: '10.2.0.10', end: '10.2.0.20', gateway: '10.2.0.1' },
    ok: ADMIN,
  },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/networks/netx', ok: ADMIN },
  { method: 'GET', url: '/apis/anvil.dev/v1/perf-tiers', ok: ALL },
  { method: 'GET', url: '/apis/anvil.dev/v1/perf-tiers/high', ok: ALL },
  {
    method: 'POST',
    url: '/apis/anvil.dev/v1/perf-tiers',
    body: { name: 'gold', storage_iops: 1000, network_bandwidth_bits_per_s: 1e8 },
    ok: ADMIN,
  },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/perf-tiers/medium', ok: [] },
  // volumes and snapshots
  { method: 'GET', url: '/apis/anvil.dev/v1/volumes', ok: ALL, filtered: ['tother'] },
  {
    method: 'POST',
    url: '/apis/anvil.dev/v1/namespaces/a/volumes',
    body: { name: 'vsel', size_bytes: 1e9, mirrors: 2, node_selector: { 'topology.kubernetes.io/zone': 'zone0' }, spread_zones: false },
    ok: A_WRITE,
  },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/volumes', ok: A_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/volumes/va', ok: A_READ },
  { method: 'POST', url: '/apis/anvil.dev/v1/namespaces/a/volumes', body: { name: 'vnew', size_bytes: 1e9 }, ok: A_WRITE },
  { method: 'PATCH', url: '/apis/anvil.dev/v1/namespaces/a/volumes/va', body: { mirrors: 2 }, ok: A_WRITE },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/namespaces/a/volumes/va?force=true', ok: A_WRITE },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/snapshots', ok: A_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/snapshots/sa', ok: A_READ },
  { method: 'POST', url: '/apis/anvil.dev/v1/namespaces/a/snapshots', body: { name: 's2', volume: 'va' }, ok: A_WRITE },
  { method: 'POST', url: '/apis/anvil.dev/v1/namespaces/a/snapshots/sa/restore', body: { to: 'vr' }, ok: A_WRITE },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/namespaces/a/snapshots/sa', ok: A_WRITE },
  // pods
  { method: 'GET', url: '/apis/anvil.dev/v1/pods', ok: ALL, filtered: ['tother'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/pods', ok: A_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/pods/pa', ok: A_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/pods/pa/scheduling', ok: A_READ },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/namespaces/a/pods/pa', ok: A_WRITE },
  // views derived from pods, and snapshots across namespaces: read-only, filtered to what the caller may view
  { method: 'GET', url: '/apis/anvil.dev/v1/endpoints', ok: ALL, filtered: ['tother'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/endpoints', ok: A_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/endpoints/ea', ok: A_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/deployments', ok: ALL, filtered: ['tother'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/deployments', ok: A_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/deployments/da', ok: A_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/statefulsets', ok: ALL, filtered: ['tother'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/statefulsets', ok: A_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/statefulsets/ca', ok: A_READ },
  // persistent endpoints are network objects: creating or deleting one takes network-edit in the namespace
  { method: 'POST', url: '/apis/anvil.dev/v1/namespaces/a/endpoints', body: { name: 'e2', network: 'net1' }, ok: ADMIN },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/namespaces/a/endpoints/ea', ok: ADMIN },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/namespaces/a/deployments/da', ok: A_WRITE },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/namespaces/a/statefulsets/ca', ok: A_WRITE },
  { method: 'GET', url: '/apis/anvil.dev/v1/snapshots', ok: ALL, filtered: ['tother'] },
  { method: 'POST', url: '/apis/anvil.dev/v1/namespaces/a/apply', body: { manifests: podManifest('pnew') }, ok: A_WRITE },
  // tenants, users, tokens
  { method: 'GET', url: '/apis/anvil.dev/v1/whoami', ok: ALL },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces', ok: ['admin', 'viewer'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/c', ok: ['admin', 'viewer'] },
  { method: 'POST', url: '/apis/anvil.dev/v1/namespaces', body: { name: 'd' }, ok: ADMIN },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/namespaces/c', ok: ADMIN },
  { method: 'GET', url: '/apis/anvil.dev/v1/users', ok: ADMIN },
  { method: 'GET', url: '/apis/anvil.dev/v1/users/tuser', ok: ADMIN },
  { method: 'POST', url: '/apis/anvil.dev/v1/users', body: { name: 'eve', roles: ['viewer'] }, ok: ADMIN },
  // a tenant admin changes and deletes only its own namespace's users, with roles it holds; never a cluster admin
  { method: 'PATCH', url: '/apis/anvil.dev/v1/users/tuser', body: { roles: ['tenant-user/a', 'node-view'] }, ok: ['admin', 'tadmin'] },
  { method: 'PATCH', url: '/apis/anvil.dev/v1/users/tuser', body: { roles: ['cluster-admin'] }, ok: ADMIN },
  { method: 'PATCH', url: '/apis/anvil.dev/v1/users/tother', body: { roles: ['tenant-user/b', 'node-view'] }, ok: ADMIN },
  { method: 'PATCH', url: '/apis/anvil.dev/v1/users/viewer', body: { roles: ['tenant-user/a'] }, ok: ADMIN },
  // the last user who can manage users: refused to everyone (409 for the admin itself)
  { method: 'PATCH', url: '/apis/anvil.dev/v1/users/admin', body: { roles: ['viewer'] }, ok: [] },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/users/tuser', ok: ['admin', 'tadmin'] },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/users/tother', ok: ADMIN },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/users/viewer', ok: ADMIN },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/users/admin', ok: [] },
  // every user lists the tokens it may manage (its own; every user's with user-edit cluster-wide)
  { method: 'GET', url: '/apis/anvil.dev/v1/tokens', ok: ALL },
  { method: 'POST', url: '/apis/anvil.dev/v1/users/tuser/tokens', body: {}, ok: ['admin', 'tuser'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/users/tuser/tokens', ok: ['admin', 'tuser'] },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/users/tuser/tokens/SPARE', ok: ['admin', 'tuser'] },
  // namespace quotas: read by who works in the namespace, set and removed by cluster admins only
  { method: 'GET', url: '/apis/anvil.dev/v1/quotas', ok: ALL, filtered: ['tother'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/quotas', ok: A_READ },
  { method: 'GET', url: '/apis/anvil.dev/v1/namespaces/a/quotas/a', ok: A_READ },
  { method: 'PUT', url: '/apis/anvil.dev/v1/namespaces/a/quota', body: { pods: 5, capacity_bytes: 1e12 }, ok: ADMIN },
  { method: 'DELETE', url: '/apis/anvil.dev/v1/namespaces/a/quota', ok: ADMIN },
  // events and audit
  { method: 'GET', url: '/apis/anvil.dev/v1/events', ok: ALL, filtered: ['tother'] },
  { method: 'GET', url: '/apis/anvil.dev/v1/audit', ok: ADMIN },
  // the Kubernetes facade: the same tokens and roles as the routes above
  ...(
    [
      { url: '/version', ok: ALL },
      { url: '/api', ok: ALL },
      { url: '/apis', ok: ALL },
      { url: '/api/v1', ok: ALL },
      { url: '/apis/apps/v1', ok: ALL },
      { url: '/api/v1/nodes', ok: NODE_READ },
      { url: '/api/v1/nodes/node1', ok: NODE_READ },
      // namespaces: each caller sees those it holds a role in (admin, viewer: all); others read as missing
      { url: '/api/v1/namespaces', ok: ALL },
      { url: '/api/v1/namespaces/a', ok: A_READ, hidden: ['tother'] },
      { url: '/api/v1/namespaces/c', ok: ['admin', 'viewer'], hidden: ['tadmin', 'tuser', 'tother'] },
      { url: '/api/v1/pods', ok: ALL, filtered: ['tother'] },
      { url: '/api/v1/namespaces/a/pods', ok: A_READ },
      { url: '/api/v1/namespaces/a/pods/pa', ok: A_READ },
      { url: '/api/v1/events', ok: ALL, filtered: ['tother'] },
      { url: '/api/v1/namespaces/a/events', ok: A_READ },
      { url: '/api/v1/namespaces/a/events/EVENT_A', ok: A_READ },
      { url: '/api/v1/persistentvolumeclaims', ok: ALL, filtered: ['tother'] },
      { url: '/api/v1/namespaces/a/persistentvolumeclaims', ok: A_READ },
      { url: '/api/v1/namespaces/a/persistentvolumeclaims/va', ok: A_READ },
      { url: '/apis/apps/v1/deployments', ok: ALL, filtered: ['tother'] },
      { url: '/apis/apps/v1/namespaces/a/deployments', ok: A_READ },
      { url: '/apis/apps/v1/namespaces/a/deployments/da', ok: A_READ },
      { url: '/apis/apps/v1/statefulsets', ok: ALL, filtered: ['tother'] },
      { url: '/apis/apps/v1/namespaces/a/statefulsets', ok: A_READ },
      { url: '/apis/apps/v1/namespaces/a/statefulsets/ca', ok: A_READ },
      { url: '/apis/apps/v1/replicasets', ok: ALL, filtered: ['tother'] },
      { url: '/apis/apps/v1/namespaces/a/replicasets', ok: A_READ },
      { url: `/apis/apps/v1/namespaces/a/replicasets/${replicaSetName('a', 'da')}`, ok: A_READ },
      // a watch is a list's: the same roles (one pod selected: one event, then timeoutSeconds=0 ends it)
      { url: '/api/v1/namespaces/a/pods?watch=1&timeoutSeconds=0&fieldSelector=metadata.name%3Dpa', ok: A_READ },
    ] as const
  ).map((c): Case => ({ method: 'GET', kube: true, ...c })),
  // the facade's writes (create, patch, delete) and the OpenAPI v3 documents kubectl validates against; the
  // GETs of one claim, deployment or statefulset kubectl's apply reads back are the read routes' (above)
  ...(
    [
      { method: 'GET', url: '/openapi/v3', ok: ALL },
      { method: 'GET', url: '/openapi/v3/api/v1', ok: ALL },
      { method: 'GET', url: '/openapi/v3/apis/apps/v1', ok: ALL },
      { method: 'GET', url: '/openapi/v3/apis/storage.k8s.io/v1', ok: ALL },
      { method: 'POST', url: '/api/v1/namespaces', body: kube('v1', 'Namespace', 'knew'), ok: ADMIN },
      { method: 'PATCH', url: '/api/v1/namespaces/c', body: LABEL, ok: ADMIN },
      { method: 'DELETE', url: '/api/v1/namespaces/c', ok: ADMIN },
      { method: 'POST', url: '/api/v1/namespaces/a/pods', body: kube('v1', 'Pod', 'kp', POD_SPEC), ok: A_WRITE },
      { method: 'PATCH', url: '/api/v1/namespaces/a/pods/pa', body: LABEL, ok: A_WRITE },
      { method: 'DELETE', url: '/api/v1/namespaces/a/pods/pa', ok: A_WRITE },
      {
        method: 'POST',
        url: '/api/v1/namespaces/a/persistentvolumeclaims',
        body: kube('v1', 'PersistentVolumeClaim', 'knew', CLAIM_SPEC),
        ok: A_WRITE,
      },
      { method: 'PATCH', url: '/api/v1/namespaces/a/persistentvolumeclaims/va', body: LABEL, ok: A_WRITE },
      {
        method: 'DELETE',
        url: '/api/v1/namespaces/a/persistentvolumeclaims/vfree',
        ok: A_WRITE,
        setup: (w) =>
          void w.api.store.change(localAdmin('admin'), 'seed', 'seed', (cp) =>
            cp.createVolume({ namespace: 'a', name: 'vfree', size_bytes: 1e9 }),
          ),
      },
      {
        method: 'POST',
        url: '/apis/apps/v1/namespaces/a/deployments',
        body: kube('apps/v1', 'Deployment', 'knew', WORKLOAD_SPEC),
        ok: A_WRITE,
      },
      { method: 'PATCH', url: '/apis/apps/v1/namespaces/a/deployments/da', body: LABEL, ok: A_WRITE },
      { method: 'GET', url: '/apis/apps/v1/namespaces/a/deployments/da/scale', ok: A_READ },
      { method: 'PATCH', url: '/apis/apps/v1/namespaces/a/deployments/da/scale', body: { spec: { replicas: 1 } }, ok: A_WRITE },
      { method: 'PUT', url: '/apis/apps/v1/namespaces/a/deployments/da/scale', body: { spec: { replicas: 1 } }, ok: A_WRITE },
      { method: 'DELETE', url: '/apis/apps/v1/namespaces/a/deployments/da', ok: A_WRITE },
      {
        method: 'POST',
        url: '/apis/apps/v1/namespaces/a/statefulsets',
        body: kube('apps/v1', 'StatefulSet', 'knew', WORKLOAD_SPEC),
        ok: A_WRITE,
      },
      { method: 'PATCH', url: '/apis/apps/v1/namespaces/a/statefulsets/ca', body: LABEL, ok: A_WRITE },
      { method: 'GET', url: '/apis/apps/v1/namespaces/a/statefulsets/ca/scale', ok: A_READ },
      { method: 'PATCH', url: '/apis/apps/v1/namespaces/a/statefulsets/ca/scale', body: { spec: { replicas: 1 } }, ok: A_WRITE },
      { method: 'PUT', url: '/apis/apps/v1/namespaces/a/statefulsets/ca/scale', body: { spec: { replicas: 1 } }, ok: A_WRITE },
      { method: 'DELETE', url: '/apis/apps/v1/namespaces/a/statefulsets/ca', ok: A_WRITE },
    ] as Case[]
  ).map((c): Case => ({ kube: true, ...c })),
];

/** The Kubernetes name of an event about a pod of namespace a. */
function eventOfA(w: World): string {
  const e = w.api.store.revisedEvents(-1).find((ev) => ev.object.startsWith('pod/a/'))!;
  return `${e.object.split('/')[2]}.${e.id.toString(16).padStart(12, '0')}`;
}

/** Objects or events of namespace a in a list response. */
function mentionsA(body: unknown): boolean {
  const items = (body as { items?: { metadata: { namespace?: string } }[] } | undefined)?.items;
  if (items) return items.some((o) => o.metadata.namespace === 'a');
  if (!Array.isArray(body)) return false;
  return body.some((o: Record<string, unknown>) => o.namespace === 'a' || (typeof o.object === 'string' && o.object.split('/')[1] === 'a'));
}

describe('every route with every role', () => {
  it('the walk covers every route of the OpenAPI document', async () => {
    const w = await seededWorld();
    const doc = JSON.parse((await w.app.inject('/openapi.json')).body) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((r) => !r.includes('/docs'));
    const walked = new Set(
      CASES.map(
        (c) =>
          `${c.method} ${c.url
            .split('?')[0]!
            .replace(/\/node\d\/cordon$/, '/{name}/{action}')
            .replace(/\/node\d\/links\/storage0\/down$/, '/{name}/links/{port}/{action}')
            .replace(/\/(node\d|net1|netx|high|medium|va|vfree|sa|pa|ea|da|ca|tuser|tother|viewer|admin|c)(?=\/|$)/g, '/{name}')
            .replace('/namespaces/a/', '/namespaces/{namespace}/')
            .replace(/^(\/api\/v1\/namespaces)\/[ac]$/, '$1/{name}')
            .replace(/\/quotas\/a$/, '/quotas/{name}')
            .replace('/SPARE', '/{id}')
            .replace('/runs/fixture-run/', '/runs/{id}/')
            .replace('/EVENT_A', '/{name}')
            .replace(/\/replicasets\/da-[0-9a-f]{10}$/, '/replicasets/{name}')}`,
      ),
    );
    expect(documented.length).toBeGreaterThan(40);
    for (const r of documented) expect(walked, `route ${r} is not walked`).toContain(r);
    await w.app.close();
  });

  for (const c of CASES) {
    it(`${c.method} ${c.url}`, async () => {
      // A fresh world for each role, except after a refusal (checked to change nothing) or an allowed read that
      // changed nothing: the next role meets the same world (worlds built are the walk's whole cost).
      let w: Awaited<ReturnType<typeof seededWorld>> | undefined;
      for (const role of ROLES) {
        if (w === undefined) {
          w = await seededWorld();
          c.setup?.(w);
        }
        const url = c.url.replace('SPARE', String(w.spareTokenId)).replace('EVENT_A', eventOfA(w));
        const auditBefore = w.api.store.audit(100000).length;
        const stateBefore = w.api.store.read((s) => JSON.stringify([...s.documents()]));
        const tokensBefore = JSON.stringify(w.api.tokens.list());
        const res = await w.call(role, c.method, url, c.body);
        const body = res.headers['content-type']?.toString().includes('json') ? (res.json() as unknown) : res.body;
        const label = `${role} ${c.method} ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`;
        if (c.ok.includes(role)) {
          expect(res.statusCode, label).toBeGreaterThanOrEqual(200);
          expect(res.statusCode, label).toBeLessThan(300);
          if (c.filtered?.includes(role)) expect(mentionsA(body), label).toBe(false);
        } else {
          const hidden = c.hidden?.includes(role) === true;
          const expected =
            role === 'none'
              ? [401, 'ANVIL_ERR_UNAUTHENTICATED']
              : hidden
                ? [404, undefined]
                : c.ok.length === 0 && role === 'admin'
                  ? [409, undefined]
                  : [403, 'ANVIL_ERR_FORBIDDEN'];
          expect(res.statusCode, label).toBe(expected[0]);
          const status = body as { kind?: string; code?: unknown; reason?: string; details?: { causes?: { reason: string }[] } };
          const reason = role === 'none' ? 'Unauthorized' : hidden ? 'NotFound' : 'Forbidden';
          if (c.kube) expect([status.kind, status.reason], label).toEqual(['Status', reason]);
          const code = c.kube ? status.details?.causes?.[0]?.reason : (status.code as string | undefined);
          if (hidden) expect(code, label).toBeUndefined();
          else if (expected[1]) expect(code, label).toBe(expected[1]);
          else expect(code, label).toMatch(/^ANVIL_ERR_/);
          // A refused call changes nothing.
          expect(w.api.store.audit(100000).length, label).toBe(auditBefore);
          expect(
            w.api.store.read((s) => JSON.stringify([...s.documents()])),
            label,
          ).toBe(stateBefore);
          expect(JSON.stringify(w.api.tokens.list()), label).toBe(tokensBefore);
          continue;
        }
        // An allowed read that left the world as it was serves the next role too (most cases are reads).
        const unchanged =
          c.method === 'GET' &&
          w.api.store.audit(100000).length === auditBefore &&
          w.api.store.read((s) => JSON.stringify([...s.documents()])) === stateBefore &&
          JSON.stringify(w.api.tokens.list()) === tokensBefore;
        if (unchanged) continue;
        await w.app.close();
        w = undefined;
      }
      await w?.app.close();
    });
  }
});
