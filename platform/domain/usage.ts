/** What each node has used of what it has: the figures `anvil cluster status` shows, from the state alone. */
import { remotePlexHolds } from './storage-admission.js';
import type { ClusterState } from './cluster-state.js';
import { IpPool } from './ip-pool.js';
import type { Network } from './network.js';
import type { Node } from './node.js';
import { podVfCount, storageCapacityBytes } from './node-profile.js';

export interface NodeUsage {
  readonly node: string;
  readonly pods: number;
  readonly cpu_millicores: number;
  readonly memory_bytes: number;
  readonly storage_bytes: number;
  readonly volumes: number;
  readonly iops: number;
  readonly bandwidth_bits_per_s: number;
  readonly vfs: number;
  readonly local_controllers: number;
  readonly remote_controllers: number;
}

export function nodeUsage(state: ClusterState): Map<string, NodeUsage> {
  const storage = state.placementUse();
  const out = new Map<string, { -readonly [K in keyof NodeUsage]: NodeUsage[K] }>();
  for (const name of state.nodes.keys()) {
    const s = storage.storageOf(name);
    out.set(name, {
      node: name,
      pods: 0,
      cpu_millicores: 0,
      memory_bytes: 0,
      storage_bytes: s.bytes,
      volumes: s.volumes,
      iops: 0,
      bandwidth_bits_per_s: 0,
      vfs: 0,
      local_controllers: 0,
      remote_controllers: 0,
    });
  }
  for (const pod of state.pods.values()) {
    if (pod.status.state !== 'running') continue;
    const u = out.get(pod.status.node);
    if (!u) continue;
    u.pods++;
    u.cpu_millicores += pod.cpu_millicores;
    u.memory_bytes += pod.memory_bytes;
    u.iops += pod.status.admitted_iops ?? pod.status.reserved_iops;
    // Its volumes' writes on the other nodes holding their plexes.
    for (const h of remotePlexHolds(state, pod, pod.status.volume_reservations, pod.status.node)) {
      const plexNode = out.get(h.node);
      if (plexNode) plexNode.iops += h.iops;
    }
    u.bandwidth_bits_per_s += pod.status.reserved_bandwidth_bits_per_s;
    u.vfs += pod.status.endpoints.length;
  }
  for (const v of state.volumes.values()) {
    if (v.attachment.state !== 'attached') continue;
    const u = out.get(v.attachment.node);
    if (!u) continue;
    if (v.attachment.via === 'local') u.local_controllers++;
    else u.remote_controllers++;
  }
  return out;
}

/** How much of a network's address range is taken. */
export interface PoolUsage {
  readonly network: string;
  /** Addresses taken: bound to running pods, kept by pods that move, held by persistent endpoints. */
  readonly used: number;
  /** Addresses in the range start..end. */
  readonly size: number;
}

/** Each network's pool as the scheduler builds it (scheduling-session.ts): the same addresses count as taken. */
export function poolUsage(state: ClusterState): Map<string, PoolUsage> {
  const pools = new Map<string, IpPool>();
  for (const net of state.networks.values()) pools.set(net.name, new IpPool(net.start, net.end));
  for (const ep of state.endpoints.values()) pools.get(ep.network)?.take(ep.ip);
  for (const pod of state.pods.values()) {
    for (const a of pod.addresses ?? []) pools.get(a.network)?.take(a.ip);
    if (pod.status.state === 'running') for (const e of pod.status.endpoints) pools.get(e.network)?.take(e.ip);
  }
  return new Map([...pools].map(([network, pool]) => [network, { network, used: pool.size - pool.free, size: pool.size }]));
}

const usedOf = (used: number, total: number) => ({ used, total });

