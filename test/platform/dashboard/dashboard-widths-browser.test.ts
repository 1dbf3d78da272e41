/**
 * Issue 18, "readable at a laptop's width": every page of the dashboard at the width of a small laptop
 * (1024 CSS pixels) and of a common one (1366), and of a narrow window (600) and a phone (375), lays out
 * without the page itself scrolling sideways (the document's scroll width within its client width); a
 * wide table scrolls inside its own box, whole and keyboard-scrollable, its names and figures each on one
 * line and its sentences at a readable width; a chart fits its column. Skipped with one line on a machine
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

/** Widths, CSS pixels: a phone's, a narrow window's, a small laptop's and the most common laptop's. */
const WIDTHS = [375, 600, 1024, 1366] as const;
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

/**
 * What keeps the page's tables from being read: a table not in a box of its own that scrolls sideways, a box
 * wider than the window, part of a table out of its box's reach, a caption past its box's edge, a box that scrolls but takes no keyboard
 * focus, a name or figure broken over lines, a sentence's column narrower than 12 em.
 */
async function unreadableTables(page: Page): Promise<{ tables: number; problems: string[] }> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const window = document.documentElement.clientWidth;
    /** The lines `el`'s text takes (its text boxes' distinct tops). */
    const lines = (el: Element) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
    };
    for (const [t, table] of Array.from(document.querySelectorAll('main table')).entries()) {
      const name = `table ${t + 1} (${(table.querySelector('caption')?.textContent ?? '').slice(0, 40)})`;
      const box = table.parentElement!;
      if (!box.classList.contains('table-scroll') || getComputedStyle(box).overflowX !== 'auto') {
        problems.push(`${name}: not in a box that scrolls sideways`);
        continue;
      }
      if (box.getBoundingClientRect().right > window + 1) problems.push(`${name}: its box is wider than the window`);
      if (box.scrollWidth + 1 < table.getBoundingClientRect().width) problems.push(`${name}: part of it is out of reach`);
      if (box.scrollWidth > box.clientWidth && box.tabIndex !== 0) problems.push(`${name}: scrolls but takes no keyboard focus`);
      const caption = table.querySelector('caption');
      if (caption && caption.getBoundingClientRect().right > box.getBoundingClientRect().right + 1)
        problems.push(`${name}: its caption runs past its box`);
      const em = parseFloat(getComputedStyle(table).fontSize);
      for (const cell of Array.from(table.querySelectorAll('th, td'))) {
        if (cell.textContent === '') continue;
        if (!cell.classList.contains('text') && lines(cell) > 1) problems.push(`${name}: "${cell.textContent}" broken over lines`);
        if (cell.classList.contains('text') && cell.getBoundingClientRect().width < 12 * em)
          problems.push(`${name}: the sentence "${cell.textContent}" is ${Math.round(cell.getBoundingClientRect().width)} px wide`);
      }
    }
    return { tables: document.querySelectorAll('main table').length, problems };
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
      const tables: Record<string, { tables: number; problems: string[] }> = {};
      const look = async (name: string) => {
        overflows[name] = await sidewaysOverflow(page);
        tables[name] = await unreadableTables(page);
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
      // Every page but Operate has tables, and every one of them reads whole.
      expect(Object.entries(tables).filter(([name, t]) => (name === 'operate') !== (t.tables === 0))).toEqual([]);
      expect(Object.entries(tables).filter(([, t]) => t.problems.length > 0)).toEqual([]);
      expect(problems).toEqual([]);
    });
});
