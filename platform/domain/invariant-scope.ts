/**
 * What changed since the invariants were last checked, so that a commit checks what a change could have
 * broken rather than the whole state (`scopedInvariantViolations`, invariants.ts). `ClusterState` records it
 * as its maps change. Volumes, snapshots and pods without volumes are followed object by object: a change of
 * anything a check spans several kinds of (nodes, networks, tiers, endpoints, the cluster, a volume attached
 * to a pod, a pod with volumes or volumes attached) makes the scope wide, and the whole state is checked.
 * Tenants, users, quotas and counters are in no invariant.
 */
import type { Pod } from './pod.js';
import type { Snapshot, Volume } from './volume.js';

/** Whether a pod reads volumes (named, reserved): its change is then checked with the whole state. */
function readsVolumes(pod: Pod | undefined): boolean {
  return pod !== undefined && (pod.volumes.length > 0 || (pod.status.state === 'running' && pod.status.volume_reservations.length > 0));
}

export class InvariantScope {
  /** Volumes (`namespace/name`) set or deleted, or whose snapshots changed: each is checked on its own. */
  readonly volumes = new Set<string>();
  /** Nodes whose storage changed (a plex or a snapshot came or went): their bytes, volume count and extents are checked. */
  readonly nodes = new Set<string>();

  /** Pods (`namespace/name`) set or deleted: each is checked on its own, with its addresses' other holders. */
  readonly pods = new Set<string>();
  /** Nodes a changed pod runs on: their pods' sums are checked against the node (one it left only gained room). */
  readonly podNodes = new Set<string>();
  /** Address keys (`network/ip`) a changed pod held or holds: the endpoints there are checked. */
  readonly podAddresses = new Set<string>();

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

  /** The pod under `key` went from `before` to `after` (either absent); `attached`: volumes are attached to it. */
  podChanged(key: string, before: Pod | undefined, after: Pod | undefined, attached: boolean): void {
    if (this.wide) return;
    if (attached || readsVolumes(before) || readsVolumes(after)) {
      this.wide = true;
      return;
    }
    this.pods.add(key);
    if (after?.status.state === 'running') this.podNodes.add(after.status.node);
    for (const p of [before, after]) for (const a of p?.addresses ?? []) this.podAddresses.add(`${a.network}/${a.ip}`);
  }
}
