/**
 * The network of a placed scenario on the model, for either stack: per node its NIC ports as the node
 * profile lists them (pod ports and storage ports apart, as the appliance has them), all cabled to one
 * top-of-rack switch; the scenario's flows between the pods' endpoints; and the stations a remote plex's
 * leg takes over the storage ports (`storageLeg`).
 *
 * - `hci`: each running pod's endpoint is the VF the platform gave it; the port's transmit scheduler
 *   gives it its tier's minimum (`network_bandwidth`) and maximum (`max_network_bandwidth`). VF to VF on
 *   one port goes through the same scheduler (min, max, the port's speed) and turns around in the
 *   embedded switch. No host CPU beyond the pod's own stack.
 * - `diy`: the overlay. The port's per-endpoint queues stand for the host qdisc's per-flow fair queueing
 *   (fq_codel), with the tier's maximum as the bandwidth plugin's cap and no minimum; every message pays
 *   veth and the host stack per packet at both ends (host CPU, added latency: `StackBuilder.network`)
 *   and VXLAN's bytes per packet on the wire (the port's framing); pods on one node meet on the host's
 *   bridge, never on the wire, paced by the sender's veth cap and one core per flow (host-bridge.ts).
 * On both stacks the pod's own TCP/IP stack is charged to the application (`StackBuilder.podStack`).
 */
import type { ScenarioFlow } from '../../bench/scenario/load.js';
import type { Station } from '../../sim/io/requests.js';
import type { Model } from '../../sim/model/model.js';
import { fabricLatencies, nicPort, torSwitch, type RackPort } from '../../sim/network/build.js';
import { CARRY_READ_DATA, CARRY_WRITE_DATA, DEFAULT_FRAMING, type Framing } from '../../sim/network/framing.js';
import { flowMode, NetworkFlow } from '../../sim/network/network-flow.js';
import type { TorSwitch } from '../../sim/network/tor-switch.js';
import type { StackCoefficients } from '../../sim/stacks/coefficient-schema.js';
import { IPV4_TCP_TIMESTAMPS_HEADER_BYTES } from '../../sim/stacks/diy/overlay.js';
import { HostBridge } from '../../sim/stacks/diy/host-bridge.js';
import type { StackBuilder } from '../../sim/stacks/diy/stack.js';
import { DelayStation, nvmeofTerms } from '../../sim/storage/delay-station.js';
import type { ClusterState } from '../domain/cluster-state.js';
import type { BoundEndpoint } from '../domain/pod.js';
import { AnvilError } from '../errors.js';
import { LinkGate } from './link-gate.js';
import { nodeCores } from './node-cpu.js';

/** Cable between a node and its top-of-rack switch, m (a rack's length; fabric terms scale with it). */
export const RACK_CABLE_M = 3;

/**
 * Piece size of the NICs' transmit schedulers, bytes: a host hands its NIC at most 64 KiB at once (TSO's
 * largest segment), so another queue's message waits behind at most that much of a large one (a 512 KiB
 * resync copy does not hold a 4K write back for its whole length).
 */
export const TX_SEGMENT_BYTES = 65536;

/** NVMe/TCP command capsule on the wire's payload: 8-byte PDU header and 64-byte submission entry, bytes. */
export const NVME_COMMAND_BYTES = 72;
/** NVMe/TCP response capsule: 8-byte PDU header and 16-byte completion entry, bytes. */
export const NVME_COMPLETION_BYTES = 24;

/** One NIC port of a node on the model, with the gates its link faults close (transmit and receive). */
export interface NodePort {
  readonly node: string;
  /** The port's name in the node profile (pod0, storage0). */
  readonly name: string;
  readonly role: 'pods' | 'storage';
  readonly rack: RackPort;
  readonly txGate: LinkGate;
  readonly rxGate: LinkGate;
}

