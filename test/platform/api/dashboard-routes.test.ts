/**
 * Issue 18, the dashboard's first slice through inject(): the page and its files are served at / without a
 * token under a policy that lets it load and call this server only; the chart modules it imports run in a
 * browser (no jsdom in their imports); the allocation it draws comes from JSON routes whose figures agree
 * with the objects the API serves, under the same roles (a tenant sees only its tenant's objects).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BROWSER_CHART_MODULES } from '../../../platform/dashboard/dashboard-plugin.js';
import { packageRoot } from '../../../bench/package-root.js';
import { seededWorld, type World } from './api-harness.js';

const V1 = '/apis/anvil.dev/v1';
let world: World | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

interface NodeUsage {
  node: string;
  pods: { used: number; total: number };
  vfs: { used: number; total: number };
  iops: { reserved: number; guaranteeable: number };
  bandwidth_bits_per_s: { reserved: number; guaranteeable: number };
}
interface Pod {
  namespace: string;
  name: string;
  status: { state: string; node?: string; reserved_iops?: number; admitted_iops?: number; endpoints?: { network: string; ip: string }[] };
}

describe('the dashboard page and its files', () => {
  it('/ is the page, served without a token, with an import map its Content-Security-Policy allows by hash', async () => {
    world = await seededWorld();
    const page = await world.app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const importMap = /<script type="importmap">(.*?)<\/script>/s.exec(page.body)?.[1];
    expect(JSON.parse(importMap!).imports['@observablehq/plot']).toBe('/dashboard/vendor/plot.js');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain(`'sha256-${createHash('sha256').update(importMap!).digest('base64')}'`);
    // Every file the page names is served by this server (no other origin); the nav's links are fragments.
    const named = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith('#') && u !== 'data:,');
    expect(named.length).toBe(4);
    for (const src of named) {
      expect(src, src).toMatch(/^\/dashboard\//);
      const file = await world.app.inject(src);
      expect(file.statusCode, src).toBe(200);
    }
  });

  it("serves its modules and Plot's exports as a module; refuses files it does not ship, with a coded error", async () => {
    world = await seededWorld();
    const app = await world.app.inject('/dashboard/app.js');
    expect([app.statusCode, app.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    const plot = await world.app.inject('/dashboard/vendor/plot.js');
    expect(plot.body).toMatch(/export const \{[^}]*\bbarX\b[^}]*\} = Plot/);
    for (const url of ['/dashboard/charts/plot-svg.js', '/dashboard/nothing.js', '/dashboard/vendor/jsdom.js']) {
      const r = await world.app.inject(url);
      expect([r.statusCode, r.json().code], url).toEqual([404, 'ANVIL_ERR_ROUTE_NOT_FOUND']);
    }
    // A path that climbs out of the folder is refused by the parameter's pattern before any file is read.
    const climb = await world.app.inject('/dashboard/..%2Fpackage.json');
    expect([climb.statusCode, climb.json().code]).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
  });

  it('the chart modules the page imports reach no jsdom (they run in a browser)', () => {
    const charts = join(packageRoot(), 'dist', 'reports', 'charts');
    const seen = new Set<string>();
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        expect(spec, `${file} imports ${spec}`).not.toMatch(/jsdom|node:/);
        if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
        else expect(spec, `${file} imports ${spec}, which the page's import map does not map`).toBe('@observablehq/plot');
      }
    };
    for (const m of BROWSER_CHART_MODULES) walk(join(charts, m));
    expect(seen.size).toBe(BROWSER_CHART_MODULES.length);
  });
});

describe('allocation as JSON', () => {
  it("each node's pods, VFs and reserved IOPS agree with the running pods the API serves", async () => {
    world = await seededWorld();
    const usage = (await world.call('admin', 'GET', `${V1}/usage/nodes`)).json() as NodeUsage[];
    const pods = (await world.call('admin', 'GET', `${V1}/pods`)).json() as Pod[];
    expect(usage.map((u) => u.node)).toEqual(['node1', 'node2', 'node3']);
    const running = pods.filter((p) => p.status.state === 'running');
    expect(running.length).toBeGreaterThan(0);
    for (const u of usage) {
      const here = running.filter((p) => p.status.node === u.node);
      expect(u.pods.used, u.node).toBe(here.length);
      expect(u.vfs.used, u.node).toBe(here.reduce((n, p) => n + p.status.endpoints!.length, 0));
      expect(u.vfs.used).toBeLessThanOrEqual(u.vfs.total);
      // No volume of these pods has a plex elsewhere taking IOPS on this node (the seeded pods attach none).
      expect(u.iops.reserved, u.node).toBe(here.reduce((n, p) => n + (p.status.admitted_iops ?? p.status.reserved_iops!), 0));
      expect(u.iops.guaranteeable).toBeGreaterThan(0);
    }
  });

  it("a network's addresses taken are its pods' bound addresses and its persistent endpoints", async () => {
    world = await seededWorld();
    const pools = (await world.call('tuser', 'GET', `${V1}/usage/networks`)).json() as { network: string; used: number; size: number }[];
    const pods = (await world.call('admin', 'GET', `${V1}/pods`)).json() as Pod[];
    const bound = pods.flatMap((p) => (p.status.endpoints ?? []).filter((e) => e.network === 'net1').map((e) => e.ip));
    expect(bound.length).toBeGreaterThan(0);
    // a/ea: one persistent endpoint, bound to no pod, holds its address too.
    expect(pools.find((p) => p.network === 'net1')).toEqual({
      network: 'net1',
      subnet: '10.1.0.0/24',
      used: new Set(bound).size + 1,
      size: 191,
    });
    expect(pools.find((p) => p.network === 'netx')).toEqual({ network: 'netx', subnet: '10.9.0.0/24', used: 0, size: 11 });
  });

  it("pages like every list, and a tenant user, who may not view nodes, is refused the nodes' allocation", async () => {
    world = await seededWorld();
    const page = (await world.call('viewer', 'GET', `${V1}/usage/nodes?limit=2`)).json() as {
      items: NodeUsage[];
      metadata: { continue: string };
    };
    expect(page.items.map((u) => u.node)).toEqual(['node1', 'node2']);
    const rest = (await world.call('viewer', 'GET', `${V1}/usage/nodes?continue=${encodeURIComponent(page.metadata.continue)}`)).json();
    expect(rest.items.map((u: NodeUsage) => u.node)).toEqual(['node3']);
    const refused = await world.call('tuser', 'GET', `${V1}/usage/nodes`);
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
  });

  it("the snapshots of every namespace: a tenant sees its own, never another tenant's", async () => {
    world = await seededWorld();
    const names = async (role: 'admin' | 'tuser' | 'tother') =>
      ((await world!.call(role, 'GET', `${V1}/snapshots`)).json() as { namespace: string; name: string }[]).map(
        (s) => `${s.namespace}/${s.name}`,
      );
    expect(await names('admin')).toEqual(['a/sa']);
    expect(await names('tuser')).toEqual(['a/sa']);
    expect(await names('tother')).toEqual([]);
  });
});
