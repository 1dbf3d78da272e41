/**
 * Volumes and snapshots. A volume has 1-3 synchronous mirrors, each a plex on a distinct node; it is
 * attached to the node of the pod using it, through a local storage controller when that node holds a
 * plex and a remote one (NVMe over Ethernet) otherwise. Snapshots are read-only and restore to linked
 * clones: new volumes that share the snapshot's blocks, on the snapshot's nodes.
 */

/** Appliance limits (D-Series v3.3.0 release notes, 2021; Quick Start Guide). */
export const MAX_MIRRORS = 3;
export const MAX_SNAPSHOTS_PER_VOLUME = 16;

export interface Plex {
  readonly node: string;
  readonly state: 'in-sync' | 'out-of-sync';
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
  readonly mirrors: number;
  readonly plexes: readonly Plex[];
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
