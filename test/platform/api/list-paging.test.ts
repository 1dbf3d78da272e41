/**
 * Lists page as Kubernetes lists do (issue 19): ?limit answers a page with metadata.continue and
 * remainingItemCount, ?continue the next page of the same snapshot, so a list that changes between
 * requests neither skips nor repeats an object; an expired token is 410 ANVIL_ERR_CONTINUE_EXPIRED; a
 * token serves its own user and route only; `anvil get` against a server reads every page.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServe, stopServe } from '../../../bench/perf/serve-child.js';
import { SNAPSHOT_TTL_MS } from '../../../platform/api/paging.js';
import { buildServer, bootstrapAdmin } from '../../../platform/api/server.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { anvilInProcess, tempDir } from '../../cli-harness.js';

interface Page {
  items: { name: string }[];
  metadata: { continue: string; remainingItemCount: number };
}

/** A server on a clock the test moves, with `nodes` nodes and the users admin and tuser (tenant-user of a). */
async function pagedWorld(nodes: number) {
  let now = Date.UTC(2026, 0, 1);
  const { app, api } = await buildServer({ statePath: ':memory:', clock: () => new Date(now) });
  const admin = bootstrapAdmin(api)!;
  api.store.change(localAdmin('admin'), 'seed', 'seed', (cp) => {
    cp.createCluster({ name: 'c1', nodes });
    cp.createTenant('a');
    cp.createUser('tuser', ['tenant-user/a']);
    cp.createUser('viewer', ['viewer']);
  });
  const tokens = {
    admin,
    tuser: api.tokens.issue('tuser', 'test', 'admin').token,
    viewer: api.tokens.issue('viewer', 'test', 'admin').token,
  };
  const get = (url: string, who: keyof typeof tokens = 'admin') =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[who]}` } });
  const change = (fn: Parameters<typeof api.store.change>[3]) => api.store.change(localAdmin('admin'), 'test', 'test', fn);
  return { app, api, get, change, advance: (ms: number) => (now += ms) };
}

describe('list paging', () => {
  it('pages of one snapshot: nodes added and removed between pages neither skip nor repeat one, the last page says so', async () => {
    const w = await pagedWorld(23);
    const wholeAnswer = await w.get('/apis/anvil.dev/v1/nodes');
    expect(wholeAnswer.headers['content-type']).toBe('application/json; charset=utf-8');
    const whole = wholeAnswer.json() as { name: string }[];
    expect(whole).toHaveLength(23);
    const seen: string[] = [];
    let url = '/apis/anvil.dev/v1/nodes?limit=5';
    let pages = 0;
    for (;;) {
      const r = await w.get(url);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      const page = r.json() as Page;
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((n) => n.name));
      expect(page.metadata.remainingItemCount).toBe(23 - seen.length);
      pages++;
      if (page.metadata.continue === '') break;
      // Between pages the list changes: a node added (named to sort first and last) and one not yet listed removed.
      w.change((cp) => {
        cp.addNode({ name: `aaa${pages}` });
        cp.addNode({ name: `zzz${pages}` });
      });
      const notYet = whole.map((n) => n.name).find((n) => !seen.includes(n) && n !== 'node23');
      if (notYet !== undefined) w.change((cp) => cp.removeNode(notYet));
      url = `/apis/anvil.dev/v1/nodes?limit=5&continue=${encodeURIComponent(page.metadata.continue)}`;
    }
    expect(pages).toBe(5);
    expect(seen).toEqual(whole.map((n) => n.name));
    // A new listing sees the changes.
    const now = (await w.get('/apis/anvil.dev/v1/nodes')).json() as { name: string }[];
    expect(now.map((n) => n.name)).toContain('aaa1');
    expect(now).toHaveLength(23 + 2 * 4 - 4);
    await w.app.close();
  });

  it('an expired token is 410 with a fresh-list hint; a token that is not one, or of another user or route, is a coded 400', async () => {
    const w = await pagedWorld(6);
    const first = (await w.get('/apis/anvil.dev/v1/nodes?limit=2')).json() as Page;
    const next = `continue=${encodeURIComponent(first.metadata.continue)}`;
    expect((await w.get(`/apis/anvil.dev/v1/nodes?${next}`, 'viewer')).json()).toMatchObject({ code: 'ANVIL_ERR_FIELD_INVALID' });
    expect((await w.get(`/apis/anvil.dev/v1/namespaces?${next}`)).json()).toMatchObject({ code: 'ANVIL_ERR_FIELD_INVALID' });
    const garbage = await w.get('/apis/anvil.dev/v1/nodes?continue=not-a-token');
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().message).toMatch(/continue/);
    expect((await w.get('/apis/anvil.dev/v1/nodes?limit=0')).statusCode).toBe(400);
    // Within its time the token serves, with another limit too.
    expect(((await w.get(`/apis/anvil.dev/v1/nodes?limit=3&${next}`)).json() as Page).items.map((n) => n.name)).toEqual([
      'node3',
      'node4',
      'node5',
    ]);
    w.advance(SNAPSHOT_TTL_MS + 1);
    const expired = await w.get(`/apis/anvil.dev/v1/nodes?${next}`);
    expect(expired.statusCode).toBe(410);
    expect(expired.json().code).toBe('ANVIL_ERR_CONTINUE_EXPIRED');
    expect(expired.json().message).toMatch(/list \/apis\/anvil\.dev\/v1\/nodes again without continue/);
    await w.app.close();
  });

  it('checks permission on every page: a role taken away between pages refuses the next one', async () => {
    const w = await pagedWorld(3);
    w.change((cp) => {
      for (let i = 0; i < 5; i++) cp.createVolume({ namespace: 'a', name: `v${i}`, size_bytes: 1e9 });
    });
    const first = await w.get('/apis/anvil.dev/v1/namespaces/a/volumes?limit=2', 'tuser');
    expect(first.statusCode).toBe(200);
    const token = (first.json() as Page).metadata.continue;
    w.change((cp) => cp.setUserRoles('tuser', ['tenant-user/b']));
    const next = await w.get(`/apis/anvil.dev/v1/namespaces/a/volumes?continue=${encodeURIComponent(token)}`, 'tuser');
    expect(next.statusCode).toBe(403);
    await w.app.close();
  });

  it('anvil get against a server reads every page of 500', async () => {
    const dir = tempDir('anvil-paging-');
    const server = await startServe(['--state', join(dir, 'state.db'), '--rate-limit', '0']);
    try {
      const auth = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
      expect(
        (
          await fetch(`${server.url}/apis/anvil.dev/v1/cluster`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ name: 'c', nodes: 1201 }),
          })
        ).status,
      ).toBe(201);
      const r = await anvilInProcess(['get', 'nodes', '-o', 'json', '--server', server.url, '--token', server.token!], {});
      expect(r.code, r.stderr).toBe(0);
      const names = (JSON.parse(r.stdout) as { name: string }[]).map((n) => n.name);
      expect(names).toHaveLength(1201);
      expect(new Set(names).size).toBe(1201);
      const metrics = await (await fetch(`${server.url}/metrics`, { headers: auth })).text();
      const listed = /anvil_http_requests_total\{method="GET",route="\/apis\/anvil\.dev\/v1\/nodes",status="200"\} (\d+)/.exec(
        metrics,
      )?.[1];
      expect(Number(listed)).toBe(3);
    } finally {
      await stopServe(server);
    }
  });
});
