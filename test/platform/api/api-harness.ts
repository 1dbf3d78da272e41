/** A served control plane for tests: a seeded world with two tenants and a token per role. */
import type { KubeApi } from '../../../platform/api/extender/kube-binder.js';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer, bootstrapAdmin } from '../../../platform/api/server.js';
import type { ServerOptions } from '../../../platform/api/server.js';
import type { Api } from '../../../platform/api/api.js';
import type { ServerTls } from '../../../platform/api/tls.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { parseManifestText } from '../../../platform/manifests/documents.js';
import { planApply, runApply } from '../../../platform/manifests/apply.js';
import { tickingClock } from '../control-plane-harness.js';
import { fixtureRunsFolder } from './run-fixture.js';

export const ROLES = ['admin', 'tadmin', 'tuser', 'viewer', 'tother', 'none'] as const;
export type RoleName = (typeof ROLES)[number];

export const podManifest = (name: string, cpu = '100m'): string => `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  containers:
    - name: c
      image: nginx
      resources: { requests: { cpu: ${cpu}, memory: 128Mi } }
`;

/** A Deployment of `replicas` pods; `requests` (e.g. "{ cpu: 10m, memory: 16Mi }") sets each pod's requests. */
export const deploymentManifest = (name: string, replicas: number, requests?: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  template:
    spec: { containers: [{ name: c, image: nginx${requests !== undefined ? `, resources: { requests: ${requests} }` : ''} }] }
`;

export interface World {
  app: FastifyInstance;
  api: Api;
  tokens: Record<Exclude<RoleName, 'none'>, string>;
  /** A second token of tuser (id), for the revoke route. */
  spareTokenId: number;
  call(role: RoleName, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
}

/** A one-replica workload of `kind` in a manifest. */
const workloadManifest = (kind: 'Deployment' | 'StatefulSet', name: string): string => `apiVersion: apps/v1
kind: ${kind}
metadata: { name: ${name} }
spec:
  replicas: 1
  template:
    spec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: 100m, memory: 128Mi } } }] }
`;

/**
 * Cluster c1 (3 nodes), networks net1, namespaces a, b and c (empty), volumes a/va (with snapshot a/sa)
 * and b/vb, pods a/pa and b/pb, Deployment a/da and StatefulSet a/ca (one pod each), the persistent
 * endpoint a/ea on net1, a quota on a (1000 pods, 100 volumes), the runs folder of run-fixture.ts; users: tadmin = tenant-admin/a, tuser = tenant-user/a, viewer, tother =
 * tenant-user/b (the wrong tenant for a's objects).
 */
export async function seededWorld(
  statePath = ':memory:',
  tls?: ServerTls,
  kube?: KubeApi,
  more: Partial<ServerOptions> = {},
): Promise<World> {
  const { app, api } = await buildServer({
    statePath,
    clock: tickingClock(),
    runsDir: fixtureRunsFolder(),
    ...(tls ? { tls } : {}),
    ...(kube ? { kube } : {}),
    ...more,
  });
  const admin = bootstrapAdmin(api)!;
  api.store.change(localAdmin('admin'), 'seed', 'seed', (cp) => {
    cp.createCluster({ name: 'c1', nodes: 3 });
    cp.createNetwork({ name: 'net1', subnet: '10.1.0.0/24', start: '10.1.0.10', end: '10.1.0.200', gateway: '10.1.0.1' });
    cp.createNetwork({ name: 'netx', subnet: '10.9.0.0/24', start: '10.9.0.10', end: '10.9.0.20', gateway: '10.9.0.1', is_default: false });
    for (const ns of ['a', 'b', 'c']) cp.createTenant(ns);
    cp.createVolume({ namespace: 'a', name: 'va', size_bytes: 10e9 });
    cp.createVolume({ namespace: 'b', name: 'vb', size_bytes: 10e9 });
    cp.createSnapshot('a', 'sa', 'va');
    runApply(cp, planApply(parseManifestText(podManifest('pa'), 'pa.yaml'), 'a', false));
    runApply(cp, planApply(parseManifestText(podManifest('pb'), 'pb.yaml'), 'b', false));
    runApply(cp, planApply(parseManifestText(workloadManifest('Deployment', 'da'), 'da.yaml'), 'a', false));
    runApply(cp, planApply(parseManifestText(workloadManifest('StatefulSet', 'ca'), 'ca.yaml'), 'a', false));
    cp.createEndpoint('a', 'ea', 'net1');
    cp.setQuota('a', { pods: 1000, volumes: 100 });
    cp.createUser('tadmin', ['tenant-admin/a']);
    cp.createUser('tuser', ['tenant-user/a']);
    cp.createUser('viewer', ['viewer']);
    cp.createUser('tother', ['tenant-user/b']);
  });
  const issue = (u: string) => api.tokens.issue(u, 'test', 'admin').token;
  const tokens = { admin, tadmin: issue('tadmin'), tuser: issue('tuser'), viewer: issue('viewer'), tother: issue('tother') };
  const spareTokenId = api.tokens.issue('tuser', 'spare', 'admin').info.id;
  const call = (role: RoleName, method: string, url: string, body?: unknown) =>
    app.inject({
      method: method as 'GET',
      url,
      ...(body !== undefined ? { payload: body as object } : {}),
      headers: role === 'none' ? {} : { authorization: `Bearer ${tokens[role]}` },
    });
  return { app, api, tokens, spareTokenId, call };
}
