/**
 * Issue 18: the dashboard in headless Chromium (Debian's chromium driven by playwright-core, which gives it
 * a fresh profile of its own), on a served seeded world: log in with a token; open the Cluster, the Pods
 * and volumes and the Runs pages (with a run's SLA verdict) and a run's page; compare two runs; open a
 * report in place in its sandboxed frame; find the seeded objects and the charts drawn as SVG;
 * open a run's page again from its deep link; no console error and no request to any other origin. A tenant
 * user of b sees none of a's pods, is told it may not view nodes, and has no link to the runs. Skipped with
 * one line on a machine without chromium, never in CI. Screenshots of each page are kept under
 * $ANVIL_TEST_ARTEFACTS (default out/test-artefacts)/dashboard.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ARTEFACTS, chromium, launchBrowser, logIn, openPage } from './browser-harness.js';
import { describeNeeds } from '../../needs.js';
import { seededWorld, type World } from '../api/api-harness.js';
import { FIXTURE_REPORTS, FIXTURE_ROWS, FIXTURE_RUN, FIXTURE_RUN_B, FIXTURE_VERDICT_TOTALS } from '../api/run-fixture.js';

let world: World;
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
    expect(await page.locator('main figure svg[aria-label]').count()).toBe(2);
    expect(await page.locator('main figure').first().textContent()).toContain('shop/orders-db read');
    expect(await page.locator('main table tbody tr').count()).toBe(FIXTURE_ROWS.length);
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
    // The runs, their comparison and the reports are the cluster's view: no link to them.
    for (const name of ['runs', 'compare', 'reports']) expect(await page.locator(`nav a[data-page=${name}]`).isVisible()).toBe(false);
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
