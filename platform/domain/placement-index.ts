/**
 * What placement reads of the storage in use, per node and per drive: the bytes a node's plexes hold and
 * the volumes counted against its limit (plexes, snapshots); each drive's extents (by offset) and their
 * bytes; each node's largest hole. Two sources give the same answers: `PlacementIndex`, kept up to date by
 * `ClusterState` as its volume and snapshot maps change (every set and delete, in a change or on load), so
 * that a create reads its candidate nodes only; and `freshPlacementUse`, worked out from every volume at
 * once (the reference: placement-index.test.ts runs both, and the store compares them on every commit with
 * ANVIL_STORE_VERIFY=1).
 */
import { chooseExtent, extentsInUse, holeOf, type Extent } from './drive-extents.js';
import type { Node } from './node.js';
import type { Snapshot } from './volume.js';
import { keyOf, plexBytes, type PlexPlacement, type Volume } from './volume.js';

/** Per node: bytes used by plexes, and volumes counted against the limit (plexes, snapshots, clones). */
export interface NodeStorageUse {
  bytes: number;
  volumes: number;
}

/** The maps the storage in use is worked out from (a `ClusterState` is one). */
export interface StorageObjects {
  readonly nodes: ReadonlyMap<string, Node>;
  readonly volumes: ReadonlyMap<string, Volume>;
  readonly snapshots: ReadonlyMap<string, Snapshot>;
}

/** Per node, from every volume and snapshot at once; nodes holding plexes but no longer in `nodes` included. */
export function storageUse(state: StorageObjects): Map<string, NodeStorageUse> {
  const use = new Map<string, NodeStorageUse>();
  const at = (node: string) => {
    let u = use.get(node);
    if (!u) use.set(node, (u = { bytes: 0, volumes: 0 }));
    return u;
  };
  for (const node of state.nodes.keys()) at(node);
  for (const v of state.volumes.values()) {
    for (const p of v.plexes) {
      const u = at(p.node);
      u.bytes += plexBytes(v);
      u.volumes++;
    }
  }
  for (const s of state.snapshots.values()) for (const node of s.nodes) at(node).volumes++;
  return use;
}

/** What placement asks of the storage in use. */
export interface PlacementUse {
  /** Bytes and volume count on the node named `node` (zeros when it holds nothing). */
  storageOf(node: string): Readonly<NodeStorageUse>;
  /** Per drive of `node` (its inventory's drives, by index): the extents in use, by offset. */
  drivesOf(node: Node): readonly (readonly Extent[])[];
  /** Per drive of `node`: the bytes its extents hold. */
  driveBytesOf(node: Node): readonly number[];
  /** The largest hole on any drive of `node`, bytes, with its drive index. */
  largestHole(node: Node): { drive: number; bytes: number };
  /** Where an extent of `length_bytes` for a new plex on `node` goes (`allocateExtent`'s rule), without taking it; undefined when no drive has room. */
  allocate(node: Node, length_bytes: number): PlexPlacement | undefined;
}

const NO_USE: Readonly<NodeStorageUse> = Object.freeze({ bytes: 0, volumes: 0 });
const NO_EXTENTS: readonly Extent[] = Object.freeze([]);

function bytesOf(used: readonly (readonly Extent[])[]): number[] {
  return used.map((list) => list.reduce((sum, e) => sum + e.length_bytes, 0));
}

/** The reference: the storage in use worked out from every volume now (what placement did before the index). */
export function freshPlacementUse(state: StorageObjects): PlacementUse {
  const storage = storageUse(state);
  const extents = extentsInUse(state);
  const drivesOf = (node: Node) => extents.get(node.name) ?? node.inventory.drives.map(() => NO_EXTENTS);
  return {
    storageOf: (node) => storage.get(node) ?? NO_USE,
    drivesOf,
    driveBytesOf: (node) => bytesOf(drivesOf(node)),
    largestHole: (node) => holeOf(node, drivesOf(node)),
    allocate: (node, length) => chooseExtent(node, drivesOf(node), bytesOf(drivesOf(node)), length),
  };
}

interface NodeEntry extends NodeStorageUse {
  /** Per drive index: extents by offset (an index no drive has is never read). */
  readonly drives: Extent[][];
  /** Per drive index: the bytes of its extents. */
  readonly driveBytes: number[];
  /** The largest hole, for the node object it was worked out on; dropped when the extents change. */
  hole?: { readonly of: Node; readonly drive: number; readonly bytes: number };
}

