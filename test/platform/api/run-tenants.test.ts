/**
 * Issue 18, runs for tenant users: POST /runs records who started a run and the tenant it was started
 * under (in the run's folder, so the record outlives the server); a tenant's user lists and opens only the
 * runs of its tenant, and another tenant's run answers exactly as a run that does not exist (permission
 * before existence). Starting under a tenant takes container edit there; the cluster's own run, cluster edit.
 * The live run is bounded by its scenario (2 s simulated), never by wall time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../cli-harness.js';
import { RUN_OWNER_FILE } from '../../../platform/api/run-access.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { seededWorld, type World } from './api-harness.js';
import { LIVE_SCENARIO, liveRunOptions } from './live-run-harness.js';
import { ownedRunsFolder } from './run-fixture.js';

const V1 = '/apis/anvil.dev/v1';
/** Every route of one run. */
const RUN_ROUTES = ['intervals', 'verdicts', 'latency-cdf', 'nodes', 'events'] as const;
let world: World | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

const ids = (list: { runs: { id: string }[] }) => list.runs.map((r) => r.id).sort();

describe("a tenant's runs", () => {
  it("a tenant's user lists and opens only its tenant's runs; another tenant's run answers as a missing one", async () => {
    world = await seededWorld(':memory:', undefined, undefined, { runsDir: ownedRunsFolder() });
    const w = world;
    expect(ids((await w.call('admin', 'GET', `${V1}/runs`)).json())).toEqual(['a-run', 'b-run', 'cluster-run']);
    expect(ids((await w.call('tuser', 'GET', `${V1}/runs`)).json())).toEqual(['a-run']);
    expect(ids((await w.call('tadmin', 'GET', `${V1}/runs`)).json())).toEqual(['a-run']);
    expect(ids((await w.call('tother', 'GET', `${V1}/runs`)).json())).toEqual(['b-run']);
    // A token with no container view in any tenant is refused the list, as before.
    w.api.store.change(localAdmin('admin'), 'test', 'test', (cp) => cp.createUser('netonly', ['network-view']));
    const netonly = w.api.tokens.issue('netonly', 'test', 'admin').token;
    const none = await w.app.inject({ url: `${V1}/runs`, headers: { authorization: `Bearer ${netonly}` } });
    expect([none.statusCode, none.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
    for (const route of RUN_ROUTES) {
      const own = await w.call('tuser', 'GET', `${V1}/runs/a-run/${route}`);
      expect(own.statusCode, `${route}: ${own.body}`).toBe(200);
      const missing = await w.call('tuser', 'GET', `${V1}/runs/ghost/${route}`);
      expect([missing.statusCode, missing.json().code], route).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
      for (const id of ['b-run', 'cluster-run']) {
        const other = await w.call('tuser', 'GET', `${V1}/runs/${id}/${route}`);
        expect([other.statusCode, other.body], `${route} ${id}`).toEqual([missing.statusCode, missing.body]);
      }
    }
  });

  it('POST /runs under a tenant records who started it and the tenant; only that tenant (and the cluster) sees it', async () => {
    const runsDir = tempDir('anvil-live-tenant-');
    world = await seededWorld(':memory:', undefined, undefined, { runsDir, liveRuns: liveRunOptions() });
    const w = world;
    // Container edit in the tenant: a's user may start under a, not under b, nor the cluster's own run.
    const refusals = [
      await w.call('tuser', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO, tenant: 'b' }),
      await w.call('tuser', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO }),
      await w.call('viewer', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO, tenant: 'a' }),
    ];
    for (const r of refusals) expect([r.statusCode, r.json().code], r.body).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
    const started = await w.call('tuser', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO, name: 'mine', tenant: 'a' });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ id: 'mine', started_by: 'tuser', tenant: 'a' });
    expect(JSON.parse(readFileSync(join(runsDir, 'mine', RUN_OWNER_FILE), 'utf8'))).toEqual({ started_by: 'tuser', tenant: 'a' });
    // Followed to its end by its own tenant's user.
    const events = await w.call('tuser', 'GET', `${V1}/runs/mine/events`);
    expect(events.statusCode, events.body).toBe(200);
    expect(events.body).toMatch(/event: done/);
    const own = (await w.call('tuser', 'GET', `${V1}/runs`)).json();
    expect([ids(own), own.live.map((r: { id: string; tenant: string }) => [r.id, r.tenant])]).toEqual([['mine'], [['mine', 'a']]]);
    const admin = (await w.call('admin', 'GET', `${V1}/runs`)).json();
    expect(admin.live.map((r: { id: string; started_by: string }) => [r.id, r.started_by])).toEqual([['mine', 'tuser']]);
    // Tenant b sees nothing of it: not listed, and its routes answer as for no run.
    const other = (await w.call('tother', 'GET', `${V1}/runs`)).json();
    expect([other.runs, other.live]).toEqual([[], []]);
    for (const route of RUN_ROUTES) {
      const theirs = await w.call('tother', 'GET', `${V1}/runs/mine/${route}`);
      const missing = await w.call('tother', 'GET', `${V1}/runs/ghost/${route}`);
      expect([theirs.statusCode, theirs.body], route).toEqual([missing.statusCode, missing.body]);
      expect(theirs.statusCode).toBe(403);
    }
  });
});
