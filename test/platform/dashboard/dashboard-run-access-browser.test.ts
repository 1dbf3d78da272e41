/**
 * Issue 18, the Runs and Compare links follow the permission GET /runs checks (run-access.ts), in headless
 * Chromium: a user who may view containers in tenant b, but edit nothing, is linked to the runs, lists and
 * opens its tenant's runs (none of a's), compares two of them, and is told it may not start one (no form);
 * a user of b with no container role has no link to them. No console error (the page asks for nothing it
 * would be refused), no request to another origin. Screenshots under $ANVIL_TEST_ARTEFACTS/dashboard.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTEFACTS, chromium, launchBrowser, logIn, openPage } from './browser-harness.js';
import { describeNeeds } from '../../needs.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { seededWorld, type World } from '../api/api-harness.js';
import { ownedRunsFolder } from '../api/run-fixture.js';

let world: World;
let origin: string;
let browser: Browser;
const tokens: Record<string, string> = {};

/** Which of the nav's pages show. */
const linked = async (page: Page) =>
  Object.fromEntries(
    await Promise.all(
      ['runs', 'compare', 'reports', 'operate'].map(async (name) => [name, await page.locator(`nav a[data-page=${name}]`).isVisible()]),
    ),
  );

describeNeeds('headless Chromium', chromium !== undefined)("the dashboard's Runs links for a tenant's viewers", () => {
  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    const runsDir = ownedRunsFolder([
      ['b-run', 'b'],
      ['b-later', 'b'],
      ['a-run', 'a'],
    ]);
    world = await seededWorld(':memory:', undefined, undefined, { runsDir });
    world.api.store.change(localAdmin('admin'), 'test', 'test', (cp) => {
      cp.createUser('bcontainers', ['container-view/b']);
      cp.createUser('bvolumes', ['volume-view/b']);
    });
    for (const user of ['bcontainers', 'bvolumes']) tokens[user] = world.api.tokens.issue(user, 'test', 'admin').token;
    origin = (await world.app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.app.close();
  });

  it("a container viewer of b opens and compares b's runs, and is told it may not start one", async () => {
    const { page, problems } = await openPage(browser, origin);
    await logIn(page, origin, tokens.bcontainers!);
    expect(await linked(page)).toEqual({ runs: true, compare: true, reports: false, operate: false });
    await page.click('nav a[data-page=runs]');
    await page.waitForSelector('main h1:has-text("Runs")');
    const listed = await page.locator('main table').last().locator('tbody tr td:first-child').allTextContents();
    expect(listed.sort()).toEqual(['b-later', 'b-run']);
    expect(await page.locator('#start-run-denied').textContent()).toContain('bcontainers may view runs but not start them');
    expect(await page.locator('#run-scenario').count()).toBe(0);
    await page.screenshot({ path: join(ARTEFACTS, 'runs-container-viewer.png'), fullPage: true });
    // A run's page with its charts and its figures, all the API's answers to this token.
    await page.getByRole('link', { name: 'b-run', exact: true }).click();
    await page.waitForSelector('main h1:has-text("Run b-run")');
    await page.waitForSelector('main figure svg');
    expect(await page.locator('main figure svg[aria-label]').count()).toBeGreaterThanOrEqual(2);
    // The newest two compared side by side.
    await page.click('nav a[data-page=runs]');
    await page.click('main a:has-text("Compare the newest two")');
    await page.waitForSelector('main h1:has-text("Compare runs")');
    await page.waitForSelector('main figure svg');
    expect(await page.locator('main figure svg[aria-label]').count()).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a user of b with no container role has no link to the runs', async () => {
    const { page, problems } = await openPage(browser, origin);
    await logIn(page, origin, tokens.bvolumes!);
    expect(await linked(page)).toEqual({ runs: false, compare: false, reports: false, operate: false });
    expect(problems).toEqual([]);
    await page.close();
  });
});
