/**
 * Issue 18, "readable at a laptop's width": every page of the dashboard at the width of a small laptop
 * (1024 CSS pixels) and of a common one (1366) lays out without the page itself scrolling sideways; a
 * wide table scrolls inside its own box, and a chart fits its column. Skipped with one line on a machine
 * without chromium, never in CI. Screenshots under $ANVIL_TEST_ARTEFACTS/dashboard.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeNeeds } from '../../needs.js';
import { seededWorld, type World } from '../api/api-harness.js';
import { FIXTURE_RUN } from '../api/run-fixture.js';
import { ARTEFACTS, chromium, launchBrowser, logIn, openPage } from './browser-harness.js';

/** Laptop widths, CSS pixels: a small one and the most common one. */
const WIDTHS = [1024, 1366] as const;
/** A laptop's visible height, CSS pixels. */
const HEIGHT = 700;

/** How far the page is wider than its window (0 when it fits), and the widest element that sticks out. */
async function sidewaysOverflow(page: Page): Promise<{ px: number; culprit: string }> {
  return page.evaluate(() => {
    const px = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    let culprit = '';
    let right = document.documentElement.clientWidth;
    for (const el of Array.from(document.querySelectorAll('main *'))) {
      const r = el.getBoundingClientRect();
      if (r.right > right + 1) {
        right = r.right;
        culprit = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
      }
    }
    return { px, culprit };
  });
}

let browser: Browser;

describeNeeds('headless Chromium', chromium !== undefined)("the dashboard at a laptop's width", () => {
  let world: World;
  let origin: string;
  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    browser = await launchBrowser();
    world = await seededWorld();
    origin = (await world.app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
  });
  afterAll(async () => {
    await world?.app.close();
    await browser?.close();
  });

  for (const width of WIDTHS)
    it(`no page scrolls sideways at ${width} px`, async () => {
      const { page, problems } = await openPage(browser, origin);
      await page.setViewportSize({ width, height: HEIGHT });
      const overflows: Record<string, { px: number; culprit: string }> = {};
      const look = async (name: string) => {
        overflows[name] = await sidewaysOverflow(page);
        await page.screenshot({ path: join(ARTEFACTS, `width-${width}-${name}.png`), fullPage: true });
      };
      await logIn(page, origin, world.tokens.admin);
      await page.waitForSelector('main figure svg');
      await look('cluster');
      await page.click('nav a[data-page=pods]');
      await page.waitForSelector('main h1:has-text("Pods and volumes")');
      await look('pods');
      await page.getByRole('link', { name: 'a/pa', exact: true }).click();
      await page.waitForSelector('main figure svg[aria-label^="why this node"]');
      await look('pod');
      await page.click('nav a[data-page=runs]');
      await page.waitForSelector('main h1:has-text("Runs")');
      await look('runs');
      await page.getByRole('link', { name: FIXTURE_RUN, exact: true }).click();
      await page.waitForSelector('main figure svg');
      await look('run');
      await page.click('nav a[data-page=runs]');
      await page.click('main a:has-text("Compare the newest two")');
      await page.waitForSelector('main figure svg');
      await look('compare');
      await page.click('nav a[data-page=operate]');
      await page.waitForSelector('main h1:has-text("Operate")');
      await look('operate');
      await page.close();
      expect(Object.keys(overflows)).toHaveLength(7);
      expect(Object.entries(overflows).filter(([, o]) => o.px > 0)).toEqual([]);
      expect(problems).toEqual([]);
    });
});
