/**
 * A cluster run's own Arrow tables, beside the job tables (`jobs.arrow`, `intervals.arrow`, ... with the
 * pod, volume, tenant, node and, in compare mode, stack columns). Each has a `stack` column on every run,
 * so one stack's tables and compare mode's read the same way:
 *
 * - `nodes.arrow`: per stack and node, the CPU each class used (compare.ts `nodeColumns`).
 * - `flows.arrow`: per stack, flow and interval of the network flows, plus one row per flow for its whole
 *   measurement window. The `scope` column tells them apart ('interval' or 'window'); `time_ns` and
 *   `interval_ns` mean what they mean in `intervals.arrow` (the end of the row's span and its length), so
 *   a window row spans the measurement window as a `jobs.arrow` row does.
 * - `drives.arrow` and `links.arrow`: per stack and drive, per stack and NIC port. They are tables of their
 *   own rather than columns of `nodes.arrow` because a node has several drives and ports: a user asks which
 *   drive or port is hot, and folding them into one node row would hide it. Each row carries `stack` and
 *   `node`, the keys of `nodes.arrow` and the `node` label of the job tables, so a join on (stack, node)
 *   puts a node's CPU, drives, links and pods side by side.
 */
import type { Column } from '../../bench/results/arrow-tables.js';
import { columns, push } from '../../bench/results/table-columns.js';
import type { IntervalRow } from '../../sim/measure/measured-job.js';
import type { StackName } from '../../bench/scenario/schema.js';
import type { AssembledNetwork } from './assemble-network.js';
import { nodeColumns } from './compare.js';
import type { ScenarioSummary } from './scenario-summary.js';

/** What a flow measured, for its rows: its interval series and its whole window. */
export interface FlowSeries {
  readonly intervals: readonly IntervalRow[];
  readonly windowEnd_ns: number;
  readonly window_ns: number;
  readonly messages: number;
  readonly bytes: number;
  readonly latency_mean_ns: number;
  readonly latency_p99_ns: number;
}

/** The flows' series after a run, in the order of the summary's `network.flows`. */
export function flowSeries(network: AssembledNetwork): FlowSeries[] {
  return network.flows.map((f) => {
    const w = f.flow.recorder.write;
    return {
      intervals: w.intervals,
      windowEnd_ns: f.flow.recorder.windowEnd_ns,
      window_ns: f.flow.recorder.window_ns,
      messages: w.total_ios,
      bytes: w.io_bytes,
      latency_mean_ns: w.clat.mean_ns,
      latency_p99_ns: w.clat.percentile(99),
    };
  });
}

/** One stack's run, as the tables need it. */
export interface StackResults {
  readonly stack: StackName;
  readonly summary: ScenarioSummary;
  readonly flows: readonly FlowSeries[];
}

/** Columns of `spec` and a push of one row to them. */
function table<K extends string>(
  spec: Record<K, [Column['type'], string]>,
): { cols: Record<K, Column>; push(row: Record<K, string | number>): void } {
  const cols = columns(spec);
  return { cols, push: (row) => push(cols, row) };
}

const STACK: [Column['type'], string] = ['utf8', 'the stack the row ran on: hci (the appliance) or diy'];

