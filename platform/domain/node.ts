/** A node of the cluster: its inventory, where it sits (zone, labels), taints, and whether pods may land on it. */
import type { NodeInventory } from './node-profile.js';

/** A taint keeps pods off a node unless they tolerate its key (effect NoSchedule only). */
export interface Taint {
  readonly key: string;
  readonly value: string;
}

/**
 * Lifecycle: `ready` takes pods; `cordoned` takes no new pods (pods there keep running); `drained` is
 * cordoned with its pods moved away (they went back to pending and were placed elsewhere if they fit);
 * `down` has failed: its pods were moved and its plexes are out of sync until it recovers.
 */
export type NodeStatus =
  | { readonly state: 'ready' }
  | { readonly state: 'cordoned' }
  | { readonly state: 'drained' }
  | { readonly state: 'down'; readonly since: string };

export interface Node {
  readonly kind: 'Node';
  readonly name: string;
  readonly inventory: NodeInventory;
  readonly zone: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly status: NodeStatus;
  /**
   * NIC ports (names in `inventory.nic_ports`) whose link is down, in the profile's order; absent when all
   * are up. A downed storage link cuts the remote plexes whose path crosses it (link-service.ts).
   */
  readonly links_down?: readonly string[];
  readonly created_at: string;
}

/** The zone a node is in when none is given. */
export const DEFAULT_ZONE = 'zone0';

/** Labels every node carries, as Kubernetes nodes do, so node selectors can use them. */
export function wellKnownLabels(name: string, zone: string): Record<string, string> {
  return { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone };
}
