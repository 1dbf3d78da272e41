/**
 * Which plexes a volume's pod can reach over the storage network: a remote plex's path (NVMe over
 * Ethernet) runs from the storage port of the node the volume is attached on to the storage port of the
 * plex's node, so a downed link at either end cuts it; a local plex takes no link. Pure reads of the state,
 * shared by the plex lifecycle (plex-sync.ts) and the link faults (link-service.ts).
 */
import type { ClusterState } from './cluster-state.js';
import type { NodeInventory } from './node-profile.js';
import type { Plex, Volume } from './volume.js';

/** The port a node's storage traffic takes: its first `storage` port, else its first port (as the model wires it). */
export function storagePortName(inventory: NodeInventory): string | undefined {
  return (inventory.nic_ports.find((p) => p.role === 'storage') ?? inventory.nic_ports[0])?.name;
}

/** Whether node `node`'s storage link is down. */
export function storageLinkDown(state: ClusterState, node: string): boolean {
  const n = state.nodes.get(node);
  if (n === undefined || n.links_down === undefined) return false;
  const port = storagePortName(n.inventory);
  return port !== undefined && n.links_down.includes(port);
}

/** Whether plex `p` of `v` sits beyond a downed storage link, seen from the node `v` is attached on. */
export function plexCutOff(state: ClusterState, v: Volume, p: Plex): boolean {
  if (v.attachment.state !== 'attached' || v.attachment.node === p.node) return false;
  return storageLinkDown(state, v.attachment.node) || storageLinkDown(state, p.node);
}

/** Whether plex `p` of `v` can serve its volume: its node is up and no downed storage link cuts its path. */
export function plexReachable(state: ClusterState, v: Volume, p: Plex): boolean {
  const n = state.nodes.get(p.node);
  return n !== undefined && n.status.state !== 'down' && !plexCutOff(state, v, p);
}
