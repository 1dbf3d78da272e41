/**
 * What changed since the invariants were last checked, so that a commit checks what a change could have
 * broken rather than the whole state (`scopedInvariantViolations`, invariants.ts). `ClusterState` records it
 * as its maps change. Only volumes and snapshots are followed object by object: a change of anything a
 * check spans several kinds of (nodes, networks, tiers, pods, endpoints, the cluster, a volume attached to a
 * pod) makes the scope wide, and the whole state is checked. Tenants, users, quotas and counters are in no
 * invariant.
 */
import type { Snapshot, Volume } from './volume.js';

export class InvariantScope {
  /** Volumes (`namespace/name`) set or deleted, or whose snapshots changed: each is checked on its own. */
  readonly volumes = new Set<string>();
  /** Nodes whose storage changed (a plex or a snapshot came or went): their bytes, volume count and extents are checked. */
  readonly nodes = new Set<string>();

  /** `wide`: every invariant is to be checked (a state just loaded or copied starts so). */
  constructor(public wide: boolean) {}

  /** The volume under `key` went from `before` to `after` (either absent). */
  volumeChanged(key: string, before: Volume | undefined, after: Volume | undefined): void {
    if (this.wide) return;
    this.volumes.add(key);
    for (const p of before?.plexes ?? []) this.nodes.add(p.node);
    for (const p of after?.plexes ?? []) this.nodes.add(p.node);
  }

  /** A snapshot went from `before` to `after` (either absent): its volume's count and its nodes' counts. */
  snapshotChanged(before: Snapshot | undefined, after: Snapshot | undefined): void {
    if (this.wide) return;
    for (const s of [before, after]) {
      if (s === undefined) continue;
      this.volumes.add(`${s.namespace}/${s.volume}`);
      for (const node of s.nodes) this.nodes.add(node);
    }
  }
}
