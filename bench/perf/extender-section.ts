/**
 * The scheduler extender at 5,000 nodes, called as kube-scheduler calls it with `nodeCacheCapable: true`:
 * one pod at a time, each pod's filter with every candidate's name, then prioritize with the names that
 * passed, then bind to the best. `anvil serve` runs as a child process on loopback (as beside
 * kube-scheduler); the client sends bodies encoded beforehand over one kept-alive connection and stops the
 * clock when the answer's last byte arrives (before decoding it), so the figures are the server's and the
 * wire's. Two runs: pods in a row without binding (the state unchanged
 * between pods: the issue's figures were taken so) and the whole cycle with bind (the state changes each pod).
 */
import { Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantile } from 'simple-statistics';
import type { BenchSection, Row } from './section.js';
import { startServe, stopServe } from './serve-child.js';
import { startFloor } from './floor-child-process.js';
import { serverP99Bound } from './server-duration.js';
import { httpCall } from './http-call.js';

const NODES = 5000;
const ISSUE = 'issue 19';

/** A POST of `body` to `path`: kube-scheduler's calls, timed to the answer's last byte (http-call.ts). */
const post = (agent: Agent, url: string, path: string, body: string | Buffer, token?: string) =>
  httpCall(agent, url, 'POST', path, { token, body });

/** What kube-scheduler sends for pod `name`: the pod (core/v1, as it encodes it) and the candidates' names. */
function podArgs(run: string, i: number, nodeNames: readonly string[]): string {
  const name = `${run}-${i}`;
  return JSON.stringify({
    Pod: {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name, namespace: 'bench', uid: `uid-${name}`, labels: { app: run } },
      spec: {
        containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
        schedulerName: 'default-scheduler',
      },
    },
    Nodes: null,
    NodeNames: nodeNames,
  });
}

interface Timings {
  filter: number[];
  prioritize: number[];
  bind: number[];
  errors: number;
}

/** `pods` pods one after another: filter, prioritize, and (with `bind`) bind to the best-scored node. */
async function cycle(agent: Agent, url: string, run: string, pods: number, names: readonly string[], bind: boolean): Promise<Timings> {
  const t: Timings = { filter: [], prioritize: [], bind: [], errors: 0 };
  for (let i = 0; i < pods; i++) {
    const filterBody = Buffer.from(podArgs(run, i, names));
    let t0 = performance.now();
    const f = await post(agent, url, '/scheduler/filter', filterBody);
    t.filter.push(f.receivedAt - t0);
    const filtered = JSON.parse(f.text) as { NodeNames: string[] | null; Error: string };
    if (f.status !== 200 || filtered.Error !== '' || !filtered.NodeNames?.length) {
      t.errors++;
      continue;
    }
    const prioritizeBody = Buffer.from(podArgs(run, i, filtered.NodeNames));
    t0 = performance.now();
    const p = await post(agent, url, '/scheduler/prioritize', prioritizeBody);
    t.prioritize.push(p.receivedAt - t0);
    if (!bind) continue;
    const scores = JSON.parse(p.text) as { Host: string; Score: number }[];
    const best = scores.reduce((a, b) => (b.Score > a.Score ? b : a));
    const bindBody = Buffer.from(
      JSON.stringify({ PodName: `${run}-${i}`, PodNamespace: 'bench', PodUID: `uid-${run}-${i}`, Node: best.Host }),
    );
    t0 = performance.now();
    const b = await post(agent, url, '/scheduler/bind', bindBody);
    t.bind.push(b.receivedAt - t0);
    if (b.status !== 200 || (JSON.parse(b.text) as { Error: string }).Error !== '') t.errors++;
  }
  return t;
}

const p50 = (xs: number[]) => (xs.length ? quantile(xs, 0.5) : null);
const p99 = (xs: number[]) => (xs.length ? quantile(xs, 0.99) : null);