/** A scenario flow as built: its generator and the ports whose links it crosses. */
export interface BuiltFlow {
  /** Index in the scenario's `flows`. */
  readonly index: number;
  readonly spec: ScenarioFlow;
  readonly flow: NetworkFlow;
  /** The nodes of the sending and receiving pods, as placed. */
  readonly from_node: string;
  readonly to_node: string;
  /** The sender VF's minimum and maximum on its port, bits/s (0 and Infinity for none). */
  readonly min_bits_per_s: number;
  readonly max_bits_per_s: number;
  /** `node/port` of the links it crosses (none on an embedded switch or a host bridge). */
  readonly links: readonly string[];
}

/** The stations of a remote plex's leg (see `AssembledNetwork.storageLeg`), and those of its resync copies. */
export interface StorageLeg {
  readonly via: Station[];
  readonly back: Station[];
  readonly copyVia: Station[];
  readonly copyBack: Station[];
}

/** The network on the model. */
export interface AssembledNetwork {
  readonly stack: 'hci' | 'diy';
  readonly tor: TorSwitch;
  /** Every node's ports, by `node/port`. */
  readonly ports: ReadonlyMap<string, NodePort>;
  readonly flows: readonly BuiltFlow[];
  /** `note: ...` lines (a flow of a pending pod, one without an interface). */
  readonly notes: readonly string[];
  /**
   * The stations of a remote plex's leg from `client` to `target` over both storage ports and the
   * switch, `slot` choosing the VF on each storage port (one per volume): `via` (command or write data
   * out, then the target's processing) and `back` (read data or completion home); the resync copies'
   * own (`copyVia`, `copyBack`) on another VF. `withTarget` false leaves the NVMe over Ethernet target's
   * term out (the diy block store's replica traffic: its daemons' own stations stand for the target).
   */
  storageLeg(client: string, target: string, slot: number, withTarget?: boolean): StorageLeg;
  /** The port a node's storage traffic takes: its storage port, or its first port when it has none. */
  storagePortOf(node: string): NodePort;
}

/** Where the flows run: the scenario's times, ns. */
export interface FlowTimes {
  readonly end_ns: number;
  readonly measureFrom_ns: number;
}

/** The key of a port in `AssembledNetwork.ports`. */
export function portKey(node: string, port: string): string {
  return `${node}/${port}`;
}

/** The framing of a stack's pod ports: plain L2 on hci; on diy VXLAN's bytes per packet and the inner MSS of the overlay. */
function podFraming(builder: StackBuilder): Framing {
  const { network } = builder.terms;
  if (network.overlay_bytes_per_packet === 0) return DEFAULT_FRAMING;
  return {
    ...DEFAULT_FRAMING,
    l3l4_header_bytes: IPV4_TCP_TIMESTAMPS_HEADER_BYTES,
    encap_bytes: network.overlay_bytes_per_packet,
    mtu_bytes: network.mss_bytes + IPV4_TCP_TIMESTAMPS_HEADER_BYTES + network.overlay_bytes_per_packet,
  };
}

/**
 * Builds the network of `state` on `model` for `builder`'s stack (hci or diy) and starts the flows;
 * each node's host CPU is made on the builder (`nodeCores` of its profile) if it is not there yet.
 * Flows of pending pods, or between pods without an interface, are left out with a note.
 */
