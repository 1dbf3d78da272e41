/**
 * Storage admission beyond the scheduler's per-node sum: a tier priced at its own I/O (`tierIopsPerNode`),
 * and a mirrored volume's writes on the other nodes holding its plexes (`remotePlexHolds`).
 *
 * A mirrored volume's writes reach every plex (synchronous mirroring), so the drives holding its plexes on
 * other nodes than the pod's carry the volume's writes too: admission counts on each such node the write
 * part of the volume's reservation, priced at writes of the tier's size (`nodeCapacityAt` at read fraction
 * 0) and expressed in that node's guaranteeable IOPS. The pod's own node counts the whole reservation (its
 * reads go to the local plex), as the scheduler does; a plex there adds nothing more.
 */
import type { NodeTable } from '../scheduler/node-table.js';
import type { ClusterState } from './cluster-state.js';
import { DEFAULT_TIER_LOAD } from './drive-guarantee.js';
import { nodeCapacityAt, type NodeInventory } from './node-profile.js';
import { tierLoad, type PerfTier } from './perf-tier.js';
import type { Pod, VolumeReservation } from './pod.js';
import { keyOf } from './volume.js';

/** One node's share of a pod's volumes' writes, in that node's guaranteeable IOPS. */
export interface PlexHold {
  readonly node: string;
  readonly iops: number;
  /** The volumes whose plexes there it counts, for reasons. */
  readonly volumes: readonly string[];
}

/**
 * What `pod` (on `podNode`, with `perVolume` its reservations per volume) takes of each other node holding a
 * plex of its volumes, by node name in the volumes' plex order; nodes the state no longer has are skipped.
 */
export function remotePlexHolds(state: ClusterState, pod: Pod, perVolume: readonly VolumeReservation[], podNode: string): PlexHold[] {
  const holds = new Map<string, { iops: number; volumes: string[] }>();
  for (const r of perVolume) {
    if (r.iops <= 0) continue;
    const v = state.volumes.get(keyOf(pod.namespace, r.volume));
    const tier = v ? state.perfTiers.get(v.perf_tier) : undefined;
    if (!v || !tier) continue;
    const load = tierLoad(tier);
    const writes = r.iops * (1 - load.read_fraction);
    if (writes <= 0) continue;
    for (const p of v.plexes) {
      if (p.node === podNode) continue;
      const inv = state.nodes.get(p.node)?.inventory;
      if (!inv) continue;
      const capacity = nodeCapacityAt(inv, { io_size_bytes: load.io_size_bytes, read_fraction: 0 });
      const share = capacity > 0 ? (writes * inv.guaranteeable_iops) / capacity : Infinity;
      const h = holds.get(p.node) ?? { iops: 0, volumes: [] };
      h.iops += share;
      if (!h.volumes.includes(r.volume)) h.volumes.push(r.volume);
      holds.set(p.node, h);
    }
  }
  return [...holds].map(([node, h]) => ({ node, iops: Math.ceil(h.iops), volumes: h.volumes }));
}

/** Why the pod cannot go to `podNode`: another node holding a plex of its volumes has no room in `table` for their writes. */
export function remotePlexBlock(
  state: ClusterState,
  table: NodeTable,
  pod: Pod,
  perVolume: readonly VolumeReservation[],
  podNode: string,
): string | undefined {
  for (const h of remotePlexHolds(state, pod, perVolume, podNode)) {
    const j = table.indexOf(h.node);
    if (j === undefined) continue;
    const free = table.iopsFree[j]!;
    if (free < h.iops)
      return `perf-tier admission (storage IOPS) on node ${h.node}, which holds a plex of volume ${h.volumes.join(', ')}: ${free} of ${table.iopsTotal[j]} guaranteeable IOPS free, the volume's writes there need ${h.iops}`;
  }
  return undefined;
}

/**
 * Per node (indexed as `inventories`), what the reservations of `tiers` take of its guaranteeable IOPS: each
 * tier's IOPS scaled by the node's capacity at the reference load over its capacity at the tier's I/O
 * (`nodeCapacityAt`), rounded up; undefined when every tier is priced at the reference load (the IOPS
 * themselves, on every node).
 */
export function tierIopsPerNode(
  state: ClusterState,
  inventories: readonly NodeInventory[],
  tiers: readonly string[],
): Float64Array | undefined {
  const priced = tiers.map((name) => state.perfTiers.get(name)!).filter((t) => t.storage_iops > 0);
  const atReference = (t: PerfTier) => {
    const load = tierLoad(t);
    return load.io_size_bytes === DEFAULT_TIER_LOAD.io_size_bytes && load.read_fraction === DEFAULT_TIER_LOAD.read_fraction;
  };
  if (priced.every(atReference)) return undefined;
  const out = new Float64Array(inventories.length);
  inventories.forEach((inv, i) => {
    let share = 0;
    for (const t of priced) {
      const capacity = nodeCapacityAt(inv, tierLoad(t));
      share += capacity > 0 ? (t.storage_iops * inv.guaranteeable_iops) / capacity : Infinity;
    }
    out[i] = Math.ceil(share);
  });
  return out;
}
