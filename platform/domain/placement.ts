/**
 * Where plexes go: `mirrors` distinct nodes that are schedulable, match the volume's node selector, have
 * the bytes free in one hole of one drive and are under the per-node volume count; distinct zones first
 * when zones are asked for, then the most free space (so mirrors spread), then the name (so placement is
 * deterministic). On each chosen node the plex gets an extent of a drive (`drive-extents.ts`).
 */
import { AnvilError } from '../errors.js';
import type { ClusterState } from './cluster-state.js';
import { storageCapacityBytes } from './node-profile.js';
import type { Node } from './node.js';
import type { PlexPlacement } from './volume.js';

export { storageUse, type NodeStorageUse } from './placement-index.js';

export interface PlexRequest {
  /** `namespace/name` of the volume. */
  readonly volume: string;
  readonly size_bytes: number;
  readonly mirrors: number;
  readonly node_selector: Readonly<Record<string, string>>;
  readonly spread_zones: boolean;
  /** Nodes that may not take a plex (they hold one of the volume already). */
  readonly exclude?: readonly string[];
}

/** Chooses the plex nodes and their drive extents, or throws ANVIL_ERR_NO_CAPACITY with a line per rejected node. */
export function placePlexes(state: ClusterState, req: PlexRequest, what: string): PlexPlacement[] {
  // The state's placement index: each node's use read, not worked out from every volume (placement-index.ts).
  const use = state.placementUse();
  const reasons: string[] = [];
  const fits: { node: Node; free: number }[] = [];
  for (const node of state.nodes.values()) {
    const u = use.storageOf(node.name);
    const free = storageCapacityBytes(node.inventory) - u.bytes;
    const mismatch = Object.entries(req.node_selector).find(([k, v]) => node.labels[k] !== v);
    if (req.exclude?.includes(node.name)) reasons.push(`${node.name}: holds a plex of this volume already`);
    else if (node.status.state !== 'ready') reasons.push(`${node.name}: node is ${node.status.state}`);
    else if (mismatch) reasons.push(`${node.name}: node selector ${mismatch[0]}=${mismatch[1]} does not match`);
    else if (u.volumes >= node.inventory.max_volumes)
      reasons.push(`${node.name}: holds ${u.volumes} of ${node.inventory.max_volumes} volumes (mirrors and snapshots count)`);
    else if (free < req.size_bytes) reasons.push(`${node.name}: ${free} bytes free, the plex needs ${req.size_bytes}`);
    else {
      // The plex lies on one drive, in one hole: free bytes split over drives or between plexes do not add up.
      const hole = use.largestHole(node);
      if (hole.bytes < req.size_bytes)
        reasons.push(
          `${node.name}: ${free} bytes free, but no drive has ${req.size_bytes} bytes in one piece (the largest hole is ${hole.bytes} bytes, on drive ${hole.drive})`,
        );
      else fits.push({ node, free });
    }
  }
  fits.sort((a, b) => b.free - a.free || (a.node.name < b.node.name ? -1 : 1));
  const chosen: Node[] = [];
  if (req.spread_zones) {
    for (const f of fits) if (chosen.length < req.mirrors && !chosen.some((c) => c.zone === f.node.zone)) chosen.push(f.node);
    if (chosen.length < req.mirrors) {
      throw new AnvilError(
        'ANVIL_ERR_NO_CAPACITY',
        `${what}: ${req.mirrors} mirrors in distinct zones asked, only ${chosen.length} zones have a node with room`,
        reasons,
      );
    }
  } else {
    for (const f of fits) if (chosen.length < req.mirrors) chosen.push(f.node);
  }
  if (chosen.length < req.mirrors) {
    throw new AnvilError(
      'ANVIL_ERR_NO_CAPACITY',
      `${what}: ${req.mirrors} plexes on distinct nodes asked, only ${chosen.length} nodes have room`,
      reasons,
    );
  }
  // Distinct nodes: one extent each, so none has to be recorded before the next is chosen.
  return chosen.map((n) => use.allocate(n, req.size_bytes)!);
}
