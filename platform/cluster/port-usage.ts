/**
 * The summary's per-port rows: every NIC port of every node, whether it carried anything or not, with
 * the share of the run its transmit and receive lines were busy and the VFs the platform gave the pods'
 * interfaces on it (of the VFs the port has), as placed at the start of the run. On diy the pods reach the
 * network through veth on the overlay, not through VFs, so no port has a VF in use there.
 */
import type { StackName } from '../../bench/scenario/schema.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { portKey, type AssembledNetwork } from './assemble-network.js';
import { shareOfRun } from './share-of-run.js';

/** One NIC port of a node, as the summary and `links.arrow` give it. */
export interface PortUsage {
  readonly node: string;
  /** The port's name in the node profile (pod0, storage0). */
  readonly port: string;
  readonly role: 'pods' | 'storage';
  /** Line rate, bits/s. */
  readonly rate_bits_per_s: number;
  /** Share of the run (0..1, 4 decimals) its transmit line (node to switch) and receive line (switch to node) spent serializing. */
  readonly tx_utilisation: number;
  readonly rx_utilisation: number;
  /** VFs the platform gave running pods' interfaces on the port (0 on diy: veth on the overlay). */
  readonly vfs_used: number;
  /** VFs the port has (the node profile's `vfs`). */
  readonly vfs_total: number;
}

/** Every port of every node in the control plane's node order, after a run that lasted `elapsed_ns`. */
export function portUsage(network: AssembledNetwork, state: ClusterState, stack: StackName, elapsed_ns: number): PortUsage[] {
  const used = new Map<string, number>();
  if (stack === 'hci')
    for (const pod of state.pods.values()) {
      if (pod.status.state !== 'running') continue;
      for (const e of pod.status.endpoints) {
        const key = portKey(pod.status.node, e.port);
        used.set(key, (used.get(key) ?? 0) + 1);
      }
    }
  const rows: PortUsage[] = [];
  for (const node of state.nodes.values())
    for (const p of node.inventory.nic_ports) {
      const key = portKey(node.name, p.name);
      const built = network.ports.get(key);
      rows.push({
        node: node.name,
        port: p.name,
        role: p.role,
        rate_bits_per_s: p.speed_bits_per_s,
        tx_utilisation: built ? shareOfRun(built.rack.port.wireBusy_ns, elapsed_ns) : 0,
        rx_utilisation: built ? shareOfRun(built.rack.ingress.wireBusy_ns, elapsed_ns) : 0,
        vfs_used: used.get(key) ?? 0,
        vfs_total: p.vfs,
      });
    }
  return rows;
}

/** The text summary's line per pod port on hci: its VFs in use. */
export function vfLines(ports: readonly PortUsage[], stack: StackName): string[] {
  if (stack !== 'hci') return [];
  return ports.filter((p) => p.role === 'pods').map((p) => `port ${p.node}/${p.port}: ${p.vfs_used} of ${p.vfs_total} VFs in use`);
}
