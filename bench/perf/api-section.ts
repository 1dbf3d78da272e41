/**
 * The served API: requests per second and p99 latency of the main read and write routes, measured with a
 * bounded hand loop of concurrent fetch (undici) clients against `anvil serve` run as a child process on
 * loopback, on a fresh state file (a 20-node cluster, one tenant).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantile } from 'simple-statistics';
import type { BenchSection, Row } from './section.js';
import { startServe, stopServe } from './serve-child.js';

const CLIENTS = 16;

/** `total` requests over CLIENTS concurrent clients; returns requests/s and the latency of each, ms. */
async function load(
  total: number,
  send: (i: number) => Promise<Response>,
): Promise<{ rate: number; latencies_ms: number[]; errors: number }> {
  const latencies_ms: number[] = [];
  let next = 0;
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        const res = await send(i);
        await res.arrayBuffer();
        latencies_ms.push(performance.now() - t0);
        if (!res.ok) errors++;
      }
    }),
  );
  return { rate: total / ((performance.now() - start) / 1000), latencies_ms, errors };
}

/** ExtenderArgs for pod i over the bench cluster's 20 nodes (node01..node20). */
function filterArgs(i: number): unknown {
  return {
    Pod: {
      metadata: { name: `k8s-${i}`, namespace: 'a', uid: `uid-${i}` },
      spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    },
    NodeNames: Array.from({ length: 20 }, (_, n) => `node${String(n + 1).padStart(2, '0')}`),
  };
}

export const apiSection: BenchSection = {
  name: 'api',
  description: `anvil serve on loopback: requests/s and p99 latency of the main routes, ${CLIENTS} concurrent clients`,
  async run({ quick, log }): Promise<Row[]> {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-bench-api-'));
    // The bench measures throughput: the per-token rate limit would answer most of it 429.
    const server = await startServe(['--state', join(dir, 'state.db'), '--rate-limit', '0']);
    const { url } = server;
    const token = server.token;
    if (token === undefined) throw new Error('anvil serve printed no first admin token on a new state file');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown) => fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    try {
      await post('/api/v1/cluster', { name: 'bench', nodes: 20 });
      await post('/api/v1/namespaces', { name: 'a' });
      const total = quick ? 200 : 3000;
      const routes: [string, (i: number) => Promise<Response>][] = [
        ['GET /api/v1/nodes', () => fetch(`${url}/api/v1/nodes`, { headers })],
        ['GET /api/v1/namespaces/a/volumes', () => fetch(`${url}/api/v1/namespaces/a/volumes`, { headers })],
        ['POST /api/v1/namespaces/a/volumes', (i) => post('/api/v1/namespaces/a/volumes', { name: `v${i}`, size_bytes: 2 ** 30 })],
        // What kube-scheduler sends per pod with nodeCacheCapable: the pod and every candidate node's name.
        [
          'POST /scheduler/filter (20 nodes)',
          (i) =>
            fetch(`${url}/scheduler/filter`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(filterArgs(i)),
            }),
        ],
        [
          'POST /scheduler/prioritize (20 nodes)',
          (i) =>
            fetch(`${url}/scheduler/prioritize`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(filterArgs(i)),
            }),
        ],
        ['GET /healthz (floor)', () => fetch(`${url}/healthz`)],
      ];
      const rows: Row[] = [];
      for (const [name, send] of routes) {
        log(`api: ${name}, ${total} requests`);
        const r = await load(total, send);
        const note = `${total} requests, ${CLIENTS} clients, ${r.errors} errors; server a child process`;
        rows.push({ name: `${name}: rate`, value: r.rate, unit: 'requests/s', note });
        rows.push({ name: `${name}: p99`, value: quantile(r.latencies_ms, 0.99), unit: 'ms', note });
      }
      return rows;
    } finally {
      await stopServe(server);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
