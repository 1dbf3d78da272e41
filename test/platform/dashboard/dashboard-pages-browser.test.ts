/**
 * Issue 18 in headless Chromium: the Operate page and axe-core on every page.
 * - Operate: an admin creates a network, a perf tier and a volume and applies a manifest from the page; a
 *   bad value comes back as the API's coded error next to the field it names; what was made shows on the
 *   other pages. A tenant user is offered only volumes and manifests in its own namespace (no network or
 *   tier form, no other namespace), and the server refuses a network it sends anyway; a viewer has no
 *   Operate link.
 * - Accessibility: axe-core's WCAG 2 A/AA rules find no serious or critical violation on any page (login,
 *   cluster, pods, a pod, runs, a run, compare, reports, a report, operate with an error shown, a tenant's pages).
 * No console error and no request leaving the server on any page. Skipped with one line on a machine
 * without chromium, never in CI. Screenshots under $ANVIL_TEST_ARTEFACTS/dashboard.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeNeeds } from '../../needs.js';
import { podManifest, seededWorld, type World } from '../api/api-harness.js';
import { FIXTURE_REPORTS, FIXTURE_RUN } from '../api/run-fixture.js';
import { ARTEFACTS, chromium, launchBrowser, logIn, openPage, seriousAxeViolations } from './browser-harness.js';

let browser: Browser;

/** The page's main heading, once shown. */
const heading = (page: Page, text: string) => page.waitForSelector(`main h1:has-text("${text}")`);

/** Axe's verdict on the page as shown, and a screenshot of it. */
async function checkPage(page: Page, name: string, violations: Record<string, string[]>): Promise<void> {
  violations[name] = await seriousAxeViolations(page);
  await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });
}