/** What is used or reserved of what there is, for one node or summed over nodes. */
export interface AllocationFigures {
  readonly pods: { readonly used: number; readonly total: number };
  readonly cpu_millicores: { readonly used: number; readonly total: number };
  readonly memory_bytes: { readonly used: number; readonly total: number };
  readonly storage_bytes: { readonly used: number; readonly total: number };
  readonly vfs: { readonly used: number; readonly total: number };
  /** 4K-equivalent IOPS the running pods' guarantees reserve, of what the nodes can guarantee. */
  readonly iops: { readonly reserved: number; readonly guaranteeable: number };
  /** bit/s */
  readonly bandwidth_bits_per_s: { readonly reserved: number; readonly guaranteeable: number };
}

/** A node's allocation as the API serves it (GET /usage/nodes): used or reserved of what it has, base units. */
export interface NodeAllocation extends AllocationFigures {
  readonly node: string;
  readonly state: Node['status']['state'];
  readonly zone: string;
  readonly profile: string;
  readonly drives: number;
}

/** The allocation of each of `nodes` (those a caller may view), in their order. */
export function nodeAllocations(state: ClusterState, nodes: readonly Node[]): NodeAllocation[] {
  const usage = nodeUsage(state);
  return nodes.map((n) => {
    const u = usage.get(n.name)!;
    const inv = n.inventory;
    return {
      node: n.name,
      state: n.status.state,
      zone: n.zone,
      profile: inv.profile,
      drives: inv.drives.length,
      pods: usedOf(u.pods, inv.max_pods),
      cpu_millicores: usedOf(u.cpu_millicores, inv.cpu_millicores),
      memory_bytes: usedOf(u.memory_bytes, inv.memory_bytes),
      storage_bytes: usedOf(u.storage_bytes, storageCapacityBytes(inv)),
      vfs: usedOf(u.vfs, podVfCount(inv)),
      iops: { reserved: u.iops, guaranteeable: inv.guaranteeable_iops },
      bandwidth_bits_per_s: { reserved: u.bandwidth_bits_per_s, guaranteeable: inv.guaranteeable_bandwidth_bits_per_s },
    };
  });
}

/** The address pool of each of `networks` (those a caller may view), with its subnet, in their order. */
export function poolAllocations(state: ClusterState, networks: readonly Network[]): (PoolUsage & { readonly subnet: string })[] {
  const pools = poolUsage(state);
  return networks.map((n) => ({ network: n.name, subnet: n.subnet, used: pools.get(n.name)!.used, size: pools.get(n.name)!.size }));
}

/** Every node's allocation summed, with the nodes counted by state: the cluster's summary in a bounded answer. */
export interface AllocationTotals extends AllocationFigures {
  readonly nodes: number;
  readonly nodes_by_state: Readonly<Record<string, number>>;
}

/** The sums of `allocations` (GET /usage/cluster): what a page shows of 5,000 nodes without fetching them all. */
export function allocationTotals(allocations: readonly NodeAllocation[]): AllocationTotals {
  const byState: Record<string, number> = {};
  const used = (pick: (a: NodeAllocation) => { used: number; total: number }) => ({
    used: allocations.reduce((t, a) => t + pick(a).used, 0),
    total: allocations.reduce((t, a) => t + pick(a).total, 0),
  });
  const reserved = (pick: (a: NodeAllocation) => { reserved: number; guaranteeable: number }) => ({
    reserved: allocations.reduce((t, a) => t + pick(a).reserved, 0),
    guaranteeable: allocations.reduce((t, a) => t + pick(a).guaranteeable, 0),
  });
  for (const a of allocations) byState[a.state] = (byState[a.state] ?? 0) + 1;
  return {
    nodes: allocations.length,
    nodes_by_state: byState,
    pods: used((a) => a.pods),
    cpu_millicores: used((a) => a.cpu_millicores),
    memory_bytes: used((a) => a.memory_bytes),
    storage_bytes: used((a) => a.storage_bytes),
    vfs: used((a) => a.vfs),
    iops: reserved((a) => a.iops),
    bandwidth_bits_per_s: reserved((a) => a.bandwidth_bits_per_s),
  };
}
