/**
 * The served API: requests per second and p99 latency of the main read and write routes under load from
 * autocannon (16 connections, a fixed time each), against `anvil serve` run as a child process on loopback,
 * on a fresh state file (a 20-node cluster, one tenant, one network). A bare Fastify route (its own
 * process, floor-child.ts) is measured in the same run as the floor, just before each route, and every rate
 * is also printed as a ratio to the floor measured just before it, so that the figures say what Anvil adds
 * whatever the machine's load. The floor and each read route are warmed up first (WARM_UP_SECONDS): the
 * figures are a running server's, not V8's compiling.
 * Volume creates are bound by the WAL's fsync latency and by how much CPU the server gets, both of which
 * other processes on a shared machine move a lot (one 5 s run read anywhere from 1,000 to 3,400/s at load 6 to
 * 15 on 2 cores): they are measured in several rounds and printed as the median with the spread, the load
 * average, and the server's own CPU time per create (user + system, from /proc), which the machine's load
 * hardly moves.
 */
import { median } from 'simple-statistics';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { BenchSection, Row } from './section.js';
import { startFloor } from './floor-child-process.js';
import { startServe, stopServe } from './serve-child.js';

const CONNECTIONS = 16;
/**
 * Seconds of load on the floor and on each read route before its measured seconds, not counted: V8 compiles
 * a server's request path as it runs it (a fresh anvil serve spends ~39 us of CPU per authenticated small
 * read in its first second, ~22 us from its second on), and the route measured first (or the floor, on less
 * code) would pay that in its figures. Not the writes: their warm-up would fill the cluster the create rounds measure.
 */
const WARM_UP_SECONDS = 1;
/** Volumes made before the list is read, and the page it asks for. */
const LISTED_VOLUMES = 100;
/** Rounds of volume creates (the median is printed), and each one's length, s (full run; --quick: 1 of 1 s). */
const CREATE_ROUNDS = 5;
const CREATE_ROUND_SECONDS = 3;
/** Acknowledged volume creates/s the issue asks of the server with 16 clients (issue 19). */
const VOLUME_CREATES_TARGET = 2000;

interface Load {
  rate: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
  /** Requests answered in all. */
  total: number;
}

/** CPU time (user, system) of process `pid` so far, ms; undefined where /proc is not there (not Linux). */
function cpuMsOf(pid: number | undefined): { user: number; system: number } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, fields 14 and 15 of proc(5), in clock ticks (100 a second on Linux).
    return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
  } catch {
    return undefined;
  }
}

/** `seconds` of autocannon against `url` with CONNECTIONS connections. */
async function load(url: string, seconds: number, options: Partial<autocannon.Options> = {}): Promise<Load> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, ...options });
  // Only 2xx answers count in the rate: a refusal (409 once the cluster is full) is no acknowledged create.
  const answered = r.requests.total > 0 ? r['2xx'] / r.requests.total : 0;
  return {
    rate: r.requests.average * answered,
    p99_ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    total: r.requests.total,
  };
}

/** WARM_UP_SECONDS of load on `url` with CONNECTIONS connections, its figures dropped. */
async function warmUp(url: string, options: Partial<autocannon.Options>): Promise<void> {
  await autocannon({ url, connections: CONNECTIONS, duration: WARM_UP_SECONDS, ...options });
}

/** ExtenderArgs for pod i over 20 of the bench cluster's nodes (node01..node20) as candidates. */
function filterArgs(i: number): string {
  return JSON.stringify({
    Pod: {
      metadata: { name: `k8s-${i}`, namespace: 'a', uid: `uid-${i}` },
      spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    },
    NodeNames: Array.from({ length: 20 }, (_, n) => `node${String(n + 1).padStart(2, '0')}`),
  });
}

