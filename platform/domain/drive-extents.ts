/**
 * Where a plex's blocks go on its node: one extent (drive index, byte offset, length) on one of the node's
 * drives. The extents in use are worked out from the volumes' plexes (nothing else is stored), so a plex
 * deleted, dropped or moved frees its extent at once. A new extent goes on the least used drive that has a
 * hole for it (fewest bytes allocated, then the lowest index): a node's plexes spread over its drives, so
 * each drive's bandwidth is shared by as few volumes as the space allows (the model contends per drive);
 * within the drive it takes the first hole that fits (first fit keeps the large hole at the drive's end).
 */
import type { Node } from './node.js';
import { keyOf, plexBytes, type PlexPlacement, type Volume } from './volume.js';

/** What extents are worked out from: the nodes (their drives) and the volumes (their plexes). A `ClusterState` is one. */
export interface NodesAndVolumes {
  readonly nodes: ReadonlyMap<string, Node>;
  readonly volumes: ReadonlyMap<string, Volume>;
}

/** A byte range on a drive: [offset_bytes, offset_bytes + length_bytes). */
export interface Extent {
  readonly offset_bytes: number;
  readonly length_bytes: number;
  /** `namespace/name` of the volume holding it. */
  readonly volume: string;
}

/** Per node, per drive index: the extents in use, by offset. */
export type DriveExtents = Map<string, Extent[][]>;

/**
 * The extents in use on every node's drives, from the volumes' plexes (zero-length extents of linked
 * clones take no room and are left out). `except` leaves one volume's own extents out (to re-place them).
 */
export function extentsInUse(state: NodesAndVolumes, except?: string): DriveExtents {
  const use: DriveExtents = new Map();
  for (const node of state.nodes.values())
    use.set(
      node.name,
      node.inventory.drives.map(() => []),
    );
  for (const v of state.volumes.values()) {
    const key = keyOf(v.namespace, v.name);
    const length = plexBytes(v);
    if (key === except || length === 0) continue;
    for (const p of v.plexes) use.get(p.node)?.[p.drive]?.push({ offset_bytes: p.offset_bytes, length_bytes: length, volume: key });
  }
  for (const drives of use.values()) for (const d of drives) d.sort((a, b) => a.offset_bytes - b.offset_bytes);
  return use;
}

/** The lowest offset on a drive of `capacity_bytes` where `length_bytes` fit between the extents `used` (sorted), or undefined. */
function firstFit(used: readonly Extent[], capacity_bytes: number, length_bytes: number): number | undefined {
  let at = 0;
  for (const e of used) {
    if (e.offset_bytes - at >= length_bytes) return at;
    at = Math.max(at, e.offset_bytes + e.length_bytes);
  }
  return capacity_bytes - at >= length_bytes ? at : undefined;
}

function usedBytes(used: readonly Extent[]): number {
  let sum = 0;
  for (const e of used) sum += e.length_bytes;
  return sum;
}

/**
 * Where an extent of `length_bytes` goes on `node`, given each drive's extents in use (`used`, by offset)
 * and the bytes they hold (`bytes`): the least used drive (bytes, then index) with a hole that fits, first
 * fit on it; a zero-length extent (a linked clone's) at offset 0 of the least used drive; undefined when no
 * drive has room. Takes nothing: `allocateExtent` records it, a placement index learns it from the volume.
 */
export function chooseExtent(
  node: Node,
  used: readonly (readonly Extent[] | undefined)[],
  bytes: readonly number[],
  length_bytes: number,
): PlexPlacement | undefined {
  const drives = node.inventory.drives.map((_, i) => i).sort((a, b) => (bytes[a] ?? 0) - (bytes[b] ?? 0) || a - b);
  for (const drive of drives) {
    const offset = length_bytes === 0 ? 0 : firstFit(used[drive] ?? [], node.inventory.drives[drive]!.capacity_bytes, length_bytes);
    if (offset !== undefined) return { node: node.name, drive, offset_bytes: offset };
  }
  return undefined;
}

