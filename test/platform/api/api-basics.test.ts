/** Bad bodies name the field, tokens are stored hashed, health/metrics/OpenAPI/docs are served from the packages. */
import { spawnSync } from 'node:child_process';
import { nodeUsage } from '../../../platform/domain/usage.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../cli-harness.js';
import { seededWorld } from './api-harness.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { needs } from '../../needs.js';

describe('bad bodies', () => {
  const bad: [string, string, unknown, string][] = [
    ['POST', '/apis/anvil.dev/v1/cluster', { name: 'c2', nodes: 'three' }, 'body/nodes'],
    ['POST', '/apis/anvil.dev/v1/nodes', { name: 'Node_9' }, 'body/name'],
    ['POST', '/apis/anvil.dev/v1/nodes', { name: 'node9', labels: { 'a key': 'v' } }, 'body/labels'],
    [
      'POST',
      '/apis/anvil.dev/v1/networks',
      { name: 'n', subnet: '10.3.0.0/24', start: 'x', end: '10.3.0.9', gateway: '10.3.0.1' },
      'body/start',
    ],
    ['POST', '/apis/anvil.dev/v1/perf-tiers', { name: 'gold', storage_iops: -1, network_bandwidth_bits_per_s: 1 }, 'body/storage_iops'],
    ['POST', '/apis/anvil.dev/v1/namespaces/a/volumes', { name: 'v', size_bytes: 1e9, colour: 'red' }, 'colour'],
    ['POST', '/apis/anvil.dev/v1/namespaces/a/volumes', { name: 'v' }, 'size_bytes'],
    ['PATCH', '/apis/anvil.dev/v1/namespaces/a/volumes/va', {}, 'body'],
    ['POST', '/apis/anvil.dev/v1/namespaces/a/snapshots/sa/restore', { to: 7 }, 'body/to'],
    ['POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests: '' }, 'body/manifests'],
    ['POST', '/apis/anvil.dev/v1/users', { name: 'eve', roles: 'viewer' }, 'body/roles'],
    ['GET', '/apis/anvil.dev/v1/events?severity=loud', undefined, 'querystring/severity'],
    ['GET', '/apis/anvil.dev/v1/events?object=', undefined, 'querystring/object'],
    ['POST', '/apis/anvil.dev/v1/namespaces/a/endpoints', { name: 'e', network: 'net1', ip: '10.1.0.300' }, 'body/ip'],
    ['POST', '/apis/anvil.dev/v1/namespaces/a/endpoints', { name: 'e' }, 'network'],
    ['POST', '/apis/anvil.dev/v1/namespaces/a/endpoints', { name: 'e', network: 'net1', vlan: 3 }, 'vlan'],
    [
      'POST',
      '/apis/anvil.dev/v1/namespaces/a/volumes',
      { name: 'v', size_bytes: 1e9, node_selector: { 'bad key': 'x' } },
      'body/node_selector',
    ],
    [
      'POST',
      '/apis/anvil.dev/v1/namespaces/a/volumes',
      { name: 'v', size_bytes: 1e9, node_selector: { rack: 'r 2' } },
      'body/node_selector/rack',
    ],
    ['POST', '/apis/anvil.dev/v1/namespaces/a/volumes', { name: 'v', size_bytes: 1e9, spread_zones: 'yes' }, 'body/spread_zones'],
    ['GET', '/apis/anvil.dev/v1/namespaces/a/pods/Pa/scheduling', undefined, 'params/name'],
  ];
  for (const [method, url, body, field] of bad) {
    it(`${method} ${url} ${JSON.stringify(body)} names ${field}`, async () => {
      const w = await seededWorld();
      const res = await w.call('admin', method, url, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('ANVIL_ERR_FIELD_INVALID');
      expect(res.json().message).toContain(field);
      await w.app.close();
    });
  }

  it('a body the domain refuses gets its catalogue code and status', async () => {
    const w = await seededWorld();
    const res = await w.call('admin', 'POST', '/apis/anvil.dev/v1/users', { name: 'eve', roles: ['root'] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'ANVIL_ERR_FIELD_INVALID', message: expect.stringContaining('role "root"') });
    const dup = await w.call('admin', 'POST', '/apis/anvil.dev/v1/networks', {
      name: 'net1',
      subnet: '10.4.0.0/24',
      start: '10.4.0.2',
      end: '10.4.0.9',
      gateway: '10.4.0.1',
    });
    expect([dup.statusCode, dup.json().code]).toEqual([409, 'ANVIL_ERR_OBJECT_EXISTS']);
    const json = await w.app.inject({
      method: 'POST',
      url: '/apis/anvil.dev/v1/namespaces',
      payload: '{not json',
      headers: { authorization: `Bearer ${w.tokens.admin}`, 'content-type': 'application/json' },
    });
    expect([json.statusCode, json.json().code]).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
    const route = await w.call('admin', 'GET', '/apis/anvil.dev/v1/nothing');
    expect([route.statusCode, route.json().code]).toEqual([404, 'ANVIL_ERR_ROUTE_NOT_FOUND']);
    await w.app.close();
  });
});

describe('tokens', () => {
  it('are stored hashed; an unknown, malformed or revoked token is refused; a deleted role is seen at once', async () => {
    const path = join(tempDir('anvil-api-'), 'state.db');
    const w = await seededWorld(path);
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT hash FROM api_tokens').all() as { hash: string }[];
    db.close();
    expect(rows.length).toBe(6);
    for (const t of Object.values(w.tokens)) expect(rows.some((r) => r.hash.includes(t) || t.includes(r.hash))).toBe(false);
    for (const header of ['Bearer anvil_nope', 'Basic abc', w.tokens.admin]) {
      const res = await w.app.inject({ url: '/apis/anvil.dev/v1/whoami', headers: { authorization: header } });
      expect([res.statusCode, res.json().code]).toEqual([401, 'ANVIL_ERR_UNAUTHENTICATED']);
    }
    const issued = (await w.call('tuser', 'POST', '/apis/anvil.dev/v1/users/tuser/tokens', { name: 'ci' })).json() as {
      token: string;
      info: { id: number };
    };
    const who = await w.app.inject({ url: '/apis/anvil.dev/v1/whoami', headers: { authorization: `Bearer ${issued.token}` } });
    expect(who.json()).toEqual({
      user: 'tuser',
      roles: ['tenant-user/a'],
      cluster_views: ['network', 'perftier'],
      cluster_edits: [],
      namespace_views: { a: ['network', 'perftier', 'volume', 'container', 'event'] },
      namespace_edits: { a: ['volume', 'container'] },
    });
    expect((await w.call('tuser', 'DELETE', `/apis/anvil.dev/v1/users/tuser/tokens/${issued.info.id}`)).statusCode).toBe(200);
    const after = await w.app.inject({ url: '/apis/anvil.dev/v1/whoami', headers: { authorization: `Bearer ${issued.token}` } });
    expect(after.statusCode).toBe(401);
    await w.app.close();
  });
});

describe('served documents', () => {
  it('health, readiness, Prometheus metrics, the OpenAPI document and the docs page with its own assets', async () => {
    const w = await seededWorld();
    expect((await w.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await w.app.inject('/readyz')).json()).toMatchObject({ status: 'ready' });
    await w.call('admin', 'GET', '/apis/anvil.dev/v1/nodes');
    await w.call('admin', 'GET', '/apis/anvil.dev/v1/nodes/node1');
    expect((await w.call('admin', 'GET', '/apis/anvil.dev/v1/no-such-route')).statusCode).toBe(404);
    const metrics = await w.call('viewer', 'GET', '/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    // Each answer counted once, under the route it matched (as registered, its parameters unfilled), or none.
    expect(metrics.body).toMatch(/anvil_http_requests_total\{method="GET",route="\/apis\/anvil\.dev\/v1\/nodes",status="200"\} 1\n/);
    expect(metrics.body).toMatch(/anvil_http_requests_total\{method="GET",route="\/apis\/anvil\.dev\/v1\/nodes\/:name",status="200"\} 1\n/);
    expect(metrics.body).toMatch(/anvil_http_requests_total\{method="GET",route="unmatched",status="404"\} 1\n/);
    expect(metrics.body).toMatch(/anvil_http_request_duration_seconds_count\{method="GET",route="\/apis\/anvil\.dev\/v1\/nodes"\} 1\n/);
    expect(metrics.body).toContain('anvil_http_request_duration_seconds_bucket');
    const doc = (await w.app.inject('/openapi.json')).json() as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { securitySchemes: unknown };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/apis/anvil.dev/v1/namespaces/{namespace}/volumes']).toBeDefined();
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
    const page = await w.app.inject('/docs/');
    expect(page.statusCode).toBe(200);
    // Every script and stylesheet of the page is served by the server itself: no external request.
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) {
      expect(a).not.toMatch(/^(https?:)?\/\//);
      const res = await w.app.inject(new URL(a, 'http://x/docs/').pathname);
      expect(res.statusCode, a).toBe(200);
    }
    await w.app.close();
  });
});

describe('/metrics', () => {
  it('answers a token with a cluster-wide view role (a Prometheus user with cluster-view only); a tenant gets a coded 403, no token 401', async () => {
    const w = await seededWorld();
    w.api.store.change(localAdmin(), 'create users', 'users/prometheus', (cp) => cp.createUser('prometheus', ['cluster-view']));
    const scraper = w.api.tokens.issue('prometheus', 'scrape', 'admin').token;
    const ok = await w.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${scraper}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('# TYPE anvil_http_requests_total counter');
    const tenant = await w.call('tadmin', 'GET', '/metrics');
    expect([tenant.statusCode, tenant.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
    expect(tenant.json().message).toContain('cluster-view');
    const none = await w.call('none', 'GET', '/metrics');
    expect([none.statusCode, none.json().code]).toEqual([401, 'ANVIL_ERR_UNAUTHENTICATED']);
    // The refused scrapes are counted too: the registry sees every answer, whoever asked.
    const after = (await w.call('admin', 'GET', '/metrics')).body;
    expect(after).toMatch(/anvil_http_requests_total\{method="GET",route="\/metrics",status="403"\} 1/);
    expect(after).toMatch(/anvil_http_requests_total\{method="GET",route="\/metrics",status="401"\} 1/);
    await w.app.close();
  });
});

/** The Prometheus project's own parser (Debian's python3-prometheus-client): samples as [name, labels, value]. */
const PARSE_PROMETHEUS = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append([s.name, s.labels, s.value])
print(json.dumps(out))
`;
const hasPrometheusParser = spawnSync('/usr/bin/python3', ['-c', 'import prometheus_client.parser'], { encoding: 'utf8' }).status === 0;

describe('/metrics: the state as gauges', () => {
  needs('python3 with prometheus_client', hasPrometheusParser)(
    'reads nodes, pods, plexes and per-node reserved of guaranteeable, as parsed by Prometheus own parser',
    async () => {
      const w = await seededWorld();
      await w.call('admin', 'POST', '/apis/anvil.dev/v1/nodes/node3/cordon');
      const scrape = (await w.call('admin', 'GET', '/metrics')).body;
      const parsed = spawnSync('/usr/bin/python3', ['-c', PARSE_PROMETHEUS], { input: scrape, encoding: 'utf8' });
      expect(parsed.stderr).toBe('');
      const samples = JSON.parse(parsed.stdout) as [string, Record<string, string>, number][];
      const value = (name: string, labels: Record<string, string> = {}) =>
        samples.find(([n, l]) => n === name && Object.entries(labels).every(([k, v]) => l[k] === v))?.[2];
      const truth = w.api.store.read((s) => ({
        running: [...s.pods.values()].filter((p) => p.status.state === 'running').length,
        pending: [...s.pods.values()].filter((p) => p.status.state === 'pending').length,
        plexes: [...s.volumes.values()].reduce((n, v) => n + v.plexes.length, 0),
        volumes: s.volumes.size,
        node1: nodeUsage(s).get('node1')!,
        inventory: s.nodes.get('node1')!.inventory,
      }));
      expect(value('anvil_nodes', { state: 'ready' })).toBe(2);
      expect(value('anvil_nodes', { state: 'cordoned' })).toBe(1);
      expect(value('anvil_nodes', { state: 'down' })).toBe(0);
      expect(value('anvil_pods', { state: 'running' })).toBe(truth.running);
      expect(value('anvil_pods', { state: 'pending' })).toBe(truth.pending);
      expect(truth.running).toBeGreaterThan(0);
      expect(value('anvil_volumes', { state: 'in-sync' })).toBe(truth.volumes);
      expect(['degraded', 'unavailable', 'lost'].map((state) => value('anvil_volumes', { state }))).toEqual([0, 0, 0]);
      expect(value('anvil_volume_plexes', { state: 'in-sync' })).toBe(truth.plexes);
      expect(value('anvil_node_reserved_cpu_millicores', { node: 'node1', zone: 'zone0' })).toBe(truth.node1.cpu_millicores);
      expect(value('anvil_node_reserved_iops', { node: 'node1' })).toBe(truth.node1.iops);
      expect(value('anvil_node_guaranteeable_iops', { node: 'node1' })).toBe(truth.inventory.guaranteeable_iops);
      expect(value('anvil_node_guaranteeable_bandwidth_bits_per_second', { node: 'node1' })).toBe(
        truth.inventory.guaranteeable_bandwidth_bits_per_s,
      );

      // A node failure shows at the next scrape: the gauges are read from the state, not kept on the side.
      await w.call('admin', 'POST', '/apis/anvil.dev/v1/nodes/node1/fail');
      const again = spawnSync('/usr/bin/python3', ['-c', PARSE_PROMETHEUS], {
        input: (await w.call('admin', 'GET', '/metrics')).body,
        encoding: 'utf8',
      });
      const after = JSON.parse(again.stdout) as [string, Record<string, string>, number][];
      expect(after.find(([n, l]) => n === 'anvil_nodes' && l.state === 'down')?.[2]).toBe(1);
      expect(after.find(([n, l]) => n === 'anvil_node_reserved_cpu_millicores' && l.node === 'node1')?.[2]).toBe(0);
      // Volumes by state: what the failure left of their copies (issue 11: a volume with no copy left says so).
      const byState = w.api.store.read((s) => [...s.volumes.values()].map((v) => v.state));
      for (const state of ['in-sync', 'degraded', 'unavailable', 'lost']) {
        expect(after.find(([n, l]) => n === 'anvil_volumes' && l.state === state)?.[2], state).toBe(
          byState.filter((x) => x === state).length,
        );
      }
      expect(byState.filter((x) => x !== 'in-sync').length).toBeGreaterThan(0);
      await w.app.close();
    },
  );
});