export const extenderSection: BenchSection = {
  name: 'extender',
  description: `the scheduler extender at ${NODES} nodes, sequential as kube-scheduler (nodeCacheCapable) calls it`,
  async run({ quick, log }): Promise<Row[]> {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-bench-extender-'));
    const server = await startServe(['--state', join(dir, 'state.db'), '--rate-limit', '0']);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const floor = await startFloor();
    try {
      const { url, token } = server;
      if (token === undefined) throw new Error('anvil serve printed no first admin token on a new state file');
      const setup = async (path: string, body: unknown) => {
        const r = await post(agent, url, path, JSON.stringify(body), token);
        if (r.status >= 300) throw new Error(`${path}: ${r.status} ${r.text}`);
      };
      log(`extender: a ${NODES}-node cluster`);
      await setup('/apis/anvil.dev/v1/cluster', { name: 'bench', nodes: NODES });
      await setup('/apis/anvil.dev/v1/networks', {
        name: 'pods',
        subnet: '10.64.0.0/12',
        start: '10.64.0.10',
        end: '10.79.255.250',
        gateway: '10.64.0.1',
      });
      await setup('/apis/anvil.dev/v1/namespaces', { name: 'bench' });
      const names = Array.from({ length: NODES }, (_, n) => `node${String(n + 1).padStart(4, '0')}`);
      // 1,000 pods: a p99 over 200 is the second-worst call, one stray hiccup of the machine's away.
      const pods = quick ? 20 : 1000;
      // Warm-up: the first calls compile the routes' code and build the scheduling view.
      await cycle(agent, url, 'warm', quick ? 3 : 20, names, false);
      log(`extender: ${pods} pods, filter and prioritize`);
      const scrape = async () => {
        const r = await httpCall(agent, url, 'GET', '/metrics', { token });
        if (r.status !== 200) throw new Error(`/metrics: ${r.status} ${r.text}`);
        return r.text;
      };
      const metricsBefore = await scrape();
      const read = await cycle(agent, url, 'read', pods, names, false);
      const metricsAfter = await scrape();
      log(`extender: ${pods} pods, filter, prioritize and bind`);
      const full = await cycle(agent, url, 'bind', pods, names, true);
      log(`extender: ${pods} pods against a bare Fastify server (the floor: same JSON in and out, no decision)`);
      const floorAgent = new Agent({ keepAlive: true, maxSockets: 1 });
      await cycle(floorAgent, floor.url, 'warm', quick ? 3 : 20, names, false);
      const bare = await cycle(floorAgent, floor.url, 'read', pods, names, false);
      floorAgent.destroy();
      const note = (t: Timings) =>
        `${pods} pods in a row, ${NODES} candidates each, ${t.errors} errors; server a child process, one connection`;
      const rows: Row[] = [];
      const latency = (name: string, xs: number[], t: Timings, goal?: { p50: number; p99: number; was: string }) => {
        rows.push({
          name: `${name}: p50`,
          value: p50(xs),
          unit: 'ms',
          note: note(t) + (goal ? `; before: ${goal.was}` : ''),
          ...(goal ? { target: { max: goal.p50, source: `${ISSUE}: p50 <= ${goal.p50} ms` } } : {}),
        });
        rows.push({
          name: `${name}: p99`,
          value: p99(xs),
          unit: 'ms',
          note: note(t),
          ...(goal ? { target: { max: goal.p99, source: `${ISSUE}: p99 <= ${goal.p99} ms` } } : {}),
        });
      };
      latency('filter, no binds between pods', read.filter, read, { p50: 1, p99: 3, was: 'p50 12.8 ms, p99 46 ms (issue 19)' });
      latency('prioritize, no binds between pods', read.prioritize, read, { p50: 1, p99: 3, was: 'p50 13.1 ms, p99 60 ms (issue 19)' });
      const ratio = (name: string, anvil: number[], floorMs: number[]) =>
        rows.push({
          name: `${name}: p50, x the bare Fastify floor`,
          value: (p50(anvil) ?? NaN) / (p50(floorMs) ?? NaN),
          unit: 'x',
          note: `floor p50 ${(p50(floorMs) ?? NaN).toFixed(2)} ms: a bare Fastify route parsing the same ExtenderArgs and answering the same shape, its own process, same run`,
        });
      ratio('filter', read.filter, bare.filter);
      ratio('prioritize', read.prioritize, bare.prioritize);
      // The floor's own tail, same run: what this machine's HTTP over loopback gives a route that decides nothing.
      const floorTail = (name: string, anvil: number[], floorMs: number[]) =>
        rows.push({
          name: `${name}: p99 of the bare Fastify floor`,
          value: p99(floorMs),
          unit: 'ms',
          note: `the same ${pods} bodies to a bare Fastify route (parse, answer the same shape, no decision); Anvil's p99 is ${((p99(anvil) ?? NaN) / (p99(floorMs) ?? NaN)).toFixed(2)}x it`,
        });
      floorTail('filter', read.filter, bare.filter);
      floorTail('prioritize', read.prioritize, bare.prioritize);
      // Anvil's own part of the tail: its duration histogram over the same calls (the route's hooks to the socket).
      for (const verb of ['filter', 'prioritize']) {
        const own = serverP99Bound(metricsBefore, metricsAfter, `/scheduler/${verb}`);
        rows.push({
          name: `${verb}: p99 in the server, at most`,
          value: own?.bound_ms ?? null,
          unit: 'ms',
          note:
            own === null
              ? 'no answers counted in anvil_http_request_duration_seconds between the scrapes'
              : `${(own.share * 100).toFixed(1)}% of ${own.answers} answers within it (anvil_http_request_duration_seconds, the least bucket bound 99% reach${own.bound_ms === null ? ': none below 1 s' : ''}; from the route's hooks to the socket: not the wire, the client or the server's wait before the route)`,
        });
      }
      latency('filter, after a bind', full.filter, full);
      latency('prioritize, after a bind', full.prioritize, full);
      latency('bind', full.bind, full);
      const perPod = (t: Timings, withBind: boolean) => {
        const ms = (p50(t.filter) ?? NaN) + (p50(t.prioritize) ?? NaN) + (withBind ? (p50(t.bind) ?? NaN) : 0);
        return 1000 / ms;
      };
      rows.push({
        name: 'pods/s the extender allows (filter + prioritize p50)',
        value: perPod(read, false),
        unit: 'pods/s',
        note: `kube-scheduler's own pace at ${NODES} nodes ~300 pods/s, Godel's ~1,000; before: ~38 pods/s (issue 19)`,
        target: { min: 500, source: `${ISSUE}: filter and prioritize p50 <= 1 ms each` },
      });
      rows.push({
        name: 'pods/s the extender allows with bind (filter + prioritize + bind p50)',
        value: perPod(full, true),
        unit: 'pods/s',
        note: 'each bind places the pod in Anvil (one committed change, fsync) and changes the state the next pod is assessed on',
      });
      return rows;
    } finally {
      agent.destroy();
      floor.child.kill('SIGTERM');
      await stopServe(server);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
