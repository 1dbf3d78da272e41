/**
 * A NIC port with SR-IOV virtual functions and the port's transmit scheduler. Each VF is a station (a
 * pod's interface); messages queue per VF and the port serves them one at a time at line rate:
 *
 * - a VF whose minimum guarantee is behind (its reservation tag is due) goes first, earliest tag first;
 * - otherwise the port is shared among backlogged VFs by start-time fair queueing on their weights;
 * - a VF never goes above its maximum (its limit tag must be due), even when the port would idle.
 *
 * The reservation tag counts all of a VF's service (so the minimum is a floor, not an addition: a VF
 * whose fair share is above its minimum just gets its share), and one held below its minimum catches
 * up first. Its lead over the clock is capped at `guarantee_horizon_ns`: a VF that had the line to
 * itself banks no more than that, so its floor resumes within it once neighbours wake up. Every
 * backlogged VF gets at least its minimum, the rest is shared by weight (idle guarantees are lent), and
 * the sum of minimums never exceeds the line rate (refused when VFs are configured). The port consumes
 * no host CPU. A transmitted message is handed on when its first bit reaches the far end of the cable
 * (the switch is cut-through), with `requests.stamp_ns` set to when its last bit arrives there: the
 * station after a VF (a `SwitchEgress`) reads that.
 */
import type { EventHandler, EventHandle, Simulator } from '../core/kernel.js';
import { grown } from '../core/slots.js';
import type { RequestPool, Station } from '../io/requests.js';
import { RequestFifo } from '../resources/request-fifo.js';
import {
  carriedBytes,
  CARRY_ALL,
  checkFraming,
  checkSegment_bytes,
  DEFAULT_FRAMING,
  payloadPerPacket_bytes,
  perPacketOverhead_bytes,
  wireBytesOf,
  type Carry,
  type Framing,
} from './framing.js';

/** A VF's bandwidth settings, bits/s of wire rate (headers and frame cost included). */
export interface VfRates {
  /** Guaranteed rate while backlogged, bits/s; 0 for none. */
  readonly min_bits_per_s?: number;
  /** Ceiling, bits/s; Infinity (default) for none. */
  readonly max_bits_per_s?: number;
  /** Share of spare capacity relative to other VFs' weights; default 1 (equal shares). */
  readonly weight?: number;
}

export interface NicPortParams {
  /** Unique name ("node1/pod-port"). */
  readonly name: string;
  /** Line rate, bits/s (25e9 for 25GbE). */
  readonly rate_bits_per_s: number;
  /** One-way latency of the cable to the switch (propagation plus both PHYs), ns. */
  readonly propagation_ns: number;
  /** How messages become frames; default plain L2 at MTU 1500, IPv4 + TCP. */
  readonly framing?: Framing;
  /**
   * How far ahead of its minimum a VF's service may count, ns (default `DEFAULT_GUARANTEE_HORIZON_NS`):
   * longer smooths floors over bursts, shorter restores a floor sooner after the VF had the line alone.
   */
  readonly guarantee_horizon_ns?: number;
  /**
   * Largest piece of a message the scheduler sends at once, bytes of payload (default Infinity: whole
   * messages). A longer message goes in pieces and other VFs' messages may go between them, as a NIC
   * interleaves its queues' frames: a small message then waits behind one piece of a large one, not all of it.
   */
  readonly segment_bytes?: number;
}

/** Default lead a VF may bank over its minimum, ns: a few 64 KiB messages at 25 Gbit/s. */
export const DEFAULT_GUARANTEE_HORIZON_NS = 100_000;

/** Event arg that wakes the scheduler (other args are request ids to hand on). */
const WAKE = -1;

/**
 * One SR-IOV virtual function: the station a pod's messages enter the port through. `carry` says what
 * it charges per request (see `Carry`); `port.vfEntry` gives more entries to the same VF and queue.
 */
export class VirtualFunction implements Station {
  constructor(
    readonly port: NicPort,
    readonly index: number,
    readonly carry: Carry = CARRY_ALL,
    /** True for the entry of VF-to-VF messages that turn around in the embedded switch (`port.hairpinEntry`). */
    readonly hairpin = false,
  ) {}
  accept(req: number): void {
    const requests = this.port.requests;
    this.port.enqueue(this.index, req, carriedBytes(this.carry, requests.op[req]!, requests.size_bytes[req]!), this.hairpin);
  }
}

export class NicPort implements EventHandler {
  readonly name: string;
  readonly rate_bits_per_s: number;
  readonly propagation_ns: number;
  readonly framing: Framing;
  readonly guarantee_horizon_ns: number;
  readonly segment_bytes: number;
  readonly vfs: VirtualFunction[] = [];
  /** The framing's payload and overhead per packet, bytes (for `wireBytesOf`). */
  private readonly packetPayload_bytes: number;
  private readonly packetOverhead_bytes: number;

