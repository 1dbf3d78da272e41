/**
 * Issue 18, the Reports page's data and the run list's verdicts: GET /reports lists the TCO and comparison
 * reports under the reports folder (--reports, else --runs) with their titles, newest first; GET
 * /reports/file serves one from that folder only, under a policy that runs no script, and refuses `..`,
 * absolute paths, links out and files that are not a served kind with ANVIL_ERR_PATH_OUTSIDE; the cluster's
 * view only; a run folder's verdicts.json gives the run list its verdict (pass, fail, skipped).
 */
import { cpSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, bootstrapAdmin } from '../../../platform/api/server.js';
import { verdictOf } from '../../../platform/api/run-folders.js';
import { anvilInProcess, tempDir } from '../../cli-harness.js';
import { seededWorld, type World } from './api-harness.js';
import { FIXTURE_OUTSIDE_LINK, FIXTURE_REPORTS, FIXTURE_ROWS, FIXTURE_RUN, fixtureRunsFolder } from './run-fixture.js';

const V1 = '/apis/anvil.dev/v1';
const fileUrl = (path: string) => `${V1}/reports/file?path=${encodeURIComponent(path)}`;
let world: World | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

describe('the reports of the reports folder', () => {
  it('lists the TCO report and the comparison page with their kind and title, and nothing that is not a report', async () => {
    // The TCO report written later than the comparison page: it comes first.
    const folder = fixtureRunsFolder();
    utimesSync(join(folder, FIXTURE_REPORTS.compare.path), new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 0, 1)));
    utimesSync(join(folder, FIXTURE_REPORTS.tco.path), new Date(Date.UTC(2026, 0, 2)), new Date(Date.UTC(2026, 0, 2)));
    world = await seededWorld();
    const r = await world.call('viewer', 'GET', `${V1}/reports`);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.folder).toBe(folder);
    expect(
      body.reports.map((x: { path: string; kind: string; title: string; modified_at: string }) => [x.path, x.kind, x.title, x.modified_at]),
    ).toEqual([
      [FIXTURE_REPORTS.tco.path, 'tco', FIXTURE_REPORTS.tco.title, '2026-01-02T00:00:00.000Z'],
      [FIXTURE_REPORTS.compare.path, 'compare', FIXTURE_REPORTS.compare.title, '2026-01-01T00:00:00.000Z'],
    ]);
  });

  it('serves a report as it is on disk, as HTML that may run no script nor load anything', async () => {
    world = await seededWorld();
    const r = await world.call('viewer', 'GET', fileUrl(FIXTURE_REPORTS.tco.path));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain(`<h1>${FIXTURE_REPORTS.tco.body}</h1>`);
    const policy = String(r.headers['content-security-policy']);
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).toMatch(/\bsandbox\b/);
    expect(policy).not.toMatch(/script-src/);
  });

  it('refuses a path out of the folder (.., absolute, a link out) or a file it does not serve with ANVIL_ERR_PATH_OUTSIDE', async () => {
    world = await seededWorld();
    const cases: [string, RegExp][] = [
      ['../../etc/passwd.html', /may not climb out of the reports folder with \.\./],
      [`${FIXTURE_REPORTS.tco.path}/../../../../x.html`, /may not climb out/],
      ['..\\secret.html', /may not climb out/],
      ['/etc/hostname.html', /an absolute path is not served/],
      [FIXTURE_OUTSIDE_LINK, /it links out of the reports folder/],
      ['notes.txt', /only \.html, \.svg, .* files are served/],
    ];
    for (const [path, message] of cases) {
      const r = await world.call('admin', 'GET', fileUrl(path));
      expect([r.statusCode, r.json().code], path).toEqual([400, 'ANVIL_ERR_PATH_OUTSIDE']);
      expect(r.json().message, path).toMatch(message);
      expect(r.json().message, path).toContain('give a path from GET /apis/anvil.dev/v1/reports');
    }
    const missing = await world.call('admin', 'GET', fileUrl('nowhere/tco.html'));
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'ANVIL_ERR_OBJECT_NOT_FOUND']);
  });

  it("is the cluster's view: a tenant admin is refused before the path is looked at", async () => {
    world = await seededWorld();
    for (const url of [`${V1}/reports`, fileUrl(FIXTURE_REPORTS.tco.path), fileUrl('../../etc/passwd.html'), fileUrl('nowhere/tco.html')]) {
      const r = await world.call('tadmin', 'GET', url);
      expect([r.statusCode, r.json().code], url).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
    }
  });

  it('--reports names its own folder; without one a server lists none and says how to give one', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'anvil-reports-'));
    mkdirSync(join(folder, 'q3'));
    writeFileSync(join(folder, 'q3', 'tco-summary.html'), '<title>Q3 summary</title>');
    const own = await buildServer({ statePath: ':memory:', runsDir: fixtureRunsFolder(), reportsDir: folder });
    const token = bootstrapAdmin(own.api)!;
    const list = await own.app.inject({ url: `${V1}/reports`, headers: { authorization: `Bearer ${token}` } });
    expect(list.json().reports.map((r: { path: string; kind: string }) => [r.path, r.kind])).toEqual([
      ['q3/tco-summary.html', 'tco-summary'],
    ]);
    await own.app.close();

    const none = await buildServer({ statePath: ':memory:' });
    const noneToken = bootstrapAdmin(none.api)!;
    const empty = await none.app.inject({ url: `${V1}/reports`, headers: { authorization: `Bearer ${noneToken}` } });
    expect(empty.json()).toEqual({ folder: null, reports: [] });
    const file = await none.app.inject({ url: fileUrl('tco.html'), headers: { authorization: `Bearer ${noneToken}` } });
    expect([file.statusCode, file.json().code]).toEqual([404, 'ANVIL_ERR_OBJECT_NOT_FOUND']);
    expect(file.json().message).toContain('start anvil serve with --reports DIR');
    await none.app.close();
  });

  it('anvil serve --reports with no such folder stops before it opens the state, with a coded error', async () => {
    const state = join(tempDir(), 'state.db');
    const r = await anvilInProcess(['serve', '--reports', '/nonexistent/reports', '--state', state, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ANVIL_ERR_FILE_NOT_FOUND: --reports \/nonexistent\/reports: no such folder/);
  });
});

