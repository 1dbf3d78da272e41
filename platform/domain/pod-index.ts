/**
 * What the invariants about pods read of other objects, kept up to date by `ClusterState` as its pod,
 * volume and endpoint maps change (every set and delete), so that a commit that changed some pods checks
 * them, their nodes and the endpoints at their addresses without walking every pod (pod-invariants.ts).
 * Keys are `namespace/name`; an address key is `network/ip` or a MAC, as the whole check keys them.
 */
import type { Endpoint } from './endpoint.js';
import type { Pod } from './pod.js';
import { keyOf, type Volume } from './volume.js';

const NONE: ReadonlySet<string> = new Set();

/** A pod's IP keys and MACs, in the order the whole check holds them. */
export function addressKeys(pod: Pod): string[] {
  const keys: string[] = [];
  for (const a of pod.addresses ?? []) keys.push(`${a.network}/${a.ip}`, a.mac);
  return keys;
}

function addTo(map: Map<string, Set<string>>, key: string, member: string): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(member);
}

function removeFrom(map: Map<string, Set<string>>, key: string, member: string): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(member);
  if (set.size === 0) map.delete(key);
}

export class PodIndex {
  /** Running pods by node name. */
  private readonly running = new Map<string, Set<string>>();
  /** Pods holding each address key (every pod, running or not: its addresses stay while it waits). */
  private readonly holders = new Map<string, Set<string>>();
  /** Running pods by the volume (`namespace/name`) their reservations name. */
  private readonly reservers = new Map<string, Set<string>>();
  /** Volumes by the node of each of their plexes. */
  private readonly volumesOnNode = new Map<string, Set<string>>();
  /** Volumes attached, by the pod (`namespace/name`) they are attached to. */
  private readonly attached = new Map<string, Set<string>>();
  /** Endpoints by `network/ip`. */
  private readonly endpointsAt = new Map<string, Set<string>>();

  podChanged(key: string, before: Pod | undefined, after: Pod | undefined): void {
    if (before !== undefined) this.pod(key, before, -1);
    if (after !== undefined) this.pod(key, after, 1);
  }

  private pod(key: string, pod: Pod, by: 1 | -1): void {
    const put = by > 0 ? addTo : removeFrom;
    for (const a of addressKeys(pod)) put(this.holders, a, key);
    if (pod.status.state !== 'running') return;
    put(this.running, pod.status.node, key);
    for (const r of pod.status.volume_reservations) put(this.reservers, keyOf(pod.namespace, r.volume), key);
  }

  volumeChanged(key: string, before: Volume | undefined, after: Volume | undefined): void {
    for (const [v, put] of [
      [before, removeFrom],
      [after, addTo],
    ] as const) {
      if (v === undefined) continue;
      for (const p of v.plexes) put(this.volumesOnNode, p.node, key);
      if (v.attachment.state === 'attached') put(this.attached, keyOf(v.namespace, v.attachment.pod), key);
    }
  }

  endpointChanged(key: string, before: Endpoint | undefined, after: Endpoint | undefined): void {
    for (const [ep, put] of [
      [before, removeFrom],
      [after, addTo],
    ] as const) {
      if (ep === undefined) continue;
      put(this.endpointsAt, `${ep.network}/${ep.ip}`, key);
    }
  }

  /** Running pods on `node`. */
  runningOn(node: string): ReadonlySet<string> {
    return this.running.get(node) ?? NONE;
  }
  /** Pods holding the address key (`network/ip` or a MAC). */
  holdersOf(address: string): ReadonlySet<string> {
    return this.holders.get(address) ?? NONE;
  }
  /** Running pods whose reservations name the volume. */
  reserversOf(volume: string): ReadonlySet<string> {
    return this.reservers.get(volume) ?? NONE;
  }
  /** Volumes with a plex on `node`. */
  volumesOn(node: string): ReadonlySet<string> {
    return this.volumesOnNode.get(node) ?? NONE;
  }
  /** Volumes attached to the pod. */
  attachedTo(pod: string): ReadonlySet<string> {
    return this.attached.get(pod) ?? NONE;
  }
  /** Endpoints at `network/ip`. */
  endpointsAtAddress(ip: string): ReadonlySet<string> {
    return this.endpointsAt.get(ip) ?? NONE;
  }
}