  /** Time the line spent serializing, ns (never counts VF-to-VF traffic on the embedded switch). */
  wireBusy_ns = 0;
  /** Time the scheduler spent on VF-to-VF (hairpin) messages, ns: not on the wire, but out of the same line time. */
  hairpinBusy_ns = 0;
  /** Payload bytes each VF sent onto the wire. */
  private sentBytes = new Float64Array(0);
  /** Payload bytes each VF sent to another VF of the port (hairpin). */
  private hairpinBytes = new Float64Array(0);
  /** Per request id, 1 while a hairpin message waits in a queue (grown to the request pool's ids as they come). */
  private hairpinOf = new Uint8Array(0);
  private minRate = new Float64Array(0);
  private maxRate = new Float64Array(0);
  private weight = new Float64Array(0);
  /** When the VF's minimum next entitles it to the line, ns. */
  private resvTag = new Float64Array(0);
  /** Earliest time the VF's maximum lets it send again, ns. */
  private limitTag = new Float64Array(0);
  /** Start tag of the VF's head message in the fair-share order (bits / weight). */
  private shareTag = new Float64Array(0);
  private readonly queues: RequestFifo[] = [];
  /** Per VF the message being sent in pieces (its payload still to send in `requests.tag`), -1 for none. */
  private partial = new Int32Array(0);
  /** Backlogged VFs, unordered; `backlogPos` is each VF's place in it (-1 when idle). */
  private backlog = new Int32Array(0);
  private backlogPos = new Int32Array(0);
  private backlogCount = 0;
  /** Fair-share virtual time: start tag of the last message sent by share. */
  private virtualTime = 0;
  private busyUntil_ns = 0;
  private wakeAt_ns = Infinity;
  private wakeHandle: EventHandle = -1;
  private minSum_bits_per_s = 0;

  constructor(
    params: NicPortParams,
    private readonly sim: Simulator,
    readonly requests: RequestPool,
  ) {
    if (!(params.rate_bits_per_s > 0 && Number.isFinite(params.rate_bits_per_s)))
      throw new RangeError(`NIC port ${params.name}: rate_bits_per_s must be a positive finite number, got ${params.rate_bits_per_s}`);
    if (!(params.propagation_ns >= 0 && Number.isFinite(params.propagation_ns)))
      throw new RangeError(`NIC port ${params.name}: propagation_ns must be >= 0, got ${params.propagation_ns}`);
    this.name = params.name;
    this.rate_bits_per_s = params.rate_bits_per_s;
    this.propagation_ns = params.propagation_ns;
    this.framing = params.framing ?? DEFAULT_FRAMING;
    this.guarantee_horizon_ns = params.guarantee_horizon_ns ?? DEFAULT_GUARANTEE_HORIZON_NS;
    if (!(this.guarantee_horizon_ns >= 0 && Number.isFinite(this.guarantee_horizon_ns)))
      throw new RangeError(`NIC port ${params.name}: guarantee_horizon_ns must be >= 0, got ${this.guarantee_horizon_ns}`);
    checkFraming(this.framing, `NIC port ${params.name}`);
    this.packetPayload_bytes = payloadPerPacket_bytes(this.framing);
    this.packetOverhead_bytes = perPacketOverhead_bytes(this.framing);
    this.segment_bytes = checkSegment_bytes(params.segment_bytes, `NIC port ${params.name}`);
  }

  /** Adds a VF with its rates (at build time) and returns its station. */
  addVf(rates: VfRates = {}): VirtualFunction {
    const index = this.vfs.length;
    const n = index + 1;
    this.sentBytes = grown(this.sentBytes, n, 0);
    this.hairpinBytes = grown(this.hairpinBytes, n, 0);
    this.minRate = grown(this.minRate, n, 0);
    this.maxRate = grown(this.maxRate, n, Infinity);
    this.weight = grown(this.weight, n, 1);
    this.resvTag = grown(this.resvTag, n, 0);
    this.limitTag = grown(this.limitTag, n, 0);
    this.shareTag = grown(this.shareTag, n, 0);
    this.backlog = grown(this.backlog, n, 0);
    this.backlogPos = grown(this.backlogPos, n, -1);
    this.partial = grown(this.partial, n, -1);
    this.queues.push(new RequestFifo(64));
    const vf = new VirtualFunction(this, index);
    this.vfs.push(vf);
    this.setRates(index, rates);
    return vf;
  }

