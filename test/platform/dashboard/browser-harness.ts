/**
 * The dashboard in headless Chromium for tests: a page that collects what went wrong (console errors,
 * page errors, requests to any origin but the server), the login, and axe-core's WCAG 2 A/AA check of
 * what the page shows. Screenshots go under $ANVIL_TEST_ARTEFACTS (default out/test-artefacts)/dashboard.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { findChromium, QUIET_CHROMIUM_FLAGS } from '../../../reports/render/pdf.js';

export const ARTEFACTS = resolve(process.env.ANVIL_TEST_ARTEFACTS ?? join('out', 'test-artefacts'), 'dashboard');
export const chromium = findChromium();

export async function launchBrowser(): Promise<Browser> {
  const { chromium: pw } = await import('playwright-core');
  return pw.launch({ executablePath: chromium ?? '/usr/bin/chromium', args: QUIET_CHROMIUM_FLAGS });
}

/**
 * A page of the browser with what went wrong collected: console errors (but the 4xx of a change the API
 * refused, which the page shows), page errors, requests to another origin.
 */
export async function openPage(browser: Browser, origin: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Playwright's 30 s for an action is a speed verdict on a loaded machine (a first page load compiles
  // Plot); this bound only stops a hung page.
  page.setDefaultTimeout(180_000);
  const problems: string[] = [];
  // Chromium logs every answer of 4xx as a console error; a change the API refuses (a form's bad value,
  // a refused POST) is an answer the page shows, not a fault of the page. Any other stays a problem.
  const changes = new Set<string>();
  page.on('request', (r) => {
    if (r.method() !== 'GET') changes.add(r.url());
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) && changes.has(m.location().url)) return;
    problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(`${origin}/`)) problems.push(`request outside the server: ${r.url()}`);
  });
  return { page, problems };
}

/** Logs in with `token` on page `route` (e.g. `runs`) and waits for its heading. */
export async function logIn(page: Page, origin: string, token: string, route = 'cluster', heading = 'Cluster'): Promise<void> {
  await page.goto(`${origin}/#/${route}`);
  await page.fill('#token', token);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector(`main h1:has-text("${heading}")`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResults {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

/**
 * axe-core's WCAG 2 A and AA rules on the page as it is: its serious and critical violations, one line
 * each (rule, what it asks, the first elements). axe is evaluated through the DevTools protocol, which
 * the page's Content-Security-Policy (scripts of this server only) does not govern, so the policy stays on.
 * Frames are left out: a report opens in a sandboxed frame that runs no script, axe's included.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(
    () =>
      (globalThis as unknown as { axe: { run(c: unknown, o: unknown): Promise<unknown> } }).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        iframes: false,
      }) as Promise<AxeResults>,
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id} (${v.help}): ${v.nodes
          .slice(0, 3)
          .map((n) => JSON.stringify(n.target))
          .join(', ')}`,
    );
}
