/**
 * A mirrored volume's writes reach every plex (synchronous mirroring), so the drives holding its plexes on
 * other nodes than the pod's carry the volume's writes too: admission counts on each such node the write
 * part of the volume's reservation, priced at writes of the tier's size (`nodeCapacityAt` at read fraction
 * 0) and expressed in that node's guaranteeable IOPS. The pod's own node counts the whole reservation (its
 * reads go to the local plex), as the scheduler does; a plex there adds nothing more.
 */
import type { ClusterState } from './cluster-state.js';
import { nodeCapacityAt } from './node-profile.js';
import { tierLoad } from './perf-tier.js';
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
