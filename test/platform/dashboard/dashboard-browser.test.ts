/**
 * Issue 18: the dashboard in headless Chromium (Debian's chromium driven by playwright-core, which gives it
 * a fresh profile of its own), on a served seeded world: log in with a token; open the Cluster, the Pods
 * and volumes and the Runs pages (with a run's SLA verdict) and a run's page; compare two runs; open a
 * report in place in its sandboxed frame; a checked run's page with its SLA verdict table, latency CDF and
 * node utilisation chart, each figure the API's answer, each chart's data as CSV and itself as SVG, axe-core clean; find the seeded objects and the charts drawn as SVG;
 * open a run's page again from its deep link; no console error and no request to any other origin. A tenant
 * user of b sees none of a's pods, is told it may not view nodes, and has no link to the runs. Skipped with
 * one line on a machine without chromium, never in CI. Screenshots of each page are kept under
 * $ANVIL_TEST_ARTEFACTS (default out/test-artefacts)/dashboard.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { ARTEFACTS, chromium, launchBrowser, logIn, openPage, seriousAxeViolations } from './browser-harness.js';
import { describeNeeds } from '../../needs.js';
import { seededWorld, type World } from '../api/api-harness.js';
import { FIXTURE_REPORTS, FIXTURE_ROWS, FIXTURE_RUN, FIXTURE_RUN_B, FIXTURE_VERDICT_TOTALS, FIXTURE_VERDICTS } from '../api/run-fixture.js';

const V1 = '/apis/anvil.dev/v1';
let world: World;

/** The run page's table of each interval's figures. */
const intervalsTable = (page: Page) =>
  page.locator('main table', { has: page.locator('caption', { hasText: "Each interval's IOPS and completion latency" }) });
/** The text of each body cell of `table`, row by row (a row's header cell first). */
const cellTexts = async (table: Locator) =>
  (await table.locator('tbody tr').all()).map(async (tr) => (await tr.locator('th, td').allTextContents()).map((t) => t.trim()));
let origin: string;
let browser: Browser;

/** A page of the browser with what went wrong collected: console errors, page errors, foreign requests. */

