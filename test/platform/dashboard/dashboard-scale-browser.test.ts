/**
 * Issue 18 in headless Chromium at scale: 5,000 nodes and 50,000 pods, built in process through the store
 * (one change: the cluster, a /16 for the pods, ten Deployments of 5,000 small pods, a workload's bound).
 * The Cluster page shows the sums of every node (one small answer) and the first 200 of them, and the next
 * 200 follow on; the Pods page shows its first 500; neither asks for a whole list: every list request is
 * paged, no answer is larger than a page's worth, and the cluster's status (every node) is never asked for.
 * What is checked is the page's behaviour, never its speed (that is `npm run bench`'s lists section).
 *
 * The store's in-place-edit verifier (ANVIL_STORE_VERIFY, which the tests set) compares every object's JSON
 * on every read: about 2 s a request at 50,000 pods, with the browser waiting on this same process. It is
 * turned off for this file only, before the store is loaded; every other test keeps it.
 */
process.env.ANVIL_STORE_VERIFY = '0';

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeNeeds } from '../../needs.js';
import { ARTEFACTS, chromium, launchBrowser, logIn, openPage } from './browser-harness.js';

const NODES = 5000;
const PODS = 50_000;
/** A workload's most replicas (one apply's bound). */
const REPLICAS = 5000;
const V1 = '/apis/anvil.dev/v1/';

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${REPLICAS}
  template:
    spec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: 10m, memory: 16Mi } } }] }
`;

let browser: Browser;
let close: () => Promise<void>;
let origin: string;
let admin: string;

/** Every API answer the page gets: its URL and its size in bytes (Content-Length). */
function recordAnswers(page: Page): { url: URL; bytes: number }[] {
  const answers: { url: URL; bytes: number }[] = [];
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith(V1)) answers.push({ url, bytes: Number(r.headers()['content-length'] ?? NaN) });
  });
  return answers;
}

describeNeeds('headless Chromium', chromium !== undefined)('the dashboard with 5,000 nodes and 50,000 pods', () => {
  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    // Loaded after the verifier is turned off above (a static import would load the store first).
    const { buildServer, bootstrapAdmin } = await import('../../../platform/api/server.js');
    const { localAdmin } = await import('../../../platform/domain/tenancy.js');
    const { parseManifestText } = await import('../../../platform/manifests/documents.js');
    const { planApply, runApply } = await import('../../../platform/manifests/apply.js');
    const { app, api } = await buildServer({ statePath: ':memory:' });
    admin = bootstrapAdmin(api)!;
    api.store.change(localAdmin('admin'), 'seed', 'seed', (cp) => {
      cp.createCluster({ name: 'big', nodes: NODES });
      cp.createNetwork({ name: 'pods', subnet: '10.64.0.0/16', start: '10.64.0.10', end: '10.64.255.250', gateway: '10.64.0.1' });
      cp.createTenant('t');
      for (let i = 0; i * REPLICAS < PODS; i++) runApply(cp, planApply(parseManifestText(deployment(`web${i}`), 'web.yaml'), 't', false));
    });
    expect(api.store.read((s) => [s.nodes.size, [...s.pods.values()].filter((p) => p.status.state === 'running').length])).toEqual([
      NODES,
      PODS,
    ]);
    origin = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
    close = () => app.close();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  it('the cluster page shows the sums of every node and one page of them; the pods page its first page; no list is fetched whole', async () => {
    const { page, problems } = await openPage(browser, origin);
    const answers = recordAnswers(page);
    await logIn(page, origin, admin);
    await page.waitForSelector('main figure svg');
    // The cards count every node and pod (the server's sums); the table holds the first page.
    const cards = await page.locator('main .card').allTextContents();
    expect(cards.slice(0, 2)).toEqual([`${NODES}nodes (${NODES} ready)`, `${PODS}pods running`]);
    const nodes = page.locator('main section[aria-label=nodes]');
    expect(await nodes.locator('table tbody tr').count()).toBe(200);
    expect(await nodes.locator('> p.note').textContent()).toBe(`nodes 1 to 200 shown, ${NODES - 200} more`);
    const firstPage = await nodes.locator('table tbody tr td:first-child').allTextContents();
    // The next page follows on from the first, with no node twice.
    await nodes.locator('.pager button').click();
    await page.waitForSelector(`main section[aria-label=nodes] > p.note:has-text("nodes 201 to 400 shown, ${NODES - 400} more")`);
    const secondPage = await page.locator('main section[aria-label=nodes] table tbody tr td:first-child').allTextContents();
    expect(secondPage).toHaveLength(200);
    expect(secondPage.filter((n) => firstPage.includes(n))).toEqual([]);
    // The keyboard carries on from the new page (the button it pressed went with the old one).
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(`nodes 201 to 400 shown, ${NODES - 400} more`);
    await page.screenshot({ path: join(ARTEFACTS, 'cluster-5000-nodes.png') });

    await page.click('nav a[data-page=pods]');
    await page.waitForSelector('main section[aria-label=pods] table');
    expect(await page.locator('main section[aria-label=pods] table tbody tr').count()).toBe(500);
    expect(await page.locator('main section[aria-label=pods] > p.note').textContent()).toBe(`500 pods shown, ${PODS - 500} more`);
    await page.screenshot({ path: join(ARTEFACTS, 'pods-50000-pods.png') });

    // Lists of nodes and pods come only in pages; the cluster's status (every node) is never asked for;
    // no answer is larger than a page's worth (a page of 500 pods is about a third of a megabyte).
    const paths = answers.map((a) => a.url.pathname.slice(V1.length));
    expect(paths).toEqual(expect.arrayContaining(['usage/cluster', 'usage/nodes', 'pods']));
    expect(paths).not.toContain('cluster');
    const lists = answers.filter((a) => ['usage/nodes', 'pods', 'nodes', 'volumes'].includes(a.url.pathname.slice(V1.length)));
    expect(lists.filter((a) => !a.url.searchParams.has('limit')).map((a) => a.url.href)).toEqual([]);
    expect(answers.every((a) => a.bytes > 0 && a.bytes < 1_000_000)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
