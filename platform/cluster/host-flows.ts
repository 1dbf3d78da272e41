/**
 * A scenario's network flows on a realised host: per flow an iperf3 server in the receiving pod's
 * namespace and cgroup and a client in the sender's, TCP for the scenario's duration (paced at the
 * offered rate, or as fast as the path allows for `saturate`), read into the summary's flows and the
 * flows table's series.
 */
import { findIperf3, parseIperf3 } from '../../bench/net/iperf3.js';
import type { ScenarioFlow } from '../../bench/scenario/load.js';
import { runBounded, startBackground, type Background } from '../../bench/targets/host/bounded-process.js';
import type { RealisedHost } from '../../bench/targets/host/realise/realiser.js';
import type { HostNodePlan, HostPodPlan } from '../../bench/targets/host/realise/host-plan.js';
import { AnvilError } from '../errors.js';
import type { FlowSummary } from './network-summary.js';
import type { FlowSeries } from './result-tables.js';

const BASE_PORT = 5301;
/** Time an iperf3 server gets to start listening, ms. */
const SERVER_START_MS = 10_000;

export interface HostFlowResult {
  readonly summary: FlowSummary;
  readonly series: FlowSeries;
}

async function listening(server: Background, what: string): Promise<void> {
  for (let waited = 0; waited < SERVER_START_MS; waited += 20) {
    if (/Server listening/.test(server.output().stdout)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new AnvilError('ANVIL_ERR_HOST_SETUP', `iperf3 server for ${what} did not start: ${server.output().stderr.trim()}`);
}

/**
 * Runs every flow at once for `duration_s`; flows whose pods were not realised (pending) are left out.
 * A flow between pods of two nodes crosses both nodes' uplinks into the ToR (its `links`, by each node's
 * pods port); one within a node stays on the node's bridge (no links, as the model's embedded switch).
 */
export async function runHostFlows(
  flows: readonly ScenarioFlow[],
  host: RealisedHost,
  pods: ReadonlyMap<string, HostPodPlan>,
  nodes: readonly HostNodePlan[],
  duration_s: number,
  interval_s: number,
): Promise<HostFlowResult[]> {
  const runnable = flows.filter((f) => host.pods.has(f.from) && host.pods.has(f.to));
  if (runnable.length === 0) return [];
  const iperf3 = findIperf3();
  const bound_ms = (duration_s + 30) * 1000;
  const servers: Background[] = [];
  try {
    for (const [i, f] of runnable.entries()) {
      const to = host.pods.get(f.to)!;
      const server = startBackground(
        host.execPrefix(f.to)[0]!,
        [...host.execPrefix(f.to).slice(1), iperf3, '-s', '-1', '--forceflush', '-B', to.ip, '-p', `${BASE_PORT + i}`],
        { timeout_ms: bound_ms, label: 'iperf3 server' },
      );
      servers.push(server);
      await listening(server, `${f.from} -> ${f.to}`);
    }
    return await Promise.all(
      runnable.map(async (f, i) => {
        const from = host.pods.get(f.from)!;
        const to = host.pods.get(f.to)!;
        const prefix = host.execPrefix(f.from);
        const args = [
          ...prefix.slice(1),
          iperf3,
          '-c',
          to.ip,
          '-p',
          `${BASE_PORT + i}`,
          '-B',
          from.ip,
          '-t',
          `${duration_s}`,
          '-i',
          `${interval_s}`,
          '-l',
          `${f.message_bytes}`,
          '--connect-timeout',
          '3000',
          '--json',
          ...(f.rate_bits_per_s === 'saturate' ? [] : ['-b', `${Math.round(f.rate_bits_per_s)}`]),
        ];
        const r = await runBounded(prefix[0]!, args, { timeout_ms: bound_ms, label: `iperf3 client ${f.from} -> ${f.to}` });
        const measured = parseIperf3(r.stdout, i);
        const plan = pods.get(f.from);
        const window_ns = measured.rows.reduce((a, row) => a + row.interval_ns, 0);
        const bytes = measured.rows.reduce((a, row) => a + row.bytes, 0);
        const fromNode = nodes[from.node]!;
        const toNode = nodes[to.node]!;
        const summary: FlowSummary = {
          from: f.from,
          to: f.to,
          tenant: f.from.slice(0, f.from.indexOf('/')),
          from_node: fromNode.name,
          to_node: toNode.name,
          offered: f.rate_bits_per_s,
          message_bytes: f.message_bytes,
          min_bits_per_s: plan?.rate_bits_per_s ?? 0,
          max_bits_per_s: plan?.ceil_bits_per_s ?? null,
          delivered_bits_per_s: Math.round(measured.received_bps),
          mean_latency_ns: 0,
          links: from.node === to.node ? [] : [`${fromNode.name}/${fromNode.port}`, `${toNode.name}/${toNode.port}`],
        };
        const series: FlowSeries = {
          intervals: measured.rows.map((row) => ({
            time_ns: row.time_ns,
            interval_ns: row.interval_ns,
            ios: Math.round(row.bytes / f.message_bytes),
            bytes: row.bytes,
            clat_mean_ns: 0,
            clat_p50_ns: 0,
            clat_p99_ns: 0,
            clat_p999_ns: 0,
            clat_max_ns: 0,
          })),
          windowEnd_ns: window_ns,
          window_ns,
          messages: Math.round(bytes / f.message_bytes),
          bytes,
          latency_mean_ns: 0,
          latency_p99_ns: 0,
        };
        return { summary, series };
      }),
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
