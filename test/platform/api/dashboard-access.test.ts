/**
 * Issue 18, the dashboard's nav through inject(): /whoami says what the caller may view and edit, and the
 * page's rules (access.js) link a page exactly when the API answers its listing: Runs and Compare when GET
 * /runs answers (run-access.ts: the cluster's view, or container view cluster-wide or in a tenant), Reports
 * when GET /reports does. A tenant's container viewer (no edit) lists and opens its tenant's runs but may
 * not start one; a token with no container role is refused the runs and offered no link to them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the page's plain ES modules carry no types
import { mayListReports, mayListRuns, mayOperate } from '../../../platform/dashboard/web/access.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { seededWorld, type World } from './api-harness.js';
import { ownedRunsFolder } from './run-fixture.js';

const V1 = '/apis/anvil.dev/v1';
/** Users by their roles: the seeded world's bundles, and single roles on either side of each rule. */
const USERS: Record<string, string[]> = {
  admin: ['cluster-admin'],
  viewer: ['viewer'],
  tuser: ['tenant-user/a'],
  tadmin: ['tenant-admin/a'],
  clusterview: ['cluster-view'],
  bcontainers: ['container-view/b'],
  allcontainers: ['container-view'],
  bvolumes: ['volume-view/b', 'event-view/b'],
  bvolumeedit: ['volume-edit/b'],
  netonly: ['network-view'],
};

let w: World;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  w = await seededWorld(':memory:', undefined, undefined, { runsDir: ownedRunsFolder() });
  w.api.store.change(localAdmin('admin'), 'test', 'test', (cp) => {
    for (const [user, roles] of Object.entries(USERS))
      if (!['admin', 'viewer', 'tuser', 'tadmin'].includes(user)) cp.createUser(user, roles);
  });
  for (const user of Object.keys(USERS)) tokens[user] = w.api.tokens.issue(user, 'test', 'admin').token;
});
afterAll(async () => {
  await w.app.close();
});

const call = (user: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  w.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload ? { payload } : {}) });

describe("the dashboard's links follow the API's permissions", () => {
  it('links Runs and Compare exactly when GET /runs answers, Reports exactly when GET /reports does', async () => {
    const seen: Record<string, unknown> = {};
    for (const user of Object.keys(USERS)) {
      const me = (await call(user, 'GET', `${V1}/whoami`)).json();
      const runs = await call(user, 'GET', `${V1}/runs`);
      const reports = await call(user, 'GET', `${V1}/reports`);
      expect([runs.statusCode === 200, runs.statusCode], `${user}: ${runs.body}`).toEqual([mayListRuns(me), mayListRuns(me) ? 200 : 403]);
      expect(reports.statusCode === 200, `${user}: ${reports.body}`).toBe(mayListReports(me));
      seen[user] = [mayListRuns(me), mayListReports(me), mayOperate(me)];
    }
    // Both sides of each rule are held: the verdicts, user by user (runs, reports, operate).
    expect(seen).toEqual({
      admin: [true, true, true],
      viewer: [true, true, false],
      tuser: [true, false, true],
      tadmin: [true, false, true],
      clusterview: [true, true, false],
      bcontainers: [true, false, false],
      allcontainers: [true, false, false],
      bvolumes: [false, false, false],
      bvolumeedit: [false, false, true],
      netonly: [false, false, false],
    });
  });

  it("a tenant's container viewer lists and opens its tenant's runs, and is refused a start", async () => {
    const me = (await call('bcontainers', 'GET', `${V1}/whoami`)).json();
    expect(me).toMatchObject({ cluster_views: [], namespace_views: { b: ['container'] }, namespace_edits: { b: [] } });
    const list = (await call('bcontainers', 'GET', `${V1}/runs`)).json();
    expect(list.runs.map((r: { id: string }) => r.id)).toEqual(['b-run']);
    expect((await call('bcontainers', 'GET', `${V1}/runs/b-run/intervals`)).statusCode).toBe(200);
    expect((await call('bcontainers', 'GET', `${V1}/runs/a-run/intervals`)).statusCode).toBe(403);
    const start = await call('bcontainers', 'POST', `${V1}/runs`, { scenario: 'two-pods', tenant: 'b' });
    expect([start.statusCode, start.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
  });
});