describe("a run folder's SLA verdict", () => {
  const withTotals = (totals: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-verdict-'));
    writeFileSync(join(dir, 'verdicts.json'), JSON.stringify({ totals }));
    return dir;
  };
  it('is fail when a check failed, pass when one held and none failed, skipped when none was judged', () => {
    expect(verdictOf(withTotals({ checks: 4, passed: 3, failed: 1, skipped: 0 }))?.status).toBe('fail');
    expect(verdictOf(withTotals({ checks: 4, passed: 3, failed: 0, skipped: 1 }))?.status).toBe('pass');
    expect(verdictOf(withTotals({ checks: 2, passed: 0, failed: 0, skipped: 2 }))?.status).toBe('skipped');
  });
  it('is absent without a verdicts.json, or with one that is not JSON or lacks its totals', () => {
    expect(verdictOf(mkdtempSync(join(tmpdir(), 'anvil-verdict-')))).toBeUndefined();
    expect(verdictOf(withTotals({ checks: 1, passed: 'one' }))).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'anvil-verdict-'));
    writeFileSync(join(dir, 'verdicts.json'), '{ not json');
    expect(verdictOf(dir)).toBeUndefined();
  });

  it("lists a check folder's runs (anvil check --out: CHECK/SCENARIO/STACK/seed-N), each with its own verdict, and opens them", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'anvil-runs-check-'));
    for (const seed of [101, 102])
      cpSync(join(fixtureRunsFolder(), FIXTURE_RUN), join(folder, 'nightly', 'noisy', 'hci', `seed-${seed}`), { recursive: true });
    const run = (seed: number, statuses: string[]) => ({
      scenario: 'noisy',
      file: 'bench/scenarios/qos/noisy.yaml',
      stack: 'hci',
      seed,
      target: 'sim',
      verdicts: statuses.map((status) => ({ status })),
    });
    writeFileSync(
      join(folder, 'nightly', 'verdicts.json'),
      JSON.stringify({
        totals: { checks: 2, passed: 1, failed: 1, skipped: 0 },
        runs: [run(101, ['pass', 'pass']), run(102, ['pass', 'fail'])],
      }),
    );
    const server = await buildServer({ statePath: ':memory:', runsDir: folder });
    const token = bootstrapAdmin(server.api)!;
    const get = (url: string) => server.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    const list = (await get(`${V1}/runs`)).json();
    expect(list.runs.map((r: { id: string; verdict: unknown }) => [r.id, r.verdict])).toEqual([
      ['nightly/noisy/hci/seed-101', { status: 'pass', checks: 2, passed: 2, failed: 0, skipped: 0 }],
      ['nightly/noisy/hci/seed-102', { status: 'fail', checks: 2, passed: 1, failed: 1, skipped: 0 }],
    ]);
    const intervals = await get(`${V1}/runs/${encodeURIComponent('nightly/noisy/hci/seed-102')}/intervals`);
    expect(intervals.statusCode, intervals.body).toBe(200);
    expect(intervals.json()).toHaveLength(FIXTURE_ROWS.length);
    // A part of the id that is . or .. is no folder name: refused before any file is looked at.
    for (const id of ['nightly/../..', 'nightly/./noisy', 'nightly//hci']) {
      const r = await get(`${V1}/runs/${encodeURIComponent(id)}/intervals`);
      expect([r.statusCode, r.json().code], id).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
    }
    await server.app.close();
  });
});
