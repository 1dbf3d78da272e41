/**
 * The per-node tables of a host run, in the model's shapes (nodes, drives, ports: `nodes.arrow`,
 * `drives.arrow`, `links.arrow`), from two samples of the kernel's counters taken around the workloads:
 * a node's application CPU is its pods' cgroups' CPU time; its drives are its volumes' loop devices
 * (I/Os a second, busy share from io_ticks); its pods port is its uplink into the ToR bridge (bytes sent
 * and received against the port's speed). Every node shares this machine's cores; the infrastructure
 * columns are 0, as on the model's hci stack (the machine's softirq time is in the host section).
 */
import { availableParallelism } from 'node:os';
import type { HostSample } from '../../bench/targets/host/realise/host-counters.js';
import type { RealisedHost } from '../../bench/targets/host/realise/realiser.js';
import type { ClusterState } from '../domain/cluster-state.js';
import type { DriveUsage } from './drive-usage.js';
import type { NodeCpuSummary } from './node-cpu.js';
import type { PortUsage } from './port-usage.js';

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const share = (x: number) => Math.min(1, Math.round(x * 1e4) / 1e4);

export interface HostNodeTables {
  readonly nodes: NodeCpuSummary[];
  readonly drives: DriveUsage[];
  readonly ports: PortUsage[];
  /** The whole machine over the run, cores busy and cores in softirq (the kernel's network and block completions). */
  readonly machine: { readonly busy_cores: number; readonly softirq_cores: number };
}

/** The tables between `before` and `after`; `nodes` in the plan's order (the control plane's). */
export function hostNodeTables(
  host: RealisedHost,
  nodeNames: readonly string[],
  state: ClusterState,
  before: HostSample,
  after: HostSample,
  ticks_per_s = 100,
): HostNodeTables {
  const elapsed_ns = Math.max(1, after.at_ns - before.at_ns);
  const elapsed_s = elapsed_ns / 1e9;
  const cores = availableParallelism();
  const nodes: NodeCpuSummary[] = nodeNames.map((name, i) => {
    let application_ns = 0;
    // Every cgroup a pod had, on the node it had it on (a moved pod's first one stays with the node it left).
    for (const p of [...host.retired, ...host.pods.values()])
      if (p.node === i) application_ns += Math.max(0, (after.podCpu_ns.get(p.cgroup) ?? 0) - (before.podCpu_ns.get(p.cgroup) ?? 0));
    return {
      node: name,
      cores,
      application_ns,
      storage_ns: 0,
      network_ns: 0,
      application_cores: round3(application_ns / elapsed_ns),
      infrastructure_cores: 0,
    };
  });
  const drives: DriveUsage[] = [];
  for (const v of host.volumes.values()) {
    const device = v.device.replace(/^\/dev\//, '');
    const b0 = before.blocks.get(device);
    const b1 = after.blocks.get(device);
    if (!b0 || !b1) continue;
    // On the node it was realised on: a pod moved later uses it from its new node.
    const node = nodeNames[v.node]!;
    drives.push({
      drive: `${node}/${device}`,
      node,
      ios_per_s: Math.round((b1.ios - b0.ios) / elapsed_s),
      busy_fraction: share((b1.busy_ms - b0.busy_ms) / 1e3 / elapsed_s),
    });
  }
  const ports: PortUsage[] = [];
  nodeNames.forEach((name, i) => {
    const inventory = state.nodes.get(name)?.inventory;
    const uplink = host.segments.uplinks[i]!.node;
    const l0 = before.links.get(uplink);
    const l1 = after.links.get(uplink);
    let podsPortSeen = false;
    for (const p of inventory?.nic_ports ?? []) {
      // The node's first pods port is its uplink; other ports (storage) carry nothing on a host.
      const realised = p.role === 'pods' && !podsPortSeen && l0 !== undefined && l1 !== undefined;
      if (p.role === 'pods') podsPortSeen = true;
      const line_bytes = (p.speed_bits_per_s / 8) * elapsed_s;
      ports.push({
        node: name,
        port: p.name,
        role: p.role,
        rate_bits_per_s: p.speed_bits_per_s,
        tx_utilisation: realised ? share((l1.tx_bytes - l0.tx_bytes) / line_bytes) : 0,
        rx_utilisation: realised ? share((l1.rx_bytes - l0.rx_bytes) / line_bytes) : 0,
        vfs_used: 0,
        vfs_total: p.vfs,
      });
    }
  });
  const ticks = (x: number) => x / ticks_per_s / elapsed_s;
  return {
    nodes,
    drives,
    ports,
    machine: {
      busy_cores: round3(ticks(after.machine.busy_ticks - before.machine.busy_ticks)),
      softirq_cores: round3(ticks(after.machine.softirq_ticks - before.machine.softirq_ticks)),
    },
  };
}