export function assembleNetwork(
  model: Model,
  state: ClusterState,
  coefficients: StackCoefficients,
  builder: StackBuilder,
  flows: readonly ScenarioFlow[],
  times: FlowTimes,
): AssembledNetwork {
  const stack = builder.terms.stack;
  const fabric = fabricLatencies(coefficients, RACK_CABLE_M);
  const tor = torSwitch(model, { name: 'tor', switch_latency_ns: fabric.switch_latency_ns });
  const framing = podFraming(builder);
  const ports = new Map<string, NodePort>();
  for (const node of state.nodes.values()) {
    builder.hostCpu(node.name, nodeCores(node.inventory.cpu_millicores));
    for (const p of node.inventory.nic_ports) {
      const name = portKey(node.name, p.name);
      const rack = nicPort(model, tor, {
        name,
        rate_bits_per_s: p.speed_bits_per_s,
        cable_ns: fabric.cable_ns,
        vfs: Math.max(1, p.vfs),
        eswitch_latency_ns: fabric.eswitch_latency_ns,
        segment_bytes: TX_SEGMENT_BYTES,
        ...(p.role === 'pods' ? { framing } : {}),
      });
      ports.set(name, {
        node: node.name,
        name: p.name,
        role: p.role,
        rack,
        txGate: new LinkGate(model.requests),
        rxGate: new LinkGate(model.requests),
      });
    }
  }

  // Each running pod's endpoints: its tier's minimum (hci only) and maximum on its VF.
  const tierRates = (e: BoundEndpoint) => {
    const tier = state.perfTiers.get(e.perf_tier);
    const min = stack === 'hci' ? (tier?.network_bandwidth_bits_per_s ?? 0) : 0;
    const max = tier?.max_network_bandwidth_bits_per_s ?? Infinity;
    return { min_bits_per_s: min, max_bits_per_s: Math.max(max, min) };
  };
  for (const pod of state.pods.values()) {
    if (pod.status.state !== 'running') continue;
    for (const e of pod.status.endpoints) {
      try {
        ports.get(portKey(pod.status.node, e.port))!.rack.port.setRates(e.vf, tierRates(e));
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        throw new AnvilError(
          'ANVIL_ERR_CLUSTER_MODEL',
          `pod ${pod.namespace}/${pod.name}: its ${e.perf_tier} interface cannot be set on the model: ${err.message}`,
        );
      }
    }
  }

  const notes: string[] = [];
  const built: BuiltFlow[] = [];
  // diy: pods of one node meet on the host bridge, paced by the sender's veth cap and one core per flow.
  const bridge =
    stack === 'diy'
      ? new HostBridge(model.sim, model.requests, {
          mss_bytes: builder.terms.network.mss_bytes,
          veth_ns_per_packet: builder.terms.network.cpu_ns_per_packet,
          pod_stack_ns_per_packet: builder.terms.podStackCpu_ns_per_packet,
        })
      : null;
  flows.forEach((spec, index) => {
    const where = `/flows/${index}`;
    // The flow's network, else the first network of the sender's that the receiver has too.
    const networksOf = (key: string) => {
      const pod = state.pods.get(key);
      return pod?.status.state === 'running' ? pod.status.endpoints.map((e) => e.network) : [];
    };
    const network = spec.network ?? networksOf(spec.from).find((n) => networksOf(spec.to).includes(n));
    const end = (key: string) => {
      const pod = state.pods.get(key);
      if (!pod || pod.status.state !== 'running') return `pod ${key} is pending`;
      const e = pod.status.endpoints.find((x) => network === undefined || x.network === network);
      if (!e) return `pod ${key} has no interface${network !== undefined ? ` on network ${network}` : ''}`;
      return { node: pod.status.node, endpoint: e, port: ports.get(portKey(pod.status.node, e.port))! };
    };
    const from = end(spec.from);
    const to = end(spec.to);
    if (typeof from === 'string' || typeof to === 'string') {
      notes.push(
        `note: ${where}: ${[from, to].filter((x) => typeof x === 'string').join('; ')}: the flow from ${spec.from} to ${spec.to} does not run`,
      );
      return;
    }
    const stations: Station[] = [builder.podStack(from.node)];
    const links: string[] = [];
    const overWire = stack === 'hci' ? from.port !== to.port : from.node !== to.node;
    const overlay = stack === 'diy' ? builder.network(from.node, to.node) : undefined;
    if (!overWire && bridge) {
      const cap = bridge.interfaceCap(`${spec.from}/${from.endpoint.network}`, tierRates(from.endpoint).max_bits_per_s);
      const ceiling = bridge.flowCeiling();
      if (cap) stations.push(cap);
      if (ceiling) stations.push(ceiling);
    }
    if (overlay) stations.push(overlay.send);
    // VF to VF on one port: through the sender VF's transmit scheduler (its tier's minimum and maximum,
    // the port's speed as the hairpin's bound), then around in the embedded switch.
    if (!overWire && stack === 'hci') stations.push(from.port.rack.port.hairpinEntry(from.endpoint.vf), from.port.rack.eswitch);
    if (overWire) {
      stations.push(from.port.txGate, from.port.rack.port.vf(from.endpoint.vf), to.port.rxGate, to.port.rack.ingress);
      links.push(portKey(from.node, from.port.name), portKey(to.node, to.port.name));
    }
    if (overlay) stations.push(overlay.receive);
    stations.push(builder.podStack(to.node));
    const flow = new NetworkFlow(
      {
        name: `${spec.from}->${spec.to}#${index}`,
        size_bytes: spec.message_bytes,
        mode: flowMode(spec.rate_bits_per_s),
        end_ns: times.end_ns,
        measureFrom_ns: times.measureFrom_ns,
        interval_ns: model.interval_ns,
      },
      model.sim,
      model.requests,
      model.streams.get(`flow/${index}`),
    );
    flow.attach(model.requests.addRoute([flow, ...stations, flow]));
    model.holdUntil(times.end_ns);
    const rates = tierRates(from.endpoint);
    built.push({
      index,
      spec,
      flow,
      from_node: from.node,
      to_node: to.node,
      min_bits_per_s: rates.min_bits_per_s,
      max_bits_per_s: rates.max_bits_per_s,
      links,
    });
  });

  // A remote leg's target processing: what the coefficient's added latency leaves after the fabric's own
  // round trip (propagation and the switch, both ways), which the link stations now carry.
  const fabricRtt_ns = 2 * (2 * fabric.cable_ns + fabric.switch_latency_ns);
  const target_ns = nvmeofTerms(coefficients.hci.nvmeof_added_latency_us.value * 1000, fabricRtt_ns).target_ns;
  const storagePortOf = (node: string): NodePort => {
    const found = [...ports.values()].filter((p) => p.node === node);
    const port = found.find((p) => p.role === 'storage') ?? found[0];
    if (!port) throw new RangeError(`node ${node} has no NIC port on the model`);
    return port;
  };
  const target = new DelayStation(model.sim, model.requests, target_ns);
  const out = { rule: CARRY_WRITE_DATA, header_bytes: NVME_COMMAND_BYTES } as const;
  const home = { rule: CARRY_READ_DATA, header_bytes: NVME_COMPLETION_BYTES } as const;
  const legOn = (c: NodePort, t: NodePort, cVf: number, tVf: number, withTarget: boolean) => ({
    via: [c.rack.port.vfEntry(cVf, out), t.rack.ingress.entry(out), ...(withTarget ? [target] : [])],
    back: [t.rack.port.vfEntry(tVf, home), c.rack.ingress.entry(home)],
  });
  const storageLeg = (client: string, targetNode: string, slot: number, withTarget = true): StorageLeg => {
    const c = storagePortOf(client);
    const t = storagePortOf(targetNode);
    const cVfs = c.rack.port.vfs.length;
    const tVfs = t.rack.port.vfs.length;
    // Resync copies on a VF of their own, counted from the last: the port's fair share interleaves them
    // with the volume's foreground I/O instead of queueing that behind them.
    const fg = legOn(c, t, slot % cVfs, slot % tVfs, withTarget);
    const copies = legOn(c, t, cVfs - 1 - (slot % cVfs), tVfs - 1 - (slot % tVfs), withTarget);
    return { ...fg, copyVia: copies.via, copyBack: copies.back };
  };
  return { stack, tor, ports, flows: built, notes, storageLeg, storagePortOf };
}
