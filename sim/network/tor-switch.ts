/**
 * A top-of-rack switch, plain L2 and cut-through: a message starts out of its egress port
 * `switch_latency_ns` after its first bit came in, unless the egress line is still sending earlier
 * messages (several inputs converging on one output queue there, first come first served). The egress
 * is a FIFO server at its line rate; it cannot finish before the message's last bit has come in plus
 * the switch latency (a faster output waits for a slower input). Uncontended, a message crosses NIC,
 * cable, switch and cable in serialization + both cables' latency + switch latency: cut-through
 * serializes once.
 *
 * An egress port accepts a message when its first bit reaches the switch, with `requests.stamp_ns` the
 * arrival of its last bit (what a `NicPort` hands on), and forwards it when its last bit reaches the
 * receiving NIC: the receiving pod has the whole message then.
 */
import type { EventHandler, Simulator } from '../core/kernel.js';
import type { RequestPool, Station } from '../io/requests.js';
import {
  carriedBytes,
  checkFraming,
  checkSegment_bytes,
  DEFAULT_FRAMING,
  payloadPerPacket_bytes,
  perPacketOverhead_bytes,
  wireBytesOf,
  type Carry,
  type Framing,
} from './framing.js';

export interface TorSwitchParams {
  readonly name: string;
  /** Port-to-port latency of the switch, first bit in to first bit out, ns. */
  readonly switch_latency_ns: number;
}

export interface SwitchPortParams {
  /** Unique on the switch ("node2/pod-port"). */
  readonly name: string;
  /** Line rate of the link to the attached NIC, bits/s. */
  readonly rate_bits_per_s: number;
  /** One-way latency of the cable to the NIC (propagation plus both PHYs), ns. */
  readonly propagation_ns: number;
  /** How messages become frames on this link; default plain L2 at MTU 1500, IPv4 + TCP. */
  readonly framing?: Framing;
  /**
   * The sending NIC's piece size (`NicPortParams.segment_bytes`), bytes; default Infinity. A message in
   * pieces comes in when its last piece's first bit does: its earlier pieces went through the egress
   * before, cut-through, between whatever else the line carried, so only the last piece is sent from
   * then (exact when the sender is no faster than this line; a faster sender's earlier pieces would have
   * queued here, which this does not count). The line's busy time counts the whole message.
   */
  readonly segment_bytes?: number;
}

/** One output port of the switch: the station that carries messages down the link to one NIC. */
export class SwitchEgress implements Station, EventHandler {
  /** Time the egress line spent serializing, ns. */
  wireBusy_ns = 0;
  /** Messages sent, and the total and largest wait for the line behind earlier messages, ns. */
  messages = 0;
  queueWait_ns = 0;
  maxQueueWait_ns = 0;
  private free_ns = 0;
  private readonly segment_bytes: number;
  /** The framing's payload and overhead per packet, bytes (for `wireBytesOf`). */
  private readonly packetPayload_bytes: number;
  private readonly packetOverhead_bytes: number;

  constructor(
    readonly name: string,
    readonly params: SwitchPortParams,
    private readonly switchLatency_ns: number,
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
  ) {
    const framing: Framing = params.framing ?? DEFAULT_FRAMING;
    this.packetPayload_bytes = payloadPerPacket_bytes(framing);
    this.packetOverhead_bytes = perPacketOverhead_bytes(framing);
    this.segment_bytes = checkSegment_bytes(params.segment_bytes, `switch port ${name}`);
  }

  accept(req: number): void {
    this.acceptBytes(req, this.requests.size_bytes[req]!);
  }

  /** Another entry to this egress (same line, same queue) charging requests by `carry`. */
  entry(carry: Carry): Station {
    return new EgressEntry(this, carry, this.requests);
  }

