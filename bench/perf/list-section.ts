/**
 * Lists at 5,000 nodes: the whole `GET /apis/anvil.dev/v1/nodes` against a page of 500 of it (`?limit=500`, the page
 * kubectl asks for) and a continued page (`?continue=`), one request at a time from one kept-alive
 * connection to `anvil serve` run as a child process, bodies read whole. Issue 19's goal: a page of 500
 * nodes of a 5,000-node cluster in <= 10 ms. And the dashboard's Cluster page at that size (issue 18): the
 * sums of every node (`/usage/cluster`) and its first page of node usage (`/usage/nodes?limit=200`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantile } from 'simple-statistics';
import type { BenchSection, Row } from './section.js';
import { startServe, stopServe } from './serve-child.js';
import { httpCall } from './http-call.js';

const NODES = 5000;
const PAGE = 500;
/** Nodes the dashboard's Cluster page shows at a time (platform/dashboard/web/cluster-page.js). */
const DASHBOARD_PAGE = 200;

/** One request over `agent`; resolves with the status, the body and its time to the last byte, ms. */
async function call(agent: Agent, url: string, method: 'GET' | 'POST', path: string, token: string, body?: string) {
  const t0 = performance.now();
  const r = await httpCall(agent, url, method, path, { token, body });
  return { ...r, ms: r.receivedAt - t0 };
}

export const listSection: BenchSection = {
  name: 'lists',
  description: `GET /apis/anvil.dev/v1/nodes at ${NODES} nodes: the whole list against a page of ${PAGE} (limit, continue)`,
  async run({ quick, log }): Promise<Row[]> {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-bench-lists-'));
    const server = await startServe(['--state', join(dir, 'state.db'), '--rate-limit', '0']);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const { url, token } = server;
      if (token === undefined) throw new Error('anvil serve printed no first admin token on a new state file');
      const created = await call(agent, url, 'POST', '/apis/anvil.dev/v1/cluster', token, JSON.stringify({ name: 'bench', nodes: NODES }));
      if (created.status !== 201) throw new Error(`create cluster: ${created.status} ${created.text}`);
      const rounds = quick ? 5 : 40;
      const whole: number[] = [];
      const first: number[] = [];
      const next: number[] = [];
      const dashboard: number[] = [];
      let bytes = { whole: 0, page: 0, dashboard: 0 };
      log(`lists: ${rounds} rounds of the whole list, a first page and a continued one`);
      for (let i = 0; i < rounds + 3; i++) {
        const w = await call(agent, url, 'GET', '/apis/anvil.dev/v1/nodes', token);
        const f = await call(agent, url, 'GET', `/apis/anvil.dev/v1/nodes?limit=${PAGE}`, token);
        const cont = (JSON.parse(f.text) as { metadata: { continue: string } }).metadata.continue;
        const n = await call(agent, url, 'GET', `/apis/anvil.dev/v1/nodes?limit=${PAGE}&continue=${encodeURIComponent(cont)}`, token);
        // The Cluster page's two node requests, one after the other as the page makes them.
        const sums = await call(agent, url, 'GET', '/apis/anvil.dev/v1/usage/cluster', token);
        const usage = await call(agent, url, 'GET', `/apis/anvil.dev/v1/usage/nodes?limit=${DASHBOARD_PAGE}`, token);
        if (w.status !== 200 || f.status !== 200 || n.status !== 200 || sums.status !== 200 || usage.status !== 200)
          throw new Error(`list: ${w.status} ${f.status} ${n.status} ${sums.status} ${usage.status}`);
        bytes = { whole: w.text.length, page: n.text.length, dashboard: sums.text.length + usage.text.length };
        if (i < 3) continue; // warm-up
        whole.push(w.ms);
        first.push(f.ms);
        next.push(n.ms);
        dashboard.push(sums.ms + usage.ms);
      }
      const note = (what: string, b: number) =>
        `${rounds} requests in a row, ${what}, ${(b / 1e6).toFixed(2)} MB each; server a child process, one connection`;
      const goal = { max: 10, source: `issue 19: a page of ${PAGE} nodes of ${NODES} in <= 10 ms` };
      return [
        { name: `whole list (${NODES} nodes): p50`, value: quantile(whole, 0.5), unit: 'ms', note: note('no limit', bytes.whole) },
        {
          name: `first page (limit ${PAGE}): p50`,
          value: quantile(first, 0.5),
          unit: 'ms',
          note: note('takes the snapshot', bytes.page),
          target: goal,
        },
        {
          name: `continued page (limit ${PAGE}): p50`,
          value: quantile(next, 0.5),
          unit: 'ms',
          note: note('from the snapshot', bytes.page),
          target: goal,
        },
        {
          name: `continued page (limit ${PAGE}): p99`,
          value: quantile(next, 0.99),
          unit: 'ms',
          note: note('from the snapshot', bytes.page),
        },
        {
          name: `dashboard cluster page (sums + ${DASHBOARD_PAGE} nodes): p50`,
          value: quantile(dashboard, 0.5),
          unit: 'ms',
          note: note(`/usage/cluster then /usage/nodes?limit=${DASHBOARD_PAGE}`, bytes.dashboard),
        },
      ];
    } finally {
      agent.destroy();
      await stopServe(server);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