/** `flows.arrow`: per stack, flow and interval, and per flow its whole window. */
function flowColumns(stacks: readonly StackResults[]): Column[] {
  const t = table({
    stack: STACK,
    from: ['utf8', 'sending pod, TENANT/NAME'],
    to: ['utf8', 'receiving pod, TENANT/NAME'],
    tenant: ['utf8', "the sending pod's tenant"],
    from_node: ['utf8', 'node of the sending pod, as placed'],
    to_node: ['utf8', 'node of the receiving pod, as placed'],
    links: ['utf8', 'node/port of the links the flow crosses, comma-separated (empty: embedded switch or host bridge)'],
    mode: ['utf8', 'rate (open loop at offered_bits_per_s) or saturate (a closed loop: as fast as it can)'],
    offered_bits_per_s: ['f64', 'offered payload rate, bits/s (0 for a saturating flow)'],
    message_bytes: ['i64', 'payload of each message, bytes'],
    min_bits_per_s: ['f64', "the sender VF's minimum on its port, bits/s (0: none; diy has none)"],
    max_bits_per_s: ['f64', "the sender's maximum on its port, bits/s (Infinity: none)"],
    scope: ['utf8', "interval (one row of the interval series) or window (the flow's whole measurement window)"],
    time_ns: ['i64', "end of the row's span, ns since the start of the run"],
    interval_ns: ['i64', "length of the row's span, ns"],
    messages: ['i64', 'messages that arrived in the span'],
    delivered_bits_per_s: ['f64', 'payload delivered in the span, bits/s'],
    latency_mean_ns: ['f64', 'mean one-way message latency in the span, ns (0 when none arrived)'],
    latency_p99_ns: ['f64', '99th percentile one-way message latency in the span, ns (0 when none arrived)'],
  });
  for (const { stack, summary, flows } of stacks)
    summary.network.flows.forEach((f, i) => {
      const series = flows[i]!;
      const fixed = {
        stack,
        from: f.from,
        to: f.to,
        tenant: f.tenant,
        from_node: f.from_node,
        to_node: f.to_node,
        links: f.links.join(','),
        mode: f.offered === 'saturate' ? 'saturate' : 'rate',
        offered_bits_per_s: f.offered === 'saturate' ? 0 : f.offered,
        message_bytes: f.message_bytes,
        min_bits_per_s: f.min_bits_per_s,
        max_bits_per_s: f.max_bits_per_s ?? Infinity,
      };
      const rate = (bytes: number, span_ns: number) => (span_ns > 0 ? (bytes * 8e9) / span_ns : 0);
      for (const row of series.intervals)
        t.push({
          ...fixed,
          scope: 'interval',
          time_ns: row.time_ns,
          interval_ns: row.interval_ns,
          messages: row.ios,
          delivered_bits_per_s: rate(row.bytes, row.interval_ns),
          latency_mean_ns: row.clat_mean_ns,
          latency_p99_ns: row.clat_p99_ns,
        });
      t.push({
        ...fixed,
        scope: 'window',
        time_ns: series.windowEnd_ns,
        interval_ns: series.window_ns,
        messages: series.messages,
        delivered_bits_per_s: rate(series.bytes, series.window_ns),
        latency_mean_ns: series.latency_mean_ns,
        latency_p99_ns: series.latency_p99_ns,
      });
    });
  return Object.values(t.cols);
}

/** `drives.arrow`: per stack and drive with plexes (hci) or copies (diy). */
function driveColumns(stacks: readonly StackResults[]): Column[] {
  const t = table({
    stack: STACK,
    node: ['utf8', "the node's name"],
    drive: ['utf8', 'the drive as the model names it, NODE/nvmeN'],
    ios_per_s: ['f64', 'host I/Os the drive completed a second over the run, warm-up included (resync and replica copies too)'],
    busy_fraction: ['f64', 'fraction of the run the drive had at least one I/O in service, 0..1 (iostat %util)'],
    qos_units_per_s: ['f64', 'hci: 4K-equivalent units a second its storage QoS dispatched over the run; 0 on diy (no storage QoS)'],
  });
  for (const { stack, summary } of stacks)
    for (const d of summary.drives)
      t.push({
        stack,
        node: d.node,
        drive: d.drive,
        ios_per_s: d.ios_per_s,
        busy_fraction: d.busy_fraction ?? NaN,
        qos_units_per_s: d.units_per_s ?? 0,
      });
  return Object.values(t.cols);
}

/** `links.arrow`: per stack and NIC port of every node. */
function linkColumns(stacks: readonly StackResults[]): Column[] {
  const t = table({
    stack: STACK,
    node: ['utf8', "the node's name"],
    port: ['utf8', "the port's name in the node profile"],
    role: ['utf8', 'pods or storage'],
    rate_bits_per_s: ['f64', 'line rate, bits/s'],
    tx_utilisation: ['f64', 'share of the run the transmit line (node to switch) was serializing, 0..1'],
    rx_utilisation: ['f64', 'share of the run the receive line (switch to node) was serializing, 0..1'],
    vfs_used: ['i32', "VFs the platform gave running pods' interfaces on the port (0 on diy: veth on the overlay)"],
    vfs_total: ['i32', 'VFs the port has'],
  });
  for (const { stack, summary } of stacks)
    for (const p of summary.ports)
      t.push({
        stack,
        node: p.node,
        port: p.port,
        role: p.role,
        rate_bits_per_s: p.rate_bits_per_s,
        tx_utilisation: p.tx_utilisation,
        rx_utilisation: p.rx_utilisation,
        vfs_used: p.vfs_used,
        vfs_total: p.vfs_total,
      });
  return Object.values(t.cols);
}

/** The cluster's own tables as IPC files, each with the run's `metadata` on its schema. */
export async function clusterTables(stacks: readonly StackResults[], metadata: Map<string, string>): Promise<[string, Uint8Array][]> {
  const { toIpc } = await import('../../bench/results/arrow-tables.js');
  return [
    ['nodes.arrow', toIpc(nodeColumns(stacks.map((s) => s.summary)), metadata)],
    ['flows.arrow', toIpc(flowColumns(stacks), metadata)],
    ['drives.arrow', toIpc(driveColumns(stacks), metadata)],
    ['links.arrow', toIpc(linkColumns(stacks), metadata)],
  ];
}
