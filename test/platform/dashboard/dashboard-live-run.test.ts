/**
 * Issue 18: a run started from the dashboard in headless Chromium. An admin starts the two-pods scenario
 * (2 s simulated, test/platform/api/live-scenarios) from the Runs page's form, lands on the run's page, which
 * draws its progress and charts from the run's event stream; a reload in the middle takes the stream up
 * again; the page becomes the finished run's page with its SLA verdict and every interval in its table (no
 * gap, no duplicate: the API's intervals, row for row). A viewer (who may not start runs) is offered no
 * form, and the API refuses its start. And a running pod's page (from the pods list) says why it runs there: the
 * decision the scheduler recorded when it placed the pod (each node's verdict and score parts), the API's, row for row. No console error, no request to another origin. The run is bounded by its simulated time,
 * never by wall time. Screenshots under $ANVIL_TEST_ARTEFACTS/dashboard.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTEFACTS, chromium, launchBrowser, logIn, openPage } from './browser-harness.js';
import { describeNeeds } from '../../needs.js';
import { tempDir } from '../../cli-harness.js';
import { seededWorld, type World } from '../api/api-harness.js';
import { LIVE_SCENARIO, LIVE_SCENARIO_FACTS, liveRunOptions, parseSse } from '../api/live-run-harness.js';

const V1 = '/apis/anvil.dev/v1';
/** The rows of the run page's table of each interval's figures. */
const intervalRows = (page: Page) =>
  page
    .locator('main table', { has: page.locator('caption', { hasText: "Each interval's IOPS and completion latency" }) })
    .locator('tbody tr');

let world: World;
let origin: string;
let browser: Browser;

/** How many events run `id`'s stream has, whole (the run has ended). */
async function eventCount(id: string): Promise<number> {
  const r = await world.app.inject({
    method: 'GET',
    url: `${V1}/runs/${id}/events`,
    headers: { authorization: `Bearer ${world.tokens.admin}` },
  });
  return parseSse(r.body).length;
}

/** The page's note on the stream it followed: every event received once and in order. */
async function expectFollowedWhole(page: Page, id: string): Promise<void> {
  const followed = page.locator('#run-followed');
  expect(await followed.getAttribute('data-gaps')).toBe('0');
  expect(Number(await followed.getAttribute('data-events'))).toBe(await eventCount(id));
}