/**
 * An extent of `length_bytes` on `node` (`chooseExtent`'s rule), or undefined when no drive has room.
 * Records the extent in `use`, so several allocations of one change do not overlap.
 */
export function allocateExtent(use: DriveExtents, node: Node, length_bytes: number, volume: string): PlexPlacement | undefined {
  const used = use.get(node.name) ?? node.inventory.drives.map(() => []);
  const placed = chooseExtent(
    node,
    used,
    node.inventory.drives.map((_, i) => usedBytes(used[i] ?? [])),
    length_bytes,
  );
  if (placed !== undefined && length_bytes > 0) {
    const list = used[placed.drive]!;
    list.push({ offset_bytes: placed.offset_bytes, length_bytes, volume });
    list.sort((a, b) => a.offset_bytes - b.offset_bytes);
  }
  return placed;
}

/** The largest hole on any drive of `node`, bytes, with its drive index, given each drive's extents in use (by offset). */
export function holeOf(node: Node, used: readonly (readonly Extent[] | undefined)[]): { drive: number; bytes: number } {
  let best = { drive: 0, bytes: 0 };
  node.inventory.drives.forEach((d, i) => {
    let at = 0;
    let hole = 0;
    for (const e of used[i] ?? []) {
      hole = Math.max(hole, e.offset_bytes - at);
      at = Math.max(at, e.offset_bytes + e.length_bytes);
    }
    hole = Math.max(hole, d.capacity_bytes - at);
    if (hole > best.bytes) best = { drive: i, bytes: hole };
  });
  return best;
}

/** The largest hole on any drive of `node`, bytes, with its drive index (what a refusal names). */
export function largestHole(use: DriveExtents, node: Node): { drive: number; bytes: number } {
  return holeOf(node, use.get(node.name) ?? []);
}

/**
 * Every overlap or out-of-bounds extent, as a sentence (for the invariants): two plexes sharing bytes of
 * a drive, an extent past its drive's end, a drive index the node does not have.
 */
export function extentViolations(state: NodesAndVolumes): string[] {
  const bad: string[] = [];
  for (const v of state.volumes.values()) bad.push(...plexExtentViolations(state, v));
  for (const [node, drives] of extentsInUse(state)) bad.push(...overlapViolations(node, drives));
  return bad;
}

/** Each plex of `v` on a drive its node does not have, or running past its drive's end (a plex on a missing node is left to the caller). */
export function plexExtentViolations(state: NodesAndVolumes, v: Volume): string[] {
  const bad: string[] = [];
  for (const p of v.plexes) {
    const node = state.nodes.get(p.node);
    const drive = node?.inventory.drives[p.drive];
    if (node === undefined) continue;
    if (drive === undefined || !Number.isInteger(p.drive))
      bad.push(`volume ${keyOf(v.namespace, v.name)}: plex on ${p.node} is on drive ${p.drive}, which the node does not have`);
    else if (!Number.isInteger(p.offset_bytes) || p.offset_bytes < 0 || p.offset_bytes + plexBytes(v) > drive.capacity_bytes) {
      bad.push(
        `volume ${keyOf(v.namespace, v.name)}: plex on ${p.node} drive ${p.drive} at ${p.offset_bytes} bytes runs past the drive's ${drive.capacity_bytes} bytes`,
      );
    }
  }
  return bad;
}

/** Two extents of one drive of `node` that share bytes (`drives`: per drive index, the extents by offset). */
export function overlapViolations(node: string, drives: readonly (readonly Extent[])[]): string[] {
  const bad: string[] = [];
  drives.forEach((list, i) => {
    for (let k = 1; k < list.length; k++) {
      const a = list[k - 1]!;
      const b = list[k]!;
      if (a.offset_bytes + a.length_bytes > b.offset_bytes)
        bad.push(`node ${node} drive ${i}: plexes of ${a.volume} and ${b.volume} overlap at ${b.offset_bytes} bytes`);
    }
  });
  return bad;
}
