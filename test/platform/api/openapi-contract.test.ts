/**
 * The API's contract: the OpenAPI document (GET /openapi.json) passes Spectral's `spectral:oas` rules and
 * swagger-parser, every operation has an operationId, a description and a response schema that names its
 * fields; and the responses, which Fastify serializes with those schemas, carry every field of the domain's
 * objects in the domain's own order (the bytes JSON.stringify writes for them), so nothing the CLI reads is
 * dropped or moved.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import spectralCore, { type RulesetDefinition } from '@stoplight/spectral-core';
import { oas } from '@stoplight/spectral-rulesets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectsOf, type Kind } from '../../../platform/domain/queries.js';
import { localAdmin, ROLE_CLASSES } from '../../../platform/domain/tenancy.js';
import { ControlPlane } from '../../../platform/domain/control-plane.js';
import { wallClock } from '../../../platform/domain/clock.js';
import { allocationTotals, nodeAllocations, poolAllocations } from '../../../platform/domain/usage.js';
import { listRuns, runDir, runIntervals } from '../../../platform/api/run-folders.js';
import { runLatencyCdf, runNodeUtilisation, runVerdicts } from '../../../platform/api/run-figures.js';
import { listReports } from '../../../platform/api/report-files.js';
import { FIXTURE_REPORTS, fixtureRunsFolder } from './run-fixture.js';
import type { Network } from '../../../platform/domain/network.js';
import type { Node } from '../../../platform/domain/node.js';
import { parseManifestText } from '../../../platform/manifests/documents.js';
import { planApply, runApply } from '../../../platform/manifests/apply.js';
import { seededWorld, type World } from './api-harness.js';

const { Spectral } = spectralCore;

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  $ref?: string;
}
interface Operation {
  operationId?: string;
  description?: string;
  summary?: string;
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

const ADMIN = localAdmin('admin');
let w: World;
let doc: Doc;

/** A pod manifest of namespace `a` with `extra` in its metadata and spec. */
const pod = (name: string, cpu: string, annotations = '{}', volumes = '[]') => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, annotations: ${annotations} }
spec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: ${cpu}, memory: 128Mi } } }], volumes: ${volumes} }
`;

beforeAll(async () => {
  w = await seededWorld();
  // Every shape the domain makes: a tainted node in another zone, a down node, a VLAN network of one zone,
  // a restored volume, an attached volume, pods on a persistent endpoint, on a pinned IP and pending.
  w.api.store.change(ADMIN, 'seed more', 'seed', (cp) => {
    cp.addNode({ name: 'edge1', zone: 'zone1', labels: { rack: 'r1' }, taints: [{ key: 'dedicated', value: 'db' }] });
    cp.createNetwork({
      name: 'vnet',
      subnet: '10.2.0.0/24',
      start: '10.2.0.10',
      end: '10.2.0.20',
      gateway: '10.2.0.1',
      vlan: 42,
      zone: 'zone0',
    });
    cp.restoreSnapshot('a', 'sa', 'vr');
    cp.cordonNode('node3');
    const apply = (text: string) => runApply(cp, planApply(parseManifestText(text, 'more.yaml'), 'a', false));
    apply(pod('withep', '100m', `{ anvil.dev/endpoint0: '{"endpointId":"ea","perfTier":"high"}' }`));
    apply(pod('pinned', '100m', `{ anvil.dev/endpoint0: '{"network":"net1","ip":"10.1.0.150"}' }`));
    apply(pod('withvol', '100m', '{}', '[{ name: d, persistentVolumeClaim: { claimName: vr } }]'));
    apply(pod('huge', '500'));
    cp.failNode('node2');
  });
  // A pod the scheduler extender placed (it carries its Kubernetes UID).
  const k8sPod = {
    metadata: { name: 'kube1', namespace: 'a', uid: 'uid-kube1' },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  };
  await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod, NodeNames: ['node1'] } });
  const bound = await w.app.inject({
    method: 'POST',
    url: '/scheduler/bind',
    payload: { PodName: 'kube1', PodNamespace: 'a', PodUID: 'uid-kube1', Node: 'node1' },
  });
  expect(bound.json()).toEqual({ Error: '' });
  doc = (await w.app.inject('/openapi.json')).json() as Doc;
});

afterAll(async () => {
  await w.app.close();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

describe('the OpenAPI document', () => {
  it("passes Spectral's spectral:oas rules (all of them) with no finding", async () => {
    const spectral = new Spectral();
    spectral.setRuleset({
      // The ruleset's declared type lacks `extends`, which RulesetDefinition's union asks of it; it is one.
      extends: [[oas as RulesetDefinition, 'all']],
      rules: {
        // A contact names who runs the API: each appliance's operator, whom the software cannot know.
        'info-contact': 'off',
      },
    });
    const findings = await spectral.run(structuredClone(doc) as Record<string, unknown>);
    expect(findings.map((f) => `${f.code} at ${f.path.join('.')}: ${f.message}`)).toEqual([]);
  });

  it('is served as @fastify/swagger makes it', async () => {
    expect((await w.app.inject('/openapi.json')).body).toBe(JSON.stringify(w.app.swagger()));
  });

  it('is valid OpenAPI for swagger-parser', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('gives every operation a unique camelCase operationId, a description, the error answers, and a response schema that names its fields', () => {
    const ids = new Set<string>();
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(ids.has(op.operationId!), `${where}: ${op.operationId} twice`).toBe(false);
      ids.add(op.operationId!);
      expect(op.description, where).toMatch(/\S/);
      // Any route may refuse a request (an unknown query parameter, a rate limit) or fail: the coded error body.
      for (const range of ['4XX', '5XX']) expect(Object.keys(op.responses), `${where}: no ${range} answer`).toContain(range);
      const ok = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect(ok.length, where).toBeGreaterThan(0);
      for (const [status, r] of ok) {
        const schema = Object.values(r.content ?? {})[0]?.schema;
        expect(schema, `${where} ${status}`).toBeDefined();
        // No bare object: an object (or a list's item) lists its fields.
        const top = schema!.type === 'array' ? schema!.items! : schema!;
        if (top.type === 'object')
          expect(Object.keys(top.properties ?? {}).length, `${where} ${status}: an object with no fields`).toBeGreaterThan(0);
      }
    }
    expect(ids.size).toBeGreaterThanOrEqual(70);
  });

  it("names the fields always present as required, though the serializer's schemas carry no required list", () => {
    const network = schemaOf('/apis/anvil.dev/v1/networks/{name}', 'get', 200) as Schema & { required?: string[] };
    expect(network.required).toEqual(['kind', 'name', 'subnet', 'start', 'end', 'gateway', 'is_default']);
    expect(JSON.stringify(doc)).not.toContain('x-anvil-required');
  });
});

/** The paths in `data` of fields its schema does not name (a map schema names every key). */
function undocumented(data: unknown, schema: Schema, at: string, components: Record<string, Schema>): string[] {
  if (schema.$ref) return undocumented(data, components[schema.$ref.split('/').pop()!]!, at, components);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const each = branches.map((b) => undocumented(data, b, at, components));
    return each.find((e) => e.length === 0) ?? each[0]!;
  }
  if (Array.isArray(data)) return schema.items ? data.flatMap((d, i) => undocumented(d, schema.items!, `${at}[${i}]`, components)) : [];
  if (data === null || typeof data !== 'object') return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    const field = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (field === undefined) out.push(`${at}.${key}`);
    else out.push(...undocumented(value, field, `${at}.${key}`, components));
  }
  return out;
}

/** The JSON schema of an operation's answer with `status`. */
function schemaOf(path: string, method: string, status: number): Schema {
  const r = doc.paths[path]![method]!.responses[String(status)]!;
  return r.content!['application/json']!.schema;
}

const read = <T>(fn: (s: Parameters<Parameters<World['api']['store']['read']>[0]>[0]) => T): T => w.api.store.read(fn);
const kindOf = (kind: Kind, namespace?: string, name?: string) => () => read((s) => objectsOf(s, ADMIN, kind, namespace, name));
const oneObject = (kind: Kind, namespace: string | undefined, name: string) => () => kindOf(kind, namespace, name)()[0];

/** Every read route with concrete parameters, and what the domain holds for it. */
const READS: [template: string, url: string, expected: () => unknown][] = [
  [
    '/apis/anvil.dev/v1/cluster',
    '/apis/anvil.dev/v1/cluster',
    () => read((s) => ({ cluster: s.cluster, nodes: objectsOf(s, ADMIN, 'nodes', undefined) })),
  ],
  ['/apis/anvil.dev/v1/nodes', '/apis/anvil.dev/v1/nodes', kindOf('nodes')],
  ['/apis/anvil.dev/v1/nodes/{name}', '/apis/anvil.dev/v1/nodes/node2', oneObject('nodes', undefined, 'node2')],
  ['/apis/anvil.dev/v1/networks', '/apis/anvil.dev/v1/networks', kindOf('networks')],
  ['/apis/anvil.dev/v1/networks/{name}', '/apis/anvil.dev/v1/networks/vnet', oneObject('networks', undefined, 'vnet')],
  ['/apis/anvil.dev/v1/perf-tiers', '/apis/anvil.dev/v1/perf-tiers', kindOf('perf-tiers')],
  ['/apis/anvil.dev/v1/perf-tiers/{name}', '/apis/anvil.dev/v1/perf-tiers/high', oneObject('perf-tiers', undefined, 'high')],
  ['/apis/anvil.dev/v1/volumes', '/apis/anvil.dev/v1/volumes', kindOf('volumes')],
  ['/apis/anvil.dev/v1/namespaces/{namespace}/volumes', '/apis/anvil.dev/v1/namespaces/a/volumes', kindOf('volumes', 'a')],
  [
    '/apis/anvil.dev/v1/namespaces/{namespace}/volumes/{name}',
    '/apis/anvil.dev/v1/namespaces/a/volumes/vr',
    oneObject('volumes', 'a', 'vr'),
  ],
  ['/apis/anvil.dev/v1/snapshots', '/apis/anvil.dev/v1/snapshots', kindOf('snapshots')],
  ['/apis/anvil.dev/v1/namespaces/{namespace}/snapshots', '/apis/anvil.dev/v1/namespaces/a/snapshots', kindOf('snapshots', 'a')],
  [
    '/apis/anvil.dev/v1/namespaces/{namespace}/snapshots/{name}',
    '/apis/anvil.dev/v1/namespaces/a/snapshots/sa',
    oneObject('snapshots', 'a', 'sa'),
  ],
  ['/apis/anvil.dev/v1/pods', '/apis/anvil.dev/v1/pods', kindOf('pods')],
  ['/apis/anvil.dev/v1/namespaces/{namespace}/pods', '/apis/anvil.dev/v1/namespaces/a/pods', kindOf('pods', 'a')],
  ['/apis/anvil.dev/v1/namespaces/{namespace}/pods/{name}', '/apis/anvil.dev/v1/namespaces/a/pods/kube1', oneObject('pods', 'a', 'kube1')],
  [
    '/apis/anvil.dev/v1/namespaces/{namespace}/pods/{name}/scheduling',
    '/apis/anvil.dev/v1/namespaces/a/pods/withep/scheduling',
    // A running pod: its status, the decision recorded when it was placed, and its placement, every node's verdict (worked out as the route does).
    () => read((s) => new ControlPlane(s, ADMIN, wallClock).podScheduling('a', 'withep', (ns, n) => w.api.store.placementDecision(ns, n))),
  ],
  ['/apis/anvil.dev/v1/endpoints', '/apis/anvil.dev/v1/endpoints', kindOf('endpoints')],
  ['/apis/anvil.dev/v1/namespaces/{namespace}/endpoints', '/apis/anvil.dev/v1/namespaces/a/endpoints', kindOf('endpoints', 'a')],
  [
    '/apis/anvil.dev/v1/namespaces/{namespace}/endpoints/{name}',
    '/apis/anvil.dev/v1/namespaces/a/endpoints/ea',
    oneObject('endpoints', 'a', 'ea'),
  ],
  ['/apis/anvil.dev/v1/deployments', '/apis/anvil.dev/v1/deployments', kindOf('deployments')],
  ['/apis/anvil.dev/v1/namespaces/{namespace}/deployments', '/apis/anvil.dev/v1/namespaces/a/deployments', kindOf('deployments', 'a')],
  [
    '/apis/anvil.dev/v1/namespaces/{namespace}/deployments/{name}',
    '/apis/anvil.dev/v1/namespaces/a/deployments/da',
    oneObject('deployments', 'a', 'da'),
  ],
  ['/apis/anvil.dev/v1/statefulsets', '/apis/anvil.dev/v1/statefulsets', kindOf('statefulsets')],
  ['/apis/anvil.dev/v1/namespaces/{namespace}/statefulsets', '/apis/anvil.dev/v1/namespaces/a/statefulsets', kindOf('statefulsets', 'a')],
  [
    '/apis/anvil.dev/v1/namespaces/{namespace}/statefulsets/{name}',
    '/apis/anvil.dev/v1/namespaces/a/statefulsets/ca',
    oneObject('statefulsets', 'a', 'ca'),
  ],
  ['/apis/anvil.dev/v1/namespaces', '/apis/anvil.dev/v1/namespaces', kindOf('namespaces')],
  ['/apis/anvil.dev/v1/namespaces/{name}', '/apis/anvil.dev/v1/namespaces/a', oneObject('namespaces', undefined, 'a')],
  ['/apis/anvil.dev/v1/users', '/apis/anvil.dev/v1/users', kindOf('users')],
  ['/apis/anvil.dev/v1/users/{name}', '/apis/anvil.dev/v1/users/tadmin', oneObject('users', undefined, 'tadmin')],
  ['/apis/anvil.dev/v1/quotas', '/apis/anvil.dev/v1/quotas', kindOf('quotas')],
  ['/apis/anvil.dev/v1/namespaces/{namespace}/quotas', '/apis/anvil.dev/v1/namespaces/a/quotas', kindOf('quotas', 'a')],
  ['/apis/anvil.dev/v1/namespaces/{namespace}/quotas/{name}', '/apis/anvil.dev/v1/namespaces/a/quotas/a', oneObject('quotas', 'a', 'a')],
  ['/apis/anvil.dev/v1/events', '/apis/anvil.dev/v1/events?limit=9999', () => w.api.store.events({ limit: 9999 })],
  ['/apis/anvil.dev/v1/audit', '/apis/anvil.dev/v1/audit?limit=99999', () => w.api.store.audit(99999)],
  ['/apis/anvil.dev/v1/tokens', '/apis/anvil.dev/v1/tokens', () => w.api.tokens.list()],
  ['/apis/anvil.dev/v1/users/{name}/tokens', '/apis/anvil.dev/v1/users/tuser/tokens', () => w.api.tokens.list('tuser')],
  [
    '/apis/anvil.dev/v1/whoami',
    '/apis/anvil.dev/v1/whoami',
    () => ({
      user: 'admin',
      roles: ['cluster-admin'],
      cluster_views: [...ROLE_CLASSES],
      cluster_edits: [...ROLE_CLASSES],
      namespace_views: {},
      namespace_edits: {},
    }),
  ],
  [
    '/apis/anvil.dev/v1/runs',
    '/apis/anvil.dev/v1/runs',
    () => ({ folder: fixtureRunsFolder(), runs: listRuns(fixtureRunsFolder()), live: [] }),
  ],
  // The seeded world's server has no run worker (NO_LIVE_RUNS): no scenario, no run.
  ['/apis/anvil.dev/v1/scenarios', '/apis/anvil.dev/v1/scenarios', () => ({ scenarios: [], max_runs: 0, max_simulated_s: 0, max_ios: 0 })],
  [
    '/apis/anvil.dev/v1/reports',
    '/apis/anvil.dev/v1/reports',
    () => ({ folder: fixtureRunsFolder(), reports: listReports(fixtureRunsFolder()) }),
  ],
  [
    '/apis/anvil.dev/v1/runs/{id}/intervals',
    '/apis/anvil.dev/v1/runs/fixture-run/intervals',
    () => runIntervals(runDir(fixtureRunsFolder(), 'fixture-run'), 'fixture-run'),
  ],
  [
    '/apis/anvil.dev/v1/runs/{id}/verdicts',
    '/apis/anvil.dev/v1/runs/fixture-run-b/verdicts',
    () => runVerdicts(fixtureRunsFolder(), runDir(fixtureRunsFolder(), 'fixture-run-b'), 'fixture-run-b'),
  ],
  [
    '/apis/anvil.dev/v1/runs/{id}/latency-cdf',
    '/apis/anvil.dev/v1/runs/fixture-run/latency-cdf',
    () => runLatencyCdf(runDir(fixtureRunsFolder(), 'fixture-run'), 'fixture-run'),
  ],
  [
    '/apis/anvil.dev/v1/runs/{id}/nodes',
    '/apis/anvil.dev/v1/runs/fixture-run/nodes',
    () => runNodeUtilisation(runDir(fixtureRunsFolder(), 'fixture-run'), 'fixture-run'),
  ],
  [
    '/apis/anvil.dev/v1/usage/nodes',
    '/apis/anvil.dev/v1/usage/nodes',
    () => read((s) => nodeAllocations(s, objectsOf(s, ADMIN, 'nodes', undefined) as Node[])),
  ],
  [
    '/apis/anvil.dev/v1/usage/networks',
    '/apis/anvil.dev/v1/usage/networks',
    () => read((s) => poolAllocations(s, objectsOf(s, ADMIN, 'networks', undefined) as Network[])),
  ],
  [
    '/apis/anvil.dev/v1/usage/cluster',
    '/apis/anvil.dev/v1/usage/cluster',
    () => read((s) => ({ cluster: s.cluster, ...allocationTotals(nodeAllocations(s, objectsOf(s, ADMIN, 'nodes', undefined) as Node[])) })),
  ],
];

describe('responses follow their schemas and keep every field of the domain', () => {
  it.each(READS)('GET %s answers the domain objects byte for byte, every field named in its schema', async (template, url, expected) => {
    const res = await w.call('admin', 'GET', url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toBe(JSON.stringify(await expected()));
    expect(undocumented(res.json(), schemaOf(template, 'get', 200), 'body', doc.components?.schemas ?? {})).toEqual([]);
  });

  /** Reads that answer a file, not JSON: their documented media type and the file as it is on disk. */
  const FILE_READS: [template: string, url: string, type: string, holds: string][] = [
    [
      '/apis/anvil.dev/v1/reports/file',
      `/apis/anvil.dev/v1/reports/file?path=${encodeURIComponent(FIXTURE_REPORTS.tco.path)}`,
      'text/html',
      `<title>${FIXTURE_REPORTS.tco.title}</title>`,
    ],
    // A finished run of the folder, not started by this server: its end, with the folder's verdict (none here).
    [
      '/apis/anvil.dev/v1/runs/{id}/events',
      '/apis/anvil.dev/v1/runs/fixture-run/events',
      'text/event-stream',
      'id: 1\nevent: done\ndata: {}\n\n',
    ],
  ];

  it.each(FILE_READS)('GET %s answers the file with its documented media type', async (template, url, type, holds) => {
    const res = await w.call('admin', 'GET', url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(new RegExp(`^${type}`));
    expect(res.body).toContain(holds);
    const ok = (doc.paths?.[template]?.get?.responses as Record<string, { content?: Record<string, unknown> }> | undefined)?.['200'];
    expect(Object.keys(ok?.content ?? {})).toEqual([type]);
  });

  it('covers every read route of the document', () => {
    const reads = operations()
      .filter((o) => o.method === 'get' && o.path.startsWith('/apis/anvil.dev/v1'))
      .map((o) => o.path);
    expect(reads.filter((p) => !READS.some(([t]) => t === p) && !FILE_READS.some(([t]) => t === p))).toEqual([]);
  });

  /** A change route's answer is the object as stored afterwards, in the stored object's key order. */
  const CHANGES: [template: string, method: string, url: string, body: unknown, stored: () => unknown][] = [
    [
      '/apis/anvil.dev/v1/nodes',
      'post',
      '/apis/anvil.dev/v1/nodes',
      { name: 'edge2', zone: 'zone1', labels: { rack: 'r2' }, taints: { gpu: 'yes' } },
      () => read((s) => s.nodes.get('edge2')),
    ],
    [
      '/apis/anvil.dev/v1/networks',
      'post',
      '/apis/anvil.dev/v1/networks',
      { name: 'n3', subnet: '10.3.0.0/24', start: '10.3.0.10', end: '10.3.0.20', gateway: '10.3.0.1', vlan: 7 },
      () => read((s) => s.networks.get('n3')),
    ],
    [
      '/apis/anvil.dev/v1/perf-tiers',
      'post',
      '/apis/anvil.dev/v1/perf-tiers',
      { name: 'gold', storage_iops: 1000, network_bandwidth_bits_per_s: 1e6, max_storage_iops: 2000 },
      oneObject('perf-tiers', undefined, 'gold'),
    ],
    [
      '/apis/anvil.dev/v1/namespaces/{namespace}/volumes',
      'post',
      '/apis/anvil.dev/v1/namespaces/a/volumes',
      { name: 'v2', size_bytes: 1e9, mirrors: 2, spread_zones: true },
      () => read((s) => s.volumes.get('a/v2')),
    ],
    [
      '/apis/anvil.dev/v1/namespaces/{namespace}/volumes/{name}',
      'patch',
      '/apis/anvil.dev/v1/namespaces/a/volumes/v2',
      { mirrors: 1 },
      () => read((s) => s.volumes.get('a/v2')),
    ],
    [
      '/apis/anvil.dev/v1/namespaces/{namespace}/snapshots',
      'post',
      '/apis/anvil.dev/v1/namespaces/a/snapshots',
      { name: 's2', volume: 'va' },
      () => read((s) => s.snapshots.get('a/s2')),
    ],
    [
      '/apis/anvil.dev/v1/namespaces/{namespace}/snapshots/{name}/restore',
      'post',
      '/apis/anvil.dev/v1/namespaces/a/snapshots/s2/restore',
      { to: 'v3', perf_tier: 'high' },
      () => read((s) => s.volumes.get('a/v3')),
    ],
    [
      '/apis/anvil.dev/v1/namespaces/{namespace}/endpoints',
      'post',
      '/apis/anvil.dev/v1/namespaces/a/endpoints',
      { name: 'e2', network: 'net1', ip: '10.1.0.160' },
      () => read((s) => s.endpoints.get('a/e2')),
    ],
    [
      '/apis/anvil.dev/v1/namespaces/{namespace}/quota',
      'put',
      '/apis/anvil.dev/v1/namespaces/b/quota',
      { pods: 5, iops: 100, capacity_bytes: 1e12 },
      () => read((s) => s.quotas.get('b')),
    ],
    [
      '/apis/anvil.dev/v1/users',
      'post',
      '/apis/anvil.dev/v1/users',
      { name: 'ops', roles: ['viewer'] },
      () => read((s) => s.users.get('ops')),
    ],
    [
      '/apis/anvil.dev/v1/users/{name}',
      'patch',
      '/apis/anvil.dev/v1/users/ops',
      { roles: ['cluster-admin'] },
      () => read((s) => s.users.get('ops')),
    ],
  ];
  it.each(CHANGES)(
    '%s (%s) answers the stored object byte for byte, every field named in its schema',
    async (template, method, url, body, stored) => {
      const res = await w.call('admin', method.toUpperCase(), url, body);
      expect(res.statusCode, res.body).toBeLessThan(300);
      expect(res.body).toBe(JSON.stringify(stored()));
      expect(undocumented(res.json(), schemaOf(template, method, res.statusCode), 'body', doc.components?.schemas ?? {})).toEqual([]);
    },
  );
});