  /** A message of `bytes` of payload whose first bit reached the switch now. */
  acceptBytes(req: number, bytes: number): void {
    const requests = this.requests;
    const rate = this.params.rate_bits_per_s;
    const tx_ns = (wireBytesOf(bytes, this.packetPayload_bytes, this.packetOverhead_bytes) * 8e9) / rate;
    // What goes out from now: the whole message, or of one in pieces its last piece (the earlier ones
    // went through between whatever else the line carried; the whole still takes tx_ns from its first bit).
    let txLast_ns = tx_ns;
    if (bytes > this.segment_bytes) {
      const last = bytes - Math.ceil(bytes / this.segment_bytes - 1) * this.segment_bytes;
      txLast_ns = (wireBytesOf(last, this.packetPayload_bytes, this.packetOverhead_bytes) * 8e9) / rate;
    }
    const ready_ns = this.sim.now + this.switchLatency_ns;
    const start_ns = ready_ns > this.free_ns ? ready_ns : this.free_ns;
    const tailIn_ns = requests.stamp_ns[req]! + this.switchLatency_ns;
    const end_ns = start_ns + txLast_ns > tailIn_ns ? start_ns + txLast_ns : tailIn_ns;
    const wait_ns = start_ns - ready_ns;
    this.free_ns = end_ns;
    this.wireBusy_ns += tx_ns;
    this.messages++;
    this.queueWait_ns += wait_ns;
    if (wait_ns > this.maxQueueWait_ns) this.maxQueueWait_ns = wait_ns;
    this.sim.post(end_ns + this.params.propagation_ns, this, req);
  }

  fire(req: number): void {
    this.requests.forward(req);
  }
}

/** An entry to a switch egress that charges what `carry` says (a command one way, data the other). */
class EgressEntry implements Station {
  constructor(
    private readonly egress: SwitchEgress,
    private readonly carry: Carry,
    private readonly requests: RequestPool,
  ) {}
  accept(req: number): void {
    this.egress.acceptBytes(req, carriedBytes(this.carry, this.requests.op[req]!, this.requests.size_bytes[req]!));
  }
}

export class TorSwitch {
  readonly name: string;
  readonly switch_latency_ns: number;
  private readonly ports = new Map<string, SwitchEgress>();

  constructor(
    params: TorSwitchParams,
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
  ) {
    if (!(params.switch_latency_ns >= 0 && Number.isFinite(params.switch_latency_ns)))
      throw new RangeError(`switch ${params.name}: switch_latency_ns must be >= 0, got ${params.switch_latency_ns}`);
    this.name = params.name;
    this.switch_latency_ns = params.switch_latency_ns;
  }

  /** Adds the egress port toward one NIC (build time). */
  addPort(params: SwitchPortParams): SwitchEgress {
    if (this.ports.has(params.name))
      throw new RangeError(`switch ${this.name} has a port "${params.name}" already; give each port its own name`);
    if (!(params.rate_bits_per_s > 0 && Number.isFinite(params.rate_bits_per_s)))
      throw new RangeError(
        `switch ${this.name} port ${params.name}: rate_bits_per_s must be a positive finite number, got ${params.rate_bits_per_s}`,
      );
    if (!(params.propagation_ns >= 0 && Number.isFinite(params.propagation_ns)))
      throw new RangeError(`switch ${this.name} port ${params.name}: propagation_ns must be >= 0, got ${params.propagation_ns}`);
    checkFraming(params.framing ?? DEFAULT_FRAMING, `switch ${this.name} port ${params.name}`);
    const port = new SwitchEgress(`${this.name}/${params.name}`, params, this.switch_latency_ns, this.sim, this.requests);
    this.ports.set(params.name, port);
    return port;
  }

  /** The egress port called `name`. */
  port(name: string): SwitchEgress {
    const port = this.ports.get(name);
    if (!port) throw new RangeError(`switch ${this.name} has no port "${name}" (ports: ${[...this.ports.keys()].join(', ') || 'none'})`);
    return port;
  }
}