describeNeeds('headless Chromium', chromium !== undefined)('the dashboard in a browser: operate and accessibility', () => {
  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('a seeded world', () => {
    let world: World;
    let origin: string;
    beforeAll(async () => {
      world = await seededWorld();
      origin = (await world.app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
    });
    afterAll(async () => {
      await world?.app.close();
    });

    it('an admin creates a network, a perf tier and a volume and applies a manifest; a bad value is named at its field', async () => {
      const { page, problems } = await openPage(browser, origin);
      await logIn(page, origin, world.tokens.admin);
      await page.click('nav a[data-page=operate]');
      await heading(page, 'Operate');
      expect(await page.locator('main form.operate h2').allTextContents()).toEqual([
        'Create a network',
        'Create a perf tier',
        'Create a volume',
        'Apply manifests',
      ]);
      // A gateway inside the range: the domain's coded error, at the gateway field, which gets the focus.
      await page.fill('#network-name', 'net7');
      await page.fill('#network-subnet', '10.7.0.0/24');
      await page.fill('#network-start', '10.7.0.10');
      await page.fill('#network-end', '10.7.0.100');
      await page.fill('#network-gateway', '10.7.0.50');
      await page.click('#form-network button[type=submit]');
      const gatewayError = page.locator('#network-gateway-error');
      await gatewayError.waitFor({ state: 'visible' });
      expect(await gatewayError.textContent()).toMatch(/^ANVIL_ERR_FIELD_INVALID: --gateway 10\.7\.0\.50 lies inside the range/);
      expect(await page.locator('#network-gateway').getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('network-gateway');
      expect(await page.locator('#network-subnet-error').isVisible()).toBe(false);
      // A schema error (a VLAN out of range) lands at its field too.
      await page.fill('#network-gateway', '10.7.0.1');
      await page.fill('#network-vlan', '5000');
      await page.click('#form-network button[type=submit]');
      await page.locator('#network-vlan-error').waitFor({ state: 'visible' });
      expect(await page.locator('#network-vlan-error').textContent()).toMatch(/^ANVIL_ERR_FIELD_INVALID: body\/vlan: must be <= 4094/);
      expect(await page.locator('#network-gateway-error').isVisible()).toBe(false);
      await page.fill('#network-vlan', '70');
      await page.click('#form-network button[type=submit]');
      await page.waitForSelector('#form-network p.done:has-text("network net7 created: 10.7.0.0/24 range 10.7.0.10-10.7.0.100")');

      await page.fill('#perftier-name', 'gold');
      await page.fill('#perftier-storage_iops', '8000');
      await page.fill('#perftier-network_bandwidth_bits_per_s', '250000000');
      await page.click('#form-perftier button[type=submit]');
      await page.waitForSelector('#form-perftier p.done:has-text("perf tier gold created")');
      expect(await page.locator('#volume-perf_tier option').allTextContents()).toContain('gold');

      // A volume in namespace a of 2 GiB (sent as bytes); the tier list is the API's.
      expect(await page.locator('#volume-namespace option').allTextContents()).toEqual(['a', 'b', 'c', 'default']);
      await page.selectOption('#volume-namespace', 'a');
      await page.fill('#volume-name', 'vol7');
      await page.fill('#volume-size_bytes', '2');
      await page.fill('#volume-mirrors', '2');
      await page.selectOption('#volume-perf_tier', 'medium');
      await page.click('#form-volume button[type=submit]');
      await page.waitForSelector('#form-volume p.done:has-text("volume vol7 created: plexes on")');
      expect(world.api.store.read((s) => s.volumes.get('a/vol7'))).toMatchObject({
        size_bytes: 2 * 2 ** 30,
        mirrors: 2,
        perf_tier: 'medium',
      });

      // A manifest that is not YAML: the error names the body's manifests and sits under the text.
      await page.selectOption('#apply-namespace', 'b');
      await page.fill('#apply-manifests', 'kind: Pod\nmetadata: { name: [x }\n');
      await page.click('#form-apply button[type=submit]');
      await page.locator('#apply-manifests-error').waitFor({ state: 'visible' });
      expect(await page.locator('#apply-manifests-error').textContent()).toMatch(/^ANVIL_ERR_\w+: body\.manifests/);
      await page.fill('#apply-manifests', podManifest('pod7'));
      await page.click('#form-apply button[type=submit]');
      await page.waitForSelector('#form-apply p.done:has-text("pod/pod7")');
      expect(await page.locator('#apply-manifests-error').isVisible()).toBe(false);

      // What was made shows where it belongs.
      await page.click('nav a[data-page=cluster]');
      await heading(page, 'Cluster');
      expect(await page.locator('main').textContent()).toMatch(/net7\s*10\.7\.0\.0\/24/);
      expect(await page.locator('main tr', { hasText: 'gold' }).first().textContent()).toMatch(/gold\s*8k\s*250M/);
      await page.click('nav a[data-page=pods]');
      await heading(page, 'Pods and volumes');
      expect(await page.locator('main').textContent()).toContain('b/pod7');
      expect(await page.locator('main').textContent()).toContain('a/vol7');
      expect(problems).toEqual([]);
      await page.close();
    });

    it('a tenant user is offered only its own namespace, and the server refuses a network it sends anyway; a viewer has no Operate', async () => {
      const { page, problems } = await openPage(browser, origin);
      await logIn(page, origin, world.tokens.tuser);
      await page.click('nav a[data-page=operate]');
      await heading(page, 'Operate');
      expect(await page.locator('main form.operate h2').allTextContents()).toEqual(['Create a volume', 'Apply manifests']);
      expect(await page.locator('#volume-namespace option').allTextContents()).toEqual(['a']);
      expect(await page.locator('#apply-namespace option').allTextContents()).toEqual(['a']);
      // The page offers no network form; the API says no to one sent by hand with the page's token.
      const refused = await page.evaluate(async () => {
        const r = await fetch('/apis/anvil.dev/v1/networks', {
          method: 'POST',
          headers: { authorization: `Bearer ${sessionStorage.getItem('anvil.token')}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'n8', subnet: '10.8.0.0/24', start: '10.8.0.10', end: '10.8.0.20', gateway: '10.8.0.1' }),
        });
        return [r.status, ((await r.json()) as { code: string }).code];
      });
      expect(refused).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
      expect(world.api.store.read((s) => s.networks.has('n8'))).toBe(false);
      await page.close();

      const viewer = await openPage(browser, origin);
      await logIn(viewer.page, origin, world.tokens.viewer);
      expect(await viewer.page.locator('nav a[data-page=operate]').isVisible()).toBe(false);
      await viewer.page.goto(`${origin}/#/operate`);
      await viewer.page.waitForSelector('main p:has-text("This token may not change anything from this page")');
      await viewer.page.close();
      expect([...problems, ...viewer.problems]).toEqual([]);
    });

    it('axe-core finds no serious or critical WCAG 2 A/AA violation on any page', async () => {
      const violations: Record<string, string[]> = {};
      const { page, problems } = await openPage(browser, origin);
      await page.goto(`${origin}/`);
      await page.waitForSelector('#token');
      await checkPage(page, 'axe-login', violations);
      await logIn(page, origin, world.tokens.admin);
      await page.waitForSelector('main figure svg');
      await checkPage(page, 'axe-cluster', violations);
      await page.click('nav a[data-page=pods]');
      await heading(page, 'Pods and volumes');
      await checkPage(page, 'axe-pods', violations);
      // A running pod's own page, with its placement chart and table.
      await page.getByRole('link', { name: 'a/pa', exact: true }).click();
      await page.waitForSelector('main figure svg[aria-label^="why this node"]');
      await checkPage(page, 'axe-pod', violations);
      await page.click('nav a[data-page=runs]');
      await heading(page, 'Runs');
      await checkPage(page, 'axe-runs', violations);
      await page.getByRole('link', { name: FIXTURE_RUN, exact: true }).click();
      await page.waitForSelector('main figure svg');
      await checkPage(page, 'axe-run', violations);
      await page.click('nav a[data-page=runs]');
      await page.click('main a:has-text("Compare the newest two")');
      await page.waitForSelector('main figure svg');
      await checkPage(page, 'axe-compare', violations);
      await page.click('nav a[data-page=reports]');
      await heading(page, 'Reports');
      await checkPage(page, 'axe-reports', violations);
      await page.getByRole('link', { name: FIXTURE_REPORTS.tco.title }).click();
      await heading(page, FIXTURE_REPORTS.tco.title);
      await checkPage(page, 'axe-report', violations);
      await page.click('nav a[data-page=operate]');
      await heading(page, 'Operate');
      await page.fill('#network-name', 'Bad_Name');
      await page.click('#form-network button[type=submit]');
      await page.locator('#network-name-error').waitFor({ state: 'visible' });
      await checkPage(page, 'axe-operate', violations);
      await page.close();

      const tenant = await openPage(browser, origin);
      await logIn(tenant.page, origin, world.tokens.tother);
      await checkPage(tenant.page, 'axe-cluster-tenant', violations);
      await tenant.page.click('nav a[data-page=operate]');
      await heading(tenant.page, 'Operate');
      await checkPage(tenant.page, 'axe-operate-tenant', violations);
      await tenant.page.close();

      expect(Object.keys(violations)).toHaveLength(12);
      expect(Object.entries(violations).filter(([, v]) => v.length > 0)).toEqual([]);
      expect([...problems, ...tenant.problems]).toEqual([]);
    });
  });
});