describeNeeds('headless Chromium', chromium !== undefined)('a run started from the dashboard', () => {
  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    world = await seededWorld(':memory:', undefined, undefined, { runsDir: tempDir('anvil-live-dash-'), liveRuns: liveRunOptions() });
    origin = (await world.app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.app.close();
  });

  it('an admin starts a run, watches it live through a reload, and finds the finished run with its verdict', async () => {
    const { page, problems } = await openPage(browser, origin);
    await logIn(page, origin, world.tokens.admin, 'runs', 'Runs');
    expect(await page.locator('#run-scenario option').allTextContents()).toEqual([LIVE_SCENARIO]);
    // Nothing started yet: no table of started runs, and nothing but the page's own words.
    expect(await page.locator('main').textContent()).not.toContain('null');
    await page.screenshot({ path: join(ARTEFACTS, 'runs-start-form.png'), fullPage: true });
    await page.click('form.start-run button[type=submit]');
    await page.waitForURL(/#\/runs\/two-pods-\d{8}-\d{6}$/);
    const id = decodeURIComponent(page.url().split('#/runs/')[1]!);
    await page.waitForSelector(`main h1:text-is("Run ${id}")`);
    // While it runs or once it has ended (a reload in between takes the stream up again from the start).
    await page.reload();
    await page.waitForSelector(`main h1:text-is("Run ${id}")`);
    await page.screenshot({ path: join(ARTEFACTS, 'run-live.png'), fullPage: true });
    // Ended: the page is the finished run's, at the same URL, with its verdict.
    const f = LIVE_SCENARIO_FACTS;
    await page.waitForSelector('main .run-verdict .verdict-fail');
    expect(await page.locator('main .run-verdict').textContent()).toBe(
      `${f.scenario}, stack ${f.stack}, seed ${f.seed}. SLA verdict: fail: ${f.verdict.failed} of ${f.verdict.checks} checks failed`,
    );
    expect(page.url()).toMatch(new RegExp(`#/runs/${id}$`));
    // IOPS and latency over time, then (a finished run's) the latency CDF and the nodes' utilisation.
    expect(await page.locator('main figure svg[aria-label]').count()).toBe(4);
    // Each SLA check of the run's verdicts.json, a row each.
    expect(await page.locator('#run-verdicts tbody tr').count()).toBe(f.verdict.checks);
    // Every interval of every pod and direction once: the API's own rows.
    const rows = (await world.call('admin', 'GET', `${V1}/runs/${id}/intervals`)).json() as unknown[];
    expect(rows.length).toBe(f.pods.length * 2 * f.intervals);
    expect(await intervalRows(page).count()).toBe(rows.length);
    await expectFollowedWhole(page, id);
    await page.screenshot({ path: join(ARTEFACTS, 'run-finished.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a run started through the API is followed from its deep link: progress, then every event once, then its verdict', async () => {
    const { page, problems } = await openPage(browser, origin);
    await logIn(page, origin, world.tokens.admin, 'runs', 'Runs');
    const started = await world.call('admin', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO, name: 'watched' });
    expect(started.statusCode, started.body).toBe(202);
    await page.goto(`${origin}/#/runs/watched`);
    await page.waitForSelector('main h1:text-is("Run watched")');
    await page.waitForSelector('main .run-verdict .verdict-fail');
    // The progress bar reached the end before the page turned into the finished run's.
    await expectFollowedWhole(page, 'watched');
    expect(await page.locator('main figure svg[aria-label]').count()).toBe(4);
    expect(await intervalRows(page).count()).toBe(LIVE_SCENARIO_FACTS.pods.length * 2 * LIVE_SCENARIO_FACTS.intervals);
    // Listed among the runs of the folder, with its verdict.
    await page.click('nav a[data-page=runs]');
    await page.waitForSelector('main h1:has-text("Runs")');
    expect(await page.locator('main tr:has(.verdict-fail)', { hasText: 'watched' }).count()).toBe(1);
    expect(await page.locator('main tr:has(.run-done)', { hasText: 'watched' }).count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a viewer, who may not start runs, is offered no form to start one, and the API refuses its start', async () => {
    const { page, problems } = await openPage(browser, origin);
    await logIn(page, origin, world.tokens.viewer, 'runs', 'Runs');
    // What /whoami says the token may change decides the offer: a viewer edits nothing.
    const me = (await world.call('viewer', 'GET', `${V1}/whoami`)).json() as { cluster_edits: string[] };
    expect(me.cluster_edits).not.toContain('cluster');
    expect(await page.locator('form.start-run').count()).toBe(0);
    expect(await page.locator('#start-run-denied').textContent()).toBe(
      'viewer may view runs but not start them (that takes cluster edit, or container edit in a tenant).',
    );
    // The list itself still shows (the viewer may view the cluster's runs).
    expect(await page.locator('main table').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTEFACTS, 'runs-viewer.png'), fullPage: true });
    // The form's absence is the page's courtesy; the API is what refuses.
    const refused = await world.call('viewer', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO });
    expect(refused.statusCode).toBe(403);
    expect((refused.json() as { code: string }).code).toBe('ANVIL_ERR_FORBIDDEN');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a tenant's user starts a run under its tenant and follows it; another tenant's user neither lists nor opens it", async () => {
    const { page, problems } = await openPage(browser, origin);
    // tuser is tenant-user/a: no cluster view, the Runs page all the same, and no Reports.
    await logIn(page, origin, world.tokens.tuser, 'runs', 'Runs');
    expect(await page.locator('nav a[data-page=runs]').isVisible()).toBe(true);
    expect(await page.locator('nav a[data-page=reports]').isVisible()).toBe(false);
    // Its runs are its tenant's: the one choice offered.
    expect(await page.locator('#run-tenant option').allTextContents()).toEqual(['tenant a']);
    await page.click('form.start-run button[type=submit]');
    await page.waitForURL(/#\/runs\/two-pods-\d{8}-\d{6}$/);
    const id = decodeURIComponent(page.url().split('#/runs/')[1]!);
    await page.waitForSelector('main .run-verdict .verdict-fail');
    await expectFollowedWhole(page, id);
    // Listed for it, with the tenant the API recorded.
    const mine = (await world.call('tuser', 'GET', `${V1}/runs`)).json() as { live: { id: string; tenant: string | null }[] };
    expect(mine.live.filter((r) => r.id === id).map((r) => r.tenant)).toEqual(['a']);
    await page.click('nav a[data-page=runs]');
    await page.waitForSelector('main h1:has-text("Runs")');
    expect(await page.locator('main tr', { hasText: id }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTEFACTS, 'runs-tenant.png'), fullPage: true });
    await page.close();

    // tother (tenant-user/b) sees no trace of it, in the page or the API.
    const other = await openPage(browser, origin);
    await logIn(other.page, origin, world.tokens.tother, 'runs', 'Runs');
    expect(await other.page.locator('main tr', { hasText: id }).count()).toBe(0);
    expect(await other.page.locator('#run-tenant option').allTextContents()).toEqual(['tenant b']);
    const refused = await world.call('tother', 'GET', `${V1}/runs/${encodeURIComponent(id)}/intervals`);
    const missing = await world.call('tother', 'GET', `${V1}/runs/no-such-run/intervals`);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toBe(missing.body);
    await other.page.close();
    expect([...problems, ...other.problems]).toEqual([]);
  });

  it('an admin opens a running pod from the pods list and sees why it runs there, as the API explains it', async () => {
    const { page, problems } = await openPage(browser, origin);
    await logIn(page, origin, world.tokens.admin, 'runs', 'Runs');
    await page.click('nav a[data-page=pods]');
    await page.waitForSelector('main h1:has-text("Pods and volumes")');
    await page.getByRole('link', { name: 'a/pa', exact: true }).click();
    await page.waitForSelector('main h1:text-is("Pod a/pa")');
    expect(page.url()).toMatch(/#\/pods\/a\/pa$/);
    const api = (await world.call('admin', 'GET', `${V1}/namespaces/a/pods/pa/scheduling`)).json() as {
      node: string;
      decision: {
        recorded: boolean;
        summary: string;
        nodes_evaluated: number;
        nodes: { node: string; chosen: boolean; fits: boolean; score?: number; rejection?: { reason: string } }[];
      };
    };
    // pa was placed by this build: the page shows the decision the scheduler recorded, not one worked out now.
    expect(api.decision.recorded).toBe(true);
    await page.waitForSelector('main h2:has-text("recorded when the scheduler placed the pod")');
    expect(await page.locator('main h2:has-text("worked out now")').count()).toBe(0);
    const why = page.locator('main table', { hasText: api.decision.summary });
    expect(await why.locator('caption').textContent()).toBe(api.decision.summary);
    const rows = await why.locator('tbody tr').all();
    expect(rows.length).toBe(api.decision.nodes.length);
    const cells = await Promise.all(rows.map(async (r) => (await r.locator('td').allTextContents()).slice(0, 5)));
    expect(cells.map((c) => [c[0], c[1], c[3]])).toEqual(
      api.decision.nodes.map((n) => [
        n.node,
        n.chosen ? 'runs here' : n.fits ? 'fits' : 'rejected',
        n.score === undefined ? '-' : n.score.toFixed(3),
      ]),
    );
    expect(cells[0]![0]).toBe(api.node);
    // Each fitting node's score parts, as recorded.
    for (const c of cells.filter((x) => x[1] !== 'rejected'))
      expect(c[2]).toMatch(/^cpu-left [\d.]+×1 \+ memory-left [\d.]+×1 \+ volume-locality [\d.]+×10$/);
    // The same decision drawn as stacked score parts (the shared chart function).
    const chart = page.locator('main figure svg[aria-label^="why this node, as recorded"]');
    expect(await chart.count()).toBe(1);
    expect(await chart.getAttribute('aria-description')).toContain(
      `${api.node} chosen, score ${api.decision.nodes[0]!.score!.toFixed(3)} = cpu-left`,
    );
    await page.screenshot({ path: join(ARTEFACTS, 'pod-placement.png'), fullPage: true });
    // A deep link: opened afresh, the same pod.
    await page.reload();
    await page.waitForSelector('main h1:text-is("Pod a/pa")');
    expect(problems).toEqual([]);
    await page.close();
  });
});