  /**
   * Sets VF `index`'s minimum, maximum and weight (as the control plane would, at any time). Refused
   * when the minimums would sum above the line rate or a minimum is above its maximum.
   */
  setRates(index: number, rates: VfRates): void {
    const min = rates.min_bits_per_s ?? 0;
    const max = rates.max_bits_per_s ?? Infinity;
    const weight = rates.weight ?? 1;
    const where = `NIC port ${this.name} VF ${index}`;
    if (!(min >= 0 && Number.isFinite(min))) throw new RangeError(`${where}: min_bits_per_s must be a finite number >= 0, got ${min}`);
    if (!(max > 0)) throw new RangeError(`${where}: max_bits_per_s must be > 0 (Infinity for no cap), got ${max}`);
    if (min > max) throw new RangeError(`${where}: min_bits_per_s ${min} is above max_bits_per_s ${max}`);
    if (!(weight > 0 && Number.isFinite(weight))) throw new RangeError(`${where}: weight must be a positive finite number, got ${weight}`);
    const minSum = this.minSum_bits_per_s - this.minRate[index]! + min;
    if (minSum > this.rate_bits_per_s * (1 + 1e-12)) {
      throw new RangeError(
        `${where}: minimums would sum to ${minSum} bits/s, above the port's ${this.rate_bits_per_s}; lower a VF's min_bits_per_s`,
      );
    }
    this.minSum_bits_per_s = minSum;
    this.minRate[index] = min;
    this.maxRate[index] = max;
    this.weight[index] = weight;
  }

  /** The VF at `index`. */
  vf(index: number): VirtualFunction {
    const vf = this.vfs[index];
    if (!vf) throw new RangeError(`NIC port ${this.name} has no VF ${index} (it has ${this.vfs.length})`);
    return vf;
  }

  /** Another entry to VF `index` (same queue and rates) charging requests by `carry`. */
  vfEntry(index: number, carry: Carry): VirtualFunction {
    return new VirtualFunction(this, this.vf(index).index, carry);
  }

  /**
   * Another entry to VF `index` (same queue and rates) for messages to another VF of this port: the
   * VF's transmit scheduler serves them as it does the wire's (its minimum and maximum hold, and they
   * share the port's line time, which bounds the hairpin at the port's speed), then hands them to the
   * embedded switch when their last bit is out, without the cable's latency or the wire's busy time.
   * Judgement (2026): a real NIC's VF-to-VF traffic is rate-limited at the sending VF's send queue like
   * wire traffic and is bounded by the NIC's internal switching and PCIe, taken here as the port's speed.
   */
  hairpinEntry(index: number, carry: Carry = CARRY_ALL): VirtualFunction {
    return new VirtualFunction(this, this.vf(index).index, carry, true);
  }

  /** Payload bytes VF `index` has sent to other VFs of the port through the embedded switch. */
  hairpin_bytes(index: number): number {
    return this.hairpinBytes[index] ?? 0;
  }

  /** Payload bytes VF `index` has sent onto the wire. */
  sent_bytes(index: number): number {
    return this.sentBytes[index] ?? 0;
  }

  /** Messages waiting in VF `index`'s queue. */
  queued(index: number): number {
    return (this.queues[index]?.length ?? 0) + ((this.partial[index] ?? -1) >= 0 ? 1 : 0);
  }

  /**
   * A message of `bytes` of payload from VF `vf`'s pod (kept in `requests.tag` while it waits); `hairpin`
   * when it goes to another VF of the port (see `hairpinEntry`).
   */
  enqueue(vf: number, req: number, bytes: number, hairpin = false): void {
    this.requests.tag[req] = bytes;
    if (req >= this.hairpinOf.length) this.hairpinOf = grown(this.hairpinOf, Math.max(64, 2 * (req + 1)));
    this.hairpinOf[req] = hairpin ? 1 : 0;
    const queue = this.queues[vf]!;
    queue.push(req);
    if (this.backlogPos[vf]! < 0) this.becomeBacklogged(vf);
    if (this.sim.now >= this.busyUntil_ns) this.dispatch();
    else this.wakeAt(this.busyUntil_ns);
  }

  fire(arg: number): void {
    if (arg === WAKE) {
      this.wakeAt_ns = Infinity;
      if (this.sim.now >= this.busyUntil_ns) this.dispatch();
      else if (this.backlogCount > 0) this.wakeAt(this.busyUntil_ns);
    } else {
      this.requests.forward(arg);
    }
  }

  /** An idle VF starts afresh: no credit banked while it had nothing to send. */
  private becomeBacklogged(vf: number): void {
    const now = this.sim.now;
    if (this.resvTag[vf]! < now) this.resvTag[vf] = now;
    if (this.shareTag[vf]! < this.virtualTime) this.shareTag[vf] = this.virtualTime;
    this.backlogPos[vf] = this.backlogCount;
    this.backlog[this.backlogCount++] = vf;
  }