/** The first position in `list` (by offset) after every extent at `offset_bytes` or before. */
function upperBound(list: readonly Extent[], offset_bytes: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.offset_bytes <= offset_bytes) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The storage in use, kept up to date object by object (see the file's comment). */
export class PlacementIndex implements PlacementUse {
  private readonly nodes = new Map<string, NodeEntry>();

  /** The volume stored under a key went from `before` to `after` (either absent). */
  volumeChanged(before: Volume | undefined, after: Volume | undefined): void {
    // Most changes of a volume (attach, detach) keep its plexes: nothing placement reads changes.
    if (before !== undefined && after !== undefined && before.plexes === after.plexes && plexBytes(before) === plexBytes(after)) return;
    if (before !== undefined) this.plexes(before, -1);
    if (after !== undefined) this.plexes(after, 1);
  }

  /** The snapshot stored under a key went from `before` to `after` (either absent). */
  snapshotChanged(before: Snapshot | undefined, after: Snapshot | undefined): void {
    if (before !== undefined && after !== undefined && before.nodes === after.nodes) return;
    for (const node of before?.nodes ?? []) this.entry(node).volumes--;
    for (const node of after?.nodes ?? []) this.entry(node).volumes++;
  }

  storageOf(node: string): Readonly<NodeStorageUse> {
    return this.nodes.get(node) ?? NO_USE;
  }

  drivesOf(node: Node): readonly (readonly Extent[])[] {
    const drives = this.nodes.get(node.name)?.drives;
    return node.inventory.drives.map((_, i) => drives?.[i] ?? NO_EXTENTS);
  }

  driveBytesOf(node: Node): readonly number[] {
    const bytes = this.nodes.get(node.name)?.driveBytes;
    return node.inventory.drives.map((_, i) => bytes?.[i] ?? 0);
  }

  largestHole(node: Node): { drive: number; bytes: number } {
    const e = this.nodes.get(node.name);
    if (e === undefined) return holeOf(node, NO_EXTENTS_BY_DRIVE);
    if (e.hole?.of !== node) {
      const hole = holeOf(node, this.drivesOf(node));
      e.hole = { of: node, ...hole };
    }
    return { drive: e.hole.drive, bytes: e.hole.bytes };
  }

  allocate(node: Node, length_bytes: number): PlexPlacement | undefined {
    return chooseExtent(node, this.drivesOf(node), this.driveBytesOf(node), length_bytes);
  }

  private entry(node: string): NodeEntry {
    let e = this.nodes.get(node);
    if (e === undefined) this.nodes.set(node, (e = { bytes: 0, volumes: 0, drives: [], driveBytes: [] }));
    return e;
  }

  /** Adds (`sign` 1) or takes away (-1) the plexes of `v`, as `storageUse` and `extentsInUse` count them. */
  private plexes(v: Volume, sign: 1 | -1): void {
    const length = plexBytes(v);
    const volume = keyOf(v.namespace, v.name);
    for (const p of v.plexes) {
      const e = this.entry(p.node);
      e.bytes += sign * length;
      e.volumes += sign;
      // extentsInUse leaves out zero-length extents (linked clones) and drive indexes no drive has.
      if (length === 0 || !Number.isInteger(p.drive) || p.drive < 0) continue;
      const list = (e.drives[p.drive] ??= []);
      e.driveBytes[p.drive] = (e.driveBytes[p.drive] ?? 0) + sign * length;
      e.hole = undefined;
      if (sign === 1) {
        list.splice(upperBound(list, p.offset_bytes), 0, { offset_bytes: p.offset_bytes, length_bytes: length, volume });
        continue;
      }
      for (let k = upperBound(list, p.offset_bytes) - 1; k >= 0 && list[k]!.offset_bytes === p.offset_bytes; k--) {
        if (list[k]!.volume === volume && list[k]!.length_bytes === length) {
          list.splice(k, 1);
          break;
        }
      }
    }
  }
}

const NO_EXTENTS_BY_DRIVE: readonly (readonly Extent[])[] = Object.freeze([]);

/** What a placement source holds for each node, in a canonical form (extents by offset, then volume): what the tests compare. */
export function placementContents(use: PlacementUse, state: StorageObjects): unknown[] {
  const out: unknown[] = [];
  for (const node of state.nodes.values()) {
    const drives = use
      .drivesOf(node)
      .map((list) =>
        [...list]
          .sort((a, b) => a.offset_bytes - b.offset_bytes || (a.volume < b.volume ? -1 : a.volume > b.volume ? 1 : 0))
          .map((e) => [e.offset_bytes, e.length_bytes, e.volume]),
      );
    const { bytes, volumes } = use.storageOf(node.name);
    out.push({ node: node.name, bytes, volumes, drives, driveBytes: use.driveBytesOf(node), largestHole: use.largestHole(node) });
  }
  return out;
}
