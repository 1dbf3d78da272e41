/**
 * The DIY stack's path between two pods of one node: the sender's veth, the host's bridge and netfilter,
 * the receiver's veth, never the NIC. What it costs is the overlay's per-packet host CPU at both veths
 * and its added latency (`overlayEndpoints`, on the same node); what bounds it is here, as two pacers:
 *
 * - the sending pod's interface cap: the bandwidth CNI plugin puts a token bucket (tc tbf) on the pod's
 *   host-side veth for its `kubernetes.io/egress-bandwidth` (containernetworking/plugins, plugins/meta/
 *   bandwidth, 2018-), so the tier's maximum holds whatever the destination; tbf counts whole packets
 *   (headers and the Ethernet header), so the payload rate is the cap times payload / packet bytes. One
 *   pacer per sending interface, shared by all its same-node flows. (Its flows to other nodes are capped
 *   by the NIC port's per-endpoint queue instead; the two caps are kept apart, a simplification.)
 * - one flow's ceiling: veth_xmit hands each packet to the same CPU's backlog (netif_rx), whose softirq
 *   runs the bridge, the peer veth and the receiver's TCP up to its socket, so one flow's packets go
 *   through one core in turn: payload per packet / (both pods' stack and both veths' overlay work per
 *   packet) (Linux drivers/net/veth.c, net/core/dev.c; the single-flow CNI ceiling of
 *   research/network.md section 7 is the same effect cross-node). A judgement: GSO/GRO, which lets
 *   real veths move 64 KiB per traversal, is not modelled, as elsewhere in the packet accounting.
 *
 * Both are GCRA pacers (`LimitThrottle`): a message leaves when it conforms, one event when it waits.
 */
import type { Simulator } from '../../core/kernel.js';
import type { RequestPool } from '../../io/requests.js';
import { IPV4_TCP_TIMESTAMPS_HEADER_BYTES } from './overlay.js';
import { LimitThrottle } from './limit-throttle.js';

/** Ethernet header tbf counts on a veth (destination, source, type), bytes. */
const VETH_ETHERNET_HEADER_BYTES = 14;

/** Per-packet figures of the same-node path, as plain numbers (from the stack's terms). */
export interface HostBridgeTerms {
  /** Payload bytes per packet (the pod's TCP MSS). */
  readonly mss_bytes: number;
  /** The overlay's host CPU per packet at each veth, ns. */
  readonly veth_ns_per_packet: number;
  /** A pod's own TCP/IP stack per packet, ns. */
  readonly pod_stack_ns_per_packet: number;
}

/** Payload bytes per second a veth's tbf cap of `cap_bits_per_s` lets through (headers counted against it). */
export function vethCapPayload_bytes_per_s(cap_bits_per_s: number, mss_bytes: number): number {
  const packet = mss_bytes + IPV4_TCP_TIMESTAMPS_HEADER_BYTES + VETH_ETHERNET_HEADER_BYTES;
  return ((cap_bits_per_s / 8) * mss_bytes) / packet;
}

/** Payload bytes per second one flow moves through the bridge on one core (see the file header). */
export function bridgeFlowCeiling_bytes_per_s(terms: HostBridgeTerms): number {
  const perPacket_ns = 2 * (terms.veth_ns_per_packet + terms.pod_stack_ns_per_packet);
  return perPacket_ns > 0 ? (terms.mss_bytes * 1e9) / perPacket_ns : Infinity;
}

/** The pacers of the same-node path: one per sending interface (its cap) and one per flow (its ceiling). */
export class HostBridge {
  private readonly interfaceCaps = new Map<string, LimitThrottle>();

  constructor(
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
    readonly terms: HostBridgeTerms,
  ) {}

  /** The cap of sending interface `key` (node and interface), made on first use; null when it has no maximum. */
  interfaceCap(key: string, max_bits_per_s: number): LimitThrottle | null {
    if (!(max_bits_per_s > 0 && Number.isFinite(max_bits_per_s))) return null;
    let cap = this.interfaceCaps.get(key);
    if (!cap) {
      cap = new LimitThrottle(this.sim, this.requests, {
        max_bytes_per_s: vethCapPayload_bytes_per_s(max_bits_per_s, this.terms.mss_bytes),
      });
      this.interfaceCaps.set(key, cap);
    }
    return cap;
  }

  /** A new flow's ceiling through the bridge; null when the path costs no CPU per packet. */
  flowCeiling(): LimitThrottle | null {
    const rate = bridgeFlowCeiling_bytes_per_s(this.terms);
    return rate === Infinity ? null : new LimitThrottle(this.sim, this.requests, { max_bytes_per_s: rate });
  }
}