  private leaveBacklog(vf: number): void {
    const pos = this.backlogPos[vf]!;
    const last = this.backlog[--this.backlogCount]!;
    this.backlog[pos] = last;
    this.backlogPos[last] = pos;
    this.backlogPos[vf] = -1;
  }

  /** Puts the next message on the line (the line is free now), or waits for a VF's limit. */
  private dispatch(): void {
    if (this.backlogCount === 0) return;
    const now = this.sim.now;
    let byResv = -1;
    let byShare = -1;
    let nextLimit = Infinity;
    for (let k = 0; k < this.backlogCount; k++) {
      const vf = this.backlog[k]!;
      const limit = this.limitTag[vf]!;
      if (limit > now) {
        if (limit < nextLimit) nextLimit = limit;
        continue;
      }
      const resv = this.resvTag[vf]!;
      if (
        this.minRate[vf]! > 0 &&
        resv <= now &&
        (byResv < 0 || resv < this.resvTag[byResv]! || (resv === this.resvTag[byResv]! && vf < byResv))
      )
        byResv = vf;
      const share = this.shareTag[vf]!;
      if (byShare < 0 || share < this.shareTag[byShare]! || (share === this.shareTag[byShare]! && vf < byShare)) byShare = vf;
    }
    if (byShare < 0) {
      this.wakeAt(nextLimit); // every backlogged VF is at its maximum
      return;
    }
    const vf = byResv >= 0 ? byResv : byShare;
    const queue = this.queues[vf]!;
    const req = this.partial[vf]! >= 0 ? this.partial[vf]! : queue.shift();
    const left = this.requests.tag[req]!;
    const size = left > this.segment_bytes ? this.segment_bytes : left;
    const bits = wireBytesOf(size, this.packetPayload_bytes, this.packetOverhead_bytes) * 8;
    const tx_ns = (bits * 1e9) / this.rate_bits_per_s;
    const min = this.minRate[vf]!;
    if (min > 0) {
      const cost_ns = (bits * 1e9) / min;
      const horizon_ns = cost_ns > this.guarantee_horizon_ns ? cost_ns : this.guarantee_horizon_ns;
      const tag = this.resvTag[vf]! + cost_ns;
      this.resvTag[vf] = tag < now + horizon_ns ? tag : now + horizon_ns;
    }
    if (byResv < 0) {
      this.virtualTime = this.shareTag[vf]!;
      this.shareTag[vf] = this.virtualTime + bits / this.weight[vf]!;
    }
    const max = this.maxRate[vf]!;
    if (max !== Infinity) {
      const gap_ns = (bits * 1e9) / max;
      this.limitTag[vf] = Math.max(this.limitTag[vf]!, now - gap_ns) + gap_ns; // a late start may catch up one message
    }
    const end_ns = now + tx_ns;
    const hairpin = this.hairpinOf[req] === 1;
    this.busyUntil_ns = end_ns;
    if (hairpin) {
      this.hairpinBusy_ns += tx_ns;
      this.hairpinBytes[vf] = this.hairpinBytes[vf]! + size;
    } else {
      this.wireBusy_ns += tx_ns;
      this.sentBytes[vf] = this.sentBytes[vf]! + size;
    }
    if (left > size) {
      // More pieces to go: the message waits at the head of its VF for its next turn.
      this.requests.tag[req] = left - size;
      this.partial[vf] = req;
    } else if (hairpin) {
      // Handed to the embedded switch when its last bit is out of the VF (no cable; the switch adds its latency).
      this.partial[vf] = -1;
      this.requests.stamp_ns[req] = end_ns;
      this.sim.post(end_ns, this, req);
      if (queue.length === 0) this.leaveBacklog(vf);
    } else {
      // Handed on when the first bit of its last piece reaches the switch (see SwitchEgress's `segment_bytes`).
      this.partial[vf] = -1;
      this.requests.stamp_ns[req] = end_ns + this.propagation_ns;
      this.sim.post(now + this.propagation_ns, this, req);
      if (queue.length === 0) this.leaveBacklog(vf);
    }
    if (this.backlogCount > 0) this.wakeAt(end_ns);
  }

  /** Makes sure the scheduler runs at `at_ns` (one wake pending at most: the earliest). */
  private wakeAt(at_ns: number): void {
    if (at_ns >= this.wakeAt_ns) return;
    if (this.wakeAt_ns !== Infinity) this.sim.cancel(this.wakeHandle);
    this.wakeAt_ns = at_ns;
    this.wakeHandle = this.sim.schedule(at_ns, this, WAKE);
  }
}
