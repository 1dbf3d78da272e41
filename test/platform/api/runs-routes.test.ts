/**
 * Issue 18, the Runs page's data: GET /runs lists the results folders of `anvil serve --runs DIR` (a folder
 * without summary.json is not a run), GET /runs/ID/intervals gives each pod's IOPS and latency percentiles
 * per interval as the run's intervals.arrow holds them; the cluster's view only; coded errors for a
 * missing run, a damaged table, an id that is not a folder name, a server without a runs folder.
 */
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, bootstrapAdmin } from '../../../platform/api/server.js';
import { anvilInProcess, tempDir } from '../../cli-harness.js';
import { seededWorld, type World } from './api-harness.js';
import {
  FIXTURE_FINISHED_B_MS,
  FIXTURE_FINISHED_MS,
  FIXTURE_ROWS,
  FIXTURE_RUN,
  FIXTURE_RUN_B,
  FIXTURE_VERDICT_TOTALS,
  fixtureRunsFolder,
} from './run-fixture.js';

const V1 = '/apis/anvil.dev/v1';
let world: World | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

describe('the runs of the runs folder', () => {
  it('lists each results folder with its target, scenario, stack, seed, simulated seconds and SLA verdict', async () => {
    world = await seededWorld();
    const r = await world.call('viewer', 'GET', `${V1}/runs`);
    expect(r.statusCode, r.body).toBe(200);
    const common = { target: 'sim', scenario: 'two pods', stack: 'hci', seed: 7, duration_s: 3, pods: 2 };
    expect(r.json()).toEqual({
      folder: fixtureRunsFolder(),
      runs: [
        // The newest first; only run b's folder holds a verdicts.json (anvil check --out), with one check failed.
        {
          id: FIXTURE_RUN_B,
          ...common,
          finished_at: new Date(FIXTURE_FINISHED_B_MS).toISOString(),
          verdict: { status: 'fail', ...FIXTURE_VERDICT_TOTALS },
        },
        {
          id: FIXTURE_RUN,
          target: 'sim',
          scenario: 'two pods',
          stack: 'hci',
          seed: 7,
          duration_s: 3,
          pods: 2,
          finished_at: new Date(FIXTURE_FINISHED_MS).toISOString(),
        },
      ],
      // This server started no run (POST /runs).
      live: [],
    });
  });

  it("gives each pod's IOPS and p50/p99 per interval and direction as the table holds them, in us and s", async () => {
    world = await seededWorld();
    const rows = (await world.call('admin', 'GET', `${V1}/runs/${FIXTURE_RUN}/intervals`)).json();
    expect(rows).toEqual(
      FIXTURE_ROWS.map((r) => ({
        time_s: r.time_ns / 1e9,
        pod: r.pod,
        direction: r.direction,
        iops: r.iops,
        clat_p50_us: r.clat_p50_ns / 1e3,
        clat_p99_us: r.clat_p99_ns / 1e3,
      })),
    );
  });

  it("is the cluster view: a tenant admin lists none of the folder's runs (none was started under its tenant) and may open none", async () => {
    world = await seededWorld();
    const list = await world.call('tadmin', 'GET', `${V1}/runs`);
    expect([list.statusCode, list.json().runs, list.json().live]).toEqual([200, [], []]);
    const r = await world.call('tadmin', 'GET', `${V1}/runs/${FIXTURE_RUN}/intervals`);
    expect([r.statusCode, r.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
  });

  it('answers a missing run, a folder that is not a run and an id that is not a folder name with coded errors', async () => {
    world = await seededWorld();
    for (const id of ['ghost', 'not-a-run']) {
      const r = await world.call('admin', 'GET', `${V1}/runs/${id}/intervals`);
      expect([r.statusCode, r.json().code], id).toEqual([404, 'ANVIL_ERR_OBJECT_NOT_FOUND']);
      expect(r.json().message).toContain('list them with GET /apis/anvil.dev/v1/runs');
    }
    const climb = await world.call('admin', 'GET', `${V1}/runs/..%2F..%2Fetc/intervals`);
    expect([climb.statusCode, climb.json().code]).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
  });

  it('a damaged intervals table is ANVIL_ERR_RUN_UNREADABLE naming the run, and no runs folder lists none', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'anvil-runs-damaged-'));
    cpSync(join(fixtureRunsFolder(), FIXTURE_RUN), join(folder, 'broken'), { recursive: true });
    writeFileSync(join(folder, 'broken', 'intervals.arrow'), 'not arrow');
    const damaged = await buildServer({ statePath: ':memory:', runsDir: folder });
    const token = bootstrapAdmin(damaged.api)!;
    const r = await damaged.app.inject({ url: `${V1}/runs/broken/intervals`, headers: { authorization: `Bearer ${token}` } });
    expect([r.statusCode, r.json().code]).toEqual([422, 'ANVIL_ERR_RUN_UNREADABLE']);
    expect(r.json().message).toMatch(/^run broken: intervals\.arrow cannot be read/);
    await damaged.app.close();

    const none = await buildServer({ statePath: ':memory:' });
    const noneToken = bootstrapAdmin(none.api)!;
    const list = await none.app.inject({ url: `${V1}/runs`, headers: { authorization: `Bearer ${noneToken}` } });
    expect(list.json()).toEqual({ folder: null, runs: [], live: [] });
    const one = await none.app.inject({ url: `${V1}/runs/x/intervals`, headers: { authorization: `Bearer ${noneToken}` } });
    expect([one.statusCode, one.json().code]).toEqual([404, 'ANVIL_ERR_OBJECT_NOT_FOUND']);
    expect(one.json().message).toContain('start anvil serve with --runs DIR');
    await none.app.close();
  });

  it('anvil serve --runs with no such folder stops before it opens the state, with a coded error', async () => {
    const state = join(tempDir(), 'state.db');
    const r = await anvilInProcess(['serve', '--runs', '/nonexistent/runs', '--state', state, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ANVIL_ERR_FILE_NOT_FOUND: --runs \/nonexistent\/runs: no such folder; give the folder/);
    expect(existsSync(state)).toBe(false);
  });
});
