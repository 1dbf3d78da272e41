/**
 * The control plane's state as Prometheus gauges, worked out from the state when /metrics is scraped (no
 * bookkeeping on the write path): objects by lifecycle state, and per node what is reserved of what it can
 * give, so an operator can alert on a node near its guaranteeable IOPS or a plex out of sync or a volume
 * unavailable.
 * Units are in the names (Prometheus' convention): `_bits_per_second`, `_bytes`, `_millicores`.
 */
import { Gauge, type Registry } from 'prom-client';
import { podVfCount, type NodeInventory } from '../domain/node-profile.js';
import { nodeUsage, type NodeUsage } from '../domain/usage.js';
import type { Store } from '../state/store.js';
import { PLEX_STATES, VOLUME_STATES } from '../domain/volume.js';

const NODE_STATES = ['ready', 'cordoned', 'drained', 'down'] as const;
const POD_STATES = ['running', 'pending'] as const;

/** Per node: (metric name, help, reserved of the node, what the node can give). */
const NODE_RESOURCES = [
  ['iops', 'storage IOPS', (u: NodeUsage) => u.iops, (n: NodeInventory) => n.guaranteeable_iops],
  [
    'bandwidth_bits_per_second',
    'network bandwidth, bit/s',
    (u: NodeUsage) => u.bandwidth_bits_per_s,
    (n: NodeInventory) => n.guaranteeable_bandwidth_bits_per_s,
  ],
  ['cpu_millicores', 'CPU, millicores', (u: NodeUsage) => u.cpu_millicores, (n: NodeInventory) => n.cpu_millicores],
  ['memory_bytes', 'memory, bytes', (u: NodeUsage) => u.memory_bytes, (n: NodeInventory) => n.memory_bytes],
  ['vfs', 'SR-IOV virtual functions on pod ports', (u: NodeUsage) => u.vfs, (n: NodeInventory) => podVfCount(n)],
] as const;

export function installStateMetrics(registry: Registry, store: Store): void {
  // The first gauge registered reads the state once and sets them all: prom-client runs a metric's collect
  // just before rendering it, in registration order, so the others are fresh by their turn.
  const nodes: Gauge<'state'> = new Gauge({
    name: 'anvil_nodes',
    help: 'nodes by state',
    labelNames: ['state'],
    registers: [registry],
    collect: () => collectAll(),
  });
  const pods = new Gauge({
    name: 'anvil_pods',
    help: 'pods by state (pending: no node fits)',
    labelNames: ['state'],
    registers: [registry],
  });
  const volumes = new Gauge({
    name: 'anvil_volumes',
    help: 'volumes by state (in-sync, degraded, unavailable: no in-sync copy on a live node, lost: no current copy left)',
    labelNames: ['state'],
    registers: [registry],
  });
  const plexes = new Gauge({
    name: 'anvil_volume_plexes',
    help: 'volume plexes (mirrors) by state',
    labelNames: ['state'],
    registers: [registry],
  });
  const tenants = new Gauge({ name: 'anvil_tenants', help: 'namespaces (tenants)', registers: [registry] });
  const reserved = new Map<string, Gauge>();
  const capacity = new Map<string, Gauge>();
  for (const [name, what] of NODE_RESOURCES) {
    reserved.set(
      name,
      new Gauge({
        name: `anvil_node_reserved_${name}`,
        help: `${what} reserved by the pods running on the node`,
        labelNames: ['node', 'zone'],
        registers: [registry],
      }),
    );
    capacity.set(
      name,
      new Gauge({
        name: `anvil_node_guaranteeable_${name}`,
        help: `${what} the node can give (its profile)`,
        labelNames: ['node', 'zone'],
        registers: [registry],
      }),
    );
  }

  const collectAll = (): void =>
    store.read((state) => {
      nodes.reset();
      for (const s of NODE_STATES) nodes.set({ state: s }, 0);
      for (const n of state.nodes.values()) nodes.inc({ state: n.status.state });
      pods.reset();
      for (const s of POD_STATES) pods.set({ state: s }, 0);
      for (const p of state.pods.values()) pods.inc({ state: p.status.state });
      volumes.reset();
      for (const s of VOLUME_STATES) volumes.set({ state: s }, 0);
      for (const v of state.volumes.values()) volumes.inc({ state: v.state });
      plexes.reset();
      for (const s of PLEX_STATES) plexes.set({ state: s }, 0);
      for (const v of state.volumes.values()) for (const p of v.plexes) plexes.inc({ state: p.state });
      tenants.set(state.tenants.size);
      for (const g of [...reserved.values(), ...capacity.values()]) g.reset();
      const usage = nodeUsage(state);
      for (const n of state.nodes.values()) {
        const u = usage.get(n.name);
        if (u === undefined) continue;
        const labels = { node: n.name, zone: n.zone };
        for (const [name, , used, total] of NODE_RESOURCES) {
          reserved.get(name)!.set(labels, used(u));
          capacity.get(name)!.set(labels, total(n.inventory));
        }
      }
    });
}