describeNeeds('headless Chromium', chromium !== undefined)('the dashboard in a browser', () => {
  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    world = await seededWorld();
    origin = (await world.app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.app.close();
  });

  it('an admin logs in and sees the cluster, then the pods and volumes, with charts and no console error', async () => {
    const { page, problems } = await openPage(browser, origin);
    await logIn(page, origin, world.tokens.admin);
    // The nodes' table and both reservation charts (drawn by Plot from the shared chart functions).
    await page.waitForSelector('main figure svg');
    const nodeCells = await page.locator('main table').first().locator('tbody tr td:first-child').allTextContents();
    expect(nodeCells).toEqual(['node1', 'node2', 'node3']);
    const charts = page.locator('main figure svg[aria-label]');
    expect(await charts.count()).toBe(3);
    expect(await charts.first().getAttribute('aria-label')).toMatch(/guaranteed IOPS: reserved against/);
    expect(await page.locator('main').textContent()).toMatch(/net1.*10\.1\.0\.0\/24/);
    await page.screenshot({ path: join(ARTEFACTS, 'cluster-admin.png'), fullPage: true });

    await page.click('nav a[data-page=pods]');
    await page.waitForSelector('main h1:has-text("Pods and volumes")');
    const text = (await page.locator('main').textContent()) ?? '';
    for (const name of ['a/pa', 'b/pb', 'a/va', 'b/vb', 'a/sa']) expect(text).toContain(name);
    // Where a pod runs: its row names a node and its endpoint's address on net1.
    const pa = page.locator('main tr', { hasText: 'a/pa' }).first();
    expect(await pa.textContent()).toMatch(/running\s*node[123].*10\.1\.0\.\d+/s);
    await page.screenshot({ path: join(ARTEFACTS, 'pods-admin.png'), fullPage: true });
    // A reload keeps the page and the login (the token stays in the tab's sessionStorage).
    await page.reload();
    await page.waitForSelector('main h1:has-text("Pods and volumes")');

    // The runs folder's list, then a run's page with both charts (IOPS, latency) and its figures.
    await page.click('nav a[data-page=runs]');
    // The run list's SLA verdict: run b's folder holds a verdicts.json with one check failed.
    const runB = page.locator('main tr', { hasText: FIXTURE_RUN_B }).first();
    expect(await runB.locator('.verdict-fail').textContent()).toBe(
      `fail: ${FIXTURE_VERDICT_TOTALS.failed} of ${FIXTURE_VERDICT_TOTALS.checks} checks failed`,
    );
    await page.getByRole('link', { name: FIXTURE_RUN, exact: true }).click();
    await page.waitForSelector(`main h1:text-is("Run ${FIXTURE_RUN}")`);
    await page.waitForSelector('main figure svg');
    // IOPS and latency over time, the latency CDF and the node utilisation.
    expect(await page.locator('main figure svg[aria-label]').count()).toBe(4);
    expect(await page.locator('main figure').first().textContent()).toContain('shop/orders-db read');
    expect(await intervalsTable(page).locator('tbody tr').count()).toBe(FIXTURE_ROWS.length);
    // Run a was not checked: no verdict table, the API's note instead.
    const verdicts = (await world.call('admin', 'GET', `${V1}/runs/${FIXTURE_RUN}/verdicts`)).json();
    expect(await page.locator('#run-verdicts-none').textContent()).toBe(verdicts.note);
    await page.screenshot({ path: join(ARTEFACTS, 'run-admin.png'), fullPage: true });
    // The run's URL is a deep link: opened afresh, it shows the same run.
    const deep = page.url();
    expect(deep).toMatch(new RegExp(`#/runs/${FIXTURE_RUN}$`));
    await page.goto(`${origin}/`);
    await page.goto(deep);
    await page.waitForSelector(`main h1:text-is("Run ${FIXTURE_RUN}")`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('an admin opens a checked run: its SLA verdict table, latency CDF and node chart as the API answers them, axe-clean', async () => {
    const { page, problems } = await openPage(browser, origin);
    await logIn(page, origin, world.tokens.admin);
    await page.goto(`${origin}/#/runs/${FIXTURE_RUN_B}`);
    await page.waitForSelector(`main h1:text-is("Run ${FIXTURE_RUN_B}")`);
    await page.waitForSelector('#run-nodes figure svg');
    const api = async (route: string) => (await world.call('admin', 'GET', `${V1}/runs/${FIXTURE_RUN_B}/${route}`)).json();
    // The verdict table: a row per check, each cell the API's figure or text, the SLA its row's header.
    const verdicts = await api('verdicts');
    expect(verdicts.verdicts).toHaveLength(FIXTURE_VERDICTS.length);
    const table = page.locator('#run-verdicts');
    expect(await table.locator('caption').textContent()).toContain(verdicts.source);
    expect(await table.locator('thead th[scope=col]').count()).toBe(8);
    expect(await table.locator('tbody th[scope=row]').allTextContents()).toEqual(FIXTURE_VERDICTS.map((v) => v.sla));
    expect(await Promise.all(await cellTexts(table))).toEqual(
      verdicts.verdicts.map((v: Record<string, string>) => [
        v.sla,
        v.scope,
        v.check_text,
        v.measured_text,
        v.limit_text,
        v.margin_text,
        v.status,
        v.reason,
      ]),
    );
    expect(await table.locator('.verdict-fail').count()).toBe(1);
    // The CDF: a line per series the API gives, named in its legend; its percentiles table is the API's.
    const cdf = await api('latency-cdf');
    const cdfFigure = page.locator('#run-cdf > figure');
    expect(await cdfFigure.locator('svg[aria-label]').getAttribute('aria-label')).toMatch(/latency CDF per pod/);
    for (const s of cdf.series) expect(await cdfFigure.textContent()).toContain(`${s.pod} ${s.direction}`);
    expect(await cdfFigure.locator('svg[aria-label] g[aria-label=line] path').count()).toBe(cdf.series.length);
    const percentiles = page.locator('main table', { has: page.locator('caption', { hasText: 'latency percentiles per direction' }) });
    // The page's own number format (dom.js's si), run in the page on the API's figure.
    const si = (n: number) => page.evaluate<string>(`import('/dashboard/dom.js').then((m) => m.si(${JSON.stringify(n)}))`);
    const expectedPercentiles = await Promise.all(
      cdf.series.map(async (s: { pod: string; direction: string; ios: number; p50_us: number; p99_us: number; p999_us: number }) => [
        s.pod,
        s.direction,
        ...(await Promise.all([s.ios, s.p50_us, s.p99_us, s.p999_us].map(si))),
      ]),
    );
    expect(await Promise.all(await cellTexts(percentiles))).toEqual(expectedPercentiles);
    // The nodes: a bar per resource the API gives, each titled with its figure; the table beside it the same.
    const nodes = await api('nodes');
    const bars = page.locator('#run-nodes > figure svg[aria-label] g[aria-label=bar] rect');
    expect(await bars.count()).toBe(nodes.rows.length);
    const nodeTable = page.locator('main table', { has: page.locator('caption', { hasText: 'How busy the run kept' }) });
    expect(await Promise.all(await cellTexts(nodeTable))).toEqual(
      nodes.rows.map((r: { stack: string; node: string; resource: string; utilisation: number; detail: string }) => [
        r.stack,
        r.node,
        r.resource,
        (100 * r.utilisation).toFixed(1),
        r.detail,
      ]),
    );
    // Each chart's downloads: the CDF's data is the API's points, one line each; the node chart is its own SVG.
    const downloaded = async (link: Locator) => {
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      return [download.suggestedFilename(), readFileSync((await download.path())!, 'utf8')] as const;
    };
    const [csvName, csv] = await downloaded(page.locator('#run-cdf a[download$=".csv"]'));
    const points = cdf.series.flatMap((s: { pod: string; direction: string; points: { fraction: number; latency_us: number }[] }) =>
      s.points.map((p) => [s.pod, s.direction, p.fraction, p.latency_us].join(',')),
    );
    expect([csvName, csv]).toEqual(['latency-cdf.csv', ['pod,direction,fraction,latency_us', ...points].join('\r\n') + '\r\n']);
    const [svgName, svg] = await downloaded(page.locator('#run-nodes a[download$=".svg"]'));
    expect(svgName).toBe('node-utilisation.svg');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('aria-label="how busy the run kept each node');
    expect((svg.match(/<rect /g) ?? []).length).toBeGreaterThanOrEqual(nodes.rows.length);
    expect(await page.locator('main a[download]').count()).toBe(8);
    // A part the run lacks is left out, not written as "null".
    expect(await page.locator('main').textContent()).not.toMatch(/\bnull\b/);
    await page.screenshot({ path: join(ARTEFACTS, 'run-checked-admin.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('an admin compares two runs side by side and opens a report in place, with no console error', async () => {
    const { page, problems } = await openPage(browser, origin);
    await logIn(page, origin, world.tokens.admin);
    await page.click('nav a[data-page=runs]');
    await page.click('main a:has-text("Compare the newest two")');
    await page.waitForSelector('main figure svg');
    // Both charts, each with both runs in its legend, and a row per pod and direction with the change.
    const charts = page.locator('main > figure');
    expect(await charts.count()).toBe(2);
    expect(await page.locator('main figure svg[aria-label]').count()).toBe(2);
    for (const i of [0, 1]) {
      const text = (await charts.nth(i).textContent()) ?? '';
      expect(text).toContain(FIXTURE_RUN);
      expect(text).toContain(FIXTURE_RUN_B);
    }
    const pods = [...new Set(FIXTURE_ROWS.map((r) => `${r.pod} ${r.direction}`))];
    expect(await page.locator('main table tbody tr').count()).toBe(pods.length);
    // Run b has 80% of run a's IOPS in every interval: the mean falls by 20%.
    // and the p99 is 1.5 times: +50.0%, signed.
    const first = (await page.locator('main table tbody tr').first().locator('td').allTextContents()).map((t) => t.trim());
    expect([first[3], first[6]]).toEqual(['-20.0%', '+50.0%']);
    await page.screenshot({ path: join(ARTEFACTS, 'compare-admin.png'), fullPage: true });
    // The URL names both runs: a reload shows the same comparison.
    expect(page.url()).toMatch(new RegExp(`#/compare\\?runs=${FIXTURE_RUN},${FIXTURE_RUN_B}$`));
    await page.reload();
    await page.waitForSelector('main figure svg');
    expect(await page.locator('#run-a').inputValue()).toBe(FIXTURE_RUN);
    expect(await page.locator('#run-b').inputValue()).toBe(FIXTURE_RUN_B);

    // Reports: both listed by title; the TCO report opens in place, in a frame that runs no script.
    await page.click('nav a[data-page=reports]');
    await page.waitForSelector('main h1:has-text("Reports")');
    const titles = await page.locator('main table tbody tr td:first-child').allTextContents();
    expect(titles.sort()).toEqual([FIXTURE_REPORTS.compare.title, FIXTURE_REPORTS.tco.title].sort());
    await page.getByRole('link', { name: FIXTURE_REPORTS.tco.title }).click();
    await page.waitForSelector(`main h1:has-text("${FIXTURE_REPORTS.tco.title}")`);
    const frame = page.frameLocator('main iframe.report');
    expect(await frame.locator('h1').textContent()).toBe(FIXTURE_REPORTS.tco.body);
    expect(await page.locator('main iframe.report').getAttribute('sandbox')).toBe('');
    await page.screenshot({ path: join(ARTEFACTS, 'report-admin.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a tenant user of b sees only b's pods and volumes, and is told it may not view nodes", async () => {
    const { page, problems } = await openPage(browser, origin);
    await logIn(page, origin, world.tokens.tother);
    expect(await page.locator('main').textContent()).toContain('This token may not view nodes');
    // The reports are the cluster's view: no link to them; the runs (its tenant's) and their comparison are linked.
    expect(await page.locator('nav a[data-page=reports]').isVisible()).toBe(false);
    for (const name of ['runs', 'compare']) expect(await page.locator(`nav a[data-page=${name}]`).isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTEFACTS, 'cluster-tenant.png'), fullPage: true });
    await page.click('nav a[data-page=pods]');
    await page.waitForSelector('main h1:has-text("Pods and volumes")');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('b/pb');
    expect(text).toContain('b/vb');
    expect(text).not.toMatch(/\ba\/(pa|va|sa|da|ca)/);
    await page.screenshot({ path: join(ARTEFACTS, 'pods-tenant.png'), fullPage: true });
    // The page asks only for what the token may view (/whoami's cluster_views): no refused request.
    expect(problems).toEqual([]);
    await page.close();
  });
});
