/**
 * Volumes and snapshots. A volume has 1-3 synchronous mirrors, each a plex on a distinct node; it is
 * attached to the node of the pod using it, through a local storage controller when that node holds a
 * plex and a remote one (NVMe over Ethernet) otherwise. Snapshots are read-only and restore to linked
 * clones: new volumes that share the snapshot's blocks, on the snapshot's nodes.
 */

/** Appliance limits (D-Series v3.3.0 release notes, 2021; Quick Start Guide). */
export const MAX_MIRRORS = 3;
export const MAX_SNAPSHOTS_PER_VOLUME = 16;

/**
 * A plex's state. `in-sync`: a current copy on a live node, usable and a source to copy from.
 * `resyncing`: being copied from an in-sync plex (`resync` says what and until when); not read from and
 * not a source until the copy is done. `out-of-sync`: behind the others (its node failed, or a downed
 * storage link cut its path, while another copy took writes); it is resynced only from an in-sync plex.
 * `offline`: the last current copy, on a node that is down (or beyond a downed storage link: links.ts);
 * it is in sync again when the node (or link) recovers, as nothing could write the volume meanwhile.
 */
export type PlexState = 'in-sync' | 'resyncing' | 'out-of-sync' | 'offline';
export const PLEX_STATES: readonly PlexState[] = ['in-sync', 'resyncing', 'out-of-sync', 'offline'];

/** Where a plex's blocks are: a drive of its node (index into the node's `inventory.drives`) and a byte range on it. */
export interface PlexPlacement {
  readonly node: string;
  /** Index of the drive in the node's inventory. */
  readonly drive: number;
  /** First byte of the plex's extent on that drive; the extent is `plexBytes(volume)` long. */
  readonly offset_bytes: number;
}

/**
 * A copy under way: `bytes` from the in-sync plex on `source` at `rate_bytes_per_s`, started at
 * `started_at` and done at `finishes_at` (ISO times on the control plane's clock: wall or simulated).
 */
export interface ResyncProgress {
  readonly source: string;
  readonly bytes: number;
  readonly rate_bytes_per_s: number;
  readonly started_at: string;
  readonly finishes_at: string;
}

/** A plex: its place, and its lifecycle state (a resyncing plex carries its copy's progress). */
export type Plex =
  | (PlexPlacement & { readonly state: 'in-sync' | 'out-of-sync' | 'offline' })
  | (PlexPlacement & { readonly state: 'resyncing'; readonly resync: ResyncProgress });

/** The plex at the same place in a settled state (a resync's progress dropped). */
export function withPlexState(p: Plex, state: 'in-sync' | 'out-of-sync' | 'offline'): Plex {
  return { node: p.node, drive: p.drive, offset_bytes: p.offset_bytes, state };
}

/** How far a resync is at `nowMs` (ms since the epoch), 0 to 1. */
export function resyncFraction(r: ResyncProgress, nowMs: number): number {
  const start = Date.parse(r.started_at);
  const end = Date.parse(r.finishes_at);
  if (end <= start) return 1;
  return Math.min(1, Math.max(0, (nowMs - start) / (end - start)));
}

/**
 * A volume's state, from its plexes: `in-sync` (every mirror in sync), `degraded` (running on fewer
 * in-sync plexes than mirrors), `unavailable` (no in-sync plex on a live node; an offline plex comes back
 * with its node) or `lost` (no current copy left anywhere: its nodes were removed).
 */
export type VolumeState = 'in-sync' | 'degraded' | 'unavailable' | 'lost';
export const VOLUME_STATES: readonly VolumeState[] = ['in-sync', 'degraded', 'unavailable', 'lost'];

/** The state a volume's plexes give it (mirrors count the plexes it should have). */
export function volumeStateOf(v: { readonly mirrors: number; readonly plexes: readonly Plex[] }): VolumeState {
  let inSync = 0;
  let offline = 0;
  for (const p of v.plexes) {
    if (p.state === 'in-sync') inSync++;
    else if (p.state === 'offline') offline++;
  }
  if (inSync >= v.mirrors) return 'in-sync';
  if (inSync > 0) return 'degraded';
  return offline > 0 ? 'unavailable' : 'lost';
}

/** Why a pod cannot use a volume in this state now, or undefined when it can; `nodeDown` (the state's) tells a copy cut off by a link from one on a down node. */
export function unusableReason(v: Volume, nodeDown?: (node: string) => boolean): string | undefined {
  const state = volumeStateOf(v);
  if (state === 'unavailable') {
    const offline = v.plexes.filter((p) => p.state === 'offline').map((p) => p.node);
    const where = offline.join(', ');
    // Offline on live nodes: a downed storage link cut the copies off (link-service.ts).
    if (nodeDown !== undefined && !offline.some(nodeDown))
      return `volume ${v.name} is unavailable: its current copy is on ${where}, cut off by a downed storage link; the pod starts when the link is up`;
    return `volume ${v.name} is unavailable: no in-sync copy on a live node (its current copy is on ${where}, which is down; the pod starts when it recovers)`;
  }
  if (state === 'lost')
    return `volume ${v.name} is lost: no current copy is left on any node; delete it, or restore a snapshot to a new volume`;
  return undefined;
}

export type VolumeAttachment =
  | { readonly state: 'detached' }
  | { readonly state: 'attached'; readonly pod: string; readonly node: string; readonly via: 'local' | 'remote' };

export interface Volume {
  readonly kind: 'Volume';
  readonly namespace: string;
  readonly name: string;
  readonly size_bytes: number;
  readonly perf_tier: string;
  /** The plexes it should have; `plexes` may hold fewer when a node was removed with its plex. */
  readonly mirrors: number;
  readonly plexes: readonly Plex[];
  /** From the plexes (`volumeStateOf`), kept with the volume so every reader sees it. */
  readonly state: VolumeState;
  readonly node_selector: Readonly<Record<string, string>>;
  /** `namespace/name` of the snapshot this volume is a linked clone of. */
  readonly source_snapshot?: string;
  readonly attachment: VolumeAttachment;
  readonly created_at: string;
}

export interface Snapshot {
  readonly kind: 'Snapshot';
  readonly namespace: string;
  readonly name: string;
  readonly volume: string;
  readonly size_bytes: number;
  /** Nodes holding the snapshot: those of the volume's plexes when it was taken. */
  readonly nodes: readonly string[];
  readonly created_at: string;
}

/** Key of a namespaced object. */
export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * Bytes a plex takes on its node. A linked clone shares its snapshot's blocks, so it takes none until
 * written (the model does not track writes); a snapshot likewise takes none.
 */
export function plexBytes(v: Volume): number {
  return v.source_snapshot === undefined ? v.size_bytes : 0;
}