/** A Kubernetes Pod named p`i` with a small request, as kubectl sends it. */
function podManifest(i: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}` },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });
}

export const apiSection: BenchSection = {
  name: 'api',
  description: `anvil serve on loopback under autocannon (${CONNECTIONS} connections): requests/s, as a ratio to a bare Fastify route, and p99`,
  async run({ quick, log }): Promise<Row[]> {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-bench-api-'));
    // The bench measures throughput: the per-token rate limit would answer most of it 429.
    const server = await startServe(['--state', join(dir, 'state.db'), '--rate-limit', '0']);
    const floor = await startFloor();
    const { url } = server;
    const token = server.token;
    if (token === undefined) throw new Error('anvil serve printed no first admin token on a new state file');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown) => fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    try {
      // 40 nodes hold 81,920 volumes (2,048 each): room for the create rounds at ~5,000/s; a full cluster
      // would answer 409 (refusals are not counted as creates).
      await post('/apis/anvil.dev/v1/cluster', { name: 'bench', nodes: 40 });
      await post('/apis/anvil.dev/v1/networks', {
        name: 'pods',
        subnet: '10.64.0.0/16',
        start: '10.64.0.10',
        end: '10.64.250.250',
        gateway: '10.64.0.1',
      });
      await post('/apis/anvil.dev/v1/namespaces', { name: 'a' });
      // A full page for the volume list to read (the create rounds come after it).
      for (let i = 0; i < LISTED_VOLUMES; i++) {
        const r = await post('/apis/anvil.dev/v1/namespaces/a/volumes', { name: `listed-${i}`, size_bytes: 2 ** 30 });
        if (r.status !== 201) throw new Error(`volume listed-${i}: ${r.status} ${await r.text()}`);
      }
      const seconds = quick ? 1 : 5;
      let volume = 0;
      let pod = 0;
      let podCreated = 0;
      const routes: [string, string, Partial<autocannon.Options>][] = [
        ['GET /healthz', `${url}/healthz`, {}],
        ['GET /apis/anvil.dev/v1/namespaces (authenticated, small)', `${url}/apis/anvil.dev/v1/namespaces`, { headers }],
        ['GET /apis/anvil.dev/v1/nodes (40 nodes)', `${url}/apis/anvil.dev/v1/nodes`, { headers }],
        [
          `GET /apis/anvil.dev/v1/namespaces/a/volumes (a page of ${LISTED_VOLUMES})`,
          `${url}/apis/anvil.dev/v1/namespaces/a/volumes?limit=${LISTED_VOLUMES}`,
          { headers },
        ],
        // Each answered 201 only once durable: the server group-commits concurrent changes and fsyncs the WAL in
        // the background, one fsync covering the groups committed before it started (state/durability.ts).
        [
          'POST /apis/anvil.dev/v1/namespaces/a/volumes',
          `${url}/apis/anvil.dev/v1/namespaces/a/volumes`,
          {
            method: 'POST',
            headers,
            requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `v${volume++}`, size_bytes: 2 ** 30 }) }) }],
          },
        ],
        // A Pod through the Kubernetes facade: group-committed as the volumes are, and the pods of one group are
        // placed on one scheduler's view (built once per group). Past the 40 nodes' VFs (63 each) pods stay pending.
        [
          'POST /api/v1/namespaces/a/pods (pods placed, group-committed)',
          `${url}/api/v1/namespaces/a/pods`,
          {
            method: 'POST',
            headers,
            requests: [{ setupRequest: (req) => ({ ...req, body: podManifest(podCreated++) }) }],
          },
        ],
        // What kube-scheduler sends per pod with nodeCacheCapable: the pod and every candidate node's name.
        [
          'POST /scheduler/filter (20 candidate nodes)',
          `${url}/scheduler/filter`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            requests: [{ setupRequest: (req) => ({ ...req, body: filterArgs(pod++) }) }],
          },
        ],
      ];
      log(`api: the floor, a bare Fastify route, warmed up`);
      await warmUp(`${floor.url}/floor`, {});
      const rows: Row[] = [];
      const floorRates: number[] = [];
      for (const [name, target, options] of routes) {
        // The floor again just before each route: the machine's load moves within a run (another process on
        // the same cores can halve the floor from one route to the next), and a ratio is to the floor of its moment.
        const bare = await load(`${floor.url}/floor`, seconds);
        floorRates.push(bare.rate);
        const creates = name.startsWith('POST /apis/anvil.dev/v1/namespaces/a/volumes');
        const rounds = creates && !quick ? CREATE_ROUNDS : 1;
        const roundSeconds = creates && !quick ? CREATE_ROUND_SECONDS : seconds;
        log(`api: ${name}, ${rounds === 1 ? '' : `${rounds} rounds of `}${roundSeconds} s`);
        if (name.startsWith('GET ')) await warmUp(target, options);
        const cpuBefore = cpuMsOf(server.child.pid);
        const runs: Load[] = [];
        const loads: string[] = [];
        for (let i = 0; i < rounds; i++) {
          runs.push(await load(target, roundSeconds, options));
          loads.push(loadavg()[0]!.toFixed(1));
        }
        const cpuAfter = cpuMsOf(server.child.pid);
        const rates = runs.map((run) => run.rate);
        const r: Load = {
          rate: median(rates),
          p99_ms: median(runs.map((run) => run.p99_ms)),
          non2xx: runs.reduce((n, run) => n + run.non2xx, 0),
          errors: runs.reduce((n, run) => n + run.errors, 0),
          total: runs.reduce((n, run) => n + run.total, 0),
        };
        const spread =
          rounds === 1
            ? `${roundSeconds} s, load average ${loads[0]}`
            : `median of ${rounds} rounds of ${roundSeconds} s: ${rates.map((x) => Math.round(x)).join(', ')}/s; load average ${loads.join(', ')}`;
        const note = `${spread}; ${CONNECTIONS} connections, ${r.non2xx} non-2xx, ${r.errors} errors; server a child process`;
        rows.push({
          name: `${name}: rate`,
          value: r.rate,
          unit: 'requests/s',
          note,
          ...(creates
            ? {
                target: {
                  min: VOLUME_CREATES_TARGET,
                  source: 'issue 19: >= 2,000 acknowledged volume creates/s with 16 clients (group commit)',
                },
              }
            : {}),
        });
        rows.push({
          name: `${name}: x the floor`,
          value: r.rate / bare.rate,
          unit: 'x',
          note: `floor ${Math.round(bare.rate)} requests/s, measured (${seconds} s) just before it`,
          ...(name.includes('authenticated')
            ? { target: { min: 0.5, source: 'issue 19: authenticated small reads >= 0.5x a bare Fastify route' } }
            : {}),
        });
        rows.push({ name: `${name}: p99`, value: r.p99_ms, unit: 'ms', note: rounds === 1 ? note : `median of the rounds' p99; ${note}` });
        if (cpuBefore !== undefined && cpuAfter !== undefined && r.total > 0) {
          const user = ((cpuAfter.user - cpuBefore.user) * 1000) / r.total;
          const system = ((cpuAfter.system - cpuBefore.system) * 1000) / r.total;
          rows.push({
            name: `${name}: server CPU per request`,
            value: user + system,
            unit: 'us',
            note: `user ${Math.round(user)} + system ${Math.round(system)} us over ${r.total} requests (/proc, all the server's threads); the machine's load hardly moves it`,
          });
        }
        if (creates)
          rows.push({
            name: `${name}: x the 2,000/s target`,
            value: r.rate / VOLUME_CREATES_TARGET,
            unit: 'x',
            note: `issue 19: >= 2,000 acknowledged volume creates/s with ${CONNECTIONS} clients (1.00 meets it)`,
          });
      }
      rows.unshift({
        name: 'bare Fastify GET (the floor)',
        value: median(floorRates),
        unit: 'requests/s',
        note: `median of ${floorRates.length} runs of ${seconds} s (${floorRates.map((x) => Math.round(x)).join(', ')}/s), one just before each route, ${CONNECTIONS} connections, its own process; each ratio below is to the run before it`,
      });
      return rows;
    } finally {
      floor.child.kill('SIGTERM');
      await stopServe(server);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
