/**
 * The DIY stack's overlay pod network (veth, the host's netfilter and bridge, VXLAN): per packet, host
 * CPU at the sender and at the receiver and a one-way latency per pod-to-pod traversal; on the wire,
 * VXLAN's outer headers on every packet. The link model takes `overlayWireBytes` for what a message
 * occupies on the wire; the endpoints are stations a flow's route passes on the sending and receiving
 * node. The appliance's SR-IOV VFs are the same stations at zero (see `stack.ts`).
 */
import type { Simulator } from '../../core/kernel.js';
import type { RequestPool } from '../../io/requests.js';
import { CPU_NETWORK, type HostCpu } from '../../resources/host-cpu.js';
import { packetsFor, payloadPerPacket_bytes } from '../../network/framing.js';
import { CpuCharge } from './cpu-charge.js';

/**
 * IPv4 (20) and TCP with timestamps (32) headers in every packet, bytes: what an MTU holds beside the MSS
 * of a Linux pod's TCP (the network model's framing counts TCP without options, 40).
 */
export const IPV4_TCP_TIMESTAMPS_HEADER_BYTES = 52;

/** The overlay's figures for one stack, as plain numbers (defaults from the stack coefficient file). */
export interface OverlayTerms {
  /** Host CPU per packet at each end (sender and receiver each pay it), ns. */
  readonly cpu_ns_per_packet: number;
  /** One-way latency the overlay adds per pod-to-pod traversal, ns (split between the two ends). */
  readonly added_latency_ns: number;
  /** Bytes the encapsulation adds to every packet on the wire (VXLAN over IPv4: 50). */
  readonly overlay_bytes_per_packet: number;
  /** Payload bytes per packet inside the overlay (see `overlayMss_bytes`). */
  readonly mss_bytes: number;
}

/**
 * Payload bytes per packet inside an overlay: the host's MTU less the encapsulation (a VXLAN CNI sets
 * the pod MTU 50 bytes below the host's) less the inner IP and TCP headers.
 */
export function overlayMss_bytes(
  mtu_bytes: number,
  overlay_bytes_per_packet: number,
  header_bytes = IPV4_TCP_TIMESTAMPS_HEADER_BYTES,
): number {
  return payloadPerPacket_bytes({
    mtu_bytes,
    l3l4_header_bytes: header_bytes,
    encap_bytes: overlay_bytes_per_packet,
    frame_overhead_bytes: 0,
  });
}

/**
 * Bytes a message of `message_bytes` puts on the wire: its payload, plus per packet the encapsulation
 * and `header_bytes` of inner headers (0 to count the overlay's share alone).
 */
export function overlayWireBytes(message_bytes: number, mss_bytes: number, overlay_bytes_per_packet: number, header_bytes = 0): number {
  return message_bytes + packetsFor(message_bytes, mss_bytes) * (overlay_bytes_per_packet + header_bytes);
}

/** The two ends of a pod-to-pod traversal: `send` on the sender's node, `receive` on the receiver's. */
export interface OverlayEndpoints {
  readonly send: CpuCharge;
  readonly receive: CpuCharge;
}

/**
 * Stations for one direction of a flow between pods on `sender` and `receiver`: each charges the
 * per-packet CPU on its node's cores (the request waits until it is processed) and adds half of the
 * traversal's latency, so a message's one-way time is the link's plus `added_latency_ns` plus the CPU.
 */
export function overlayEndpoints(
  sim: Simulator,
  requests: RequestPool,
  sender: HostCpu,
  receiver: HostCpu,
  terms: OverlayTerms,
): OverlayEndpoints {
  const half = terms.added_latency_ns / 2;
  const cost = { packet_ns: terms.cpu_ns_per_packet, mss_bytes: terms.mss_bytes, added_latency_ns: half };
  return {
    send: new CpuCharge(sim, requests, sender, CPU_NETWORK, cost),
    receive: new CpuCharge(sim, requests, receiver, CPU_NETWORK, cost),
  };
}
