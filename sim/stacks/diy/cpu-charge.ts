/**
 * A station that charges a node's host CPU for what passes through it: per I/O by operation and size
 * (a storage daemon's work per client read or replica write), or per packet (the overlay network's
 * veth, netfilter and VXLAN work, packets = ceil(bytes / MSS)), and adds a fixed latency term after it.
 * The request waits for its charge one of two ways:
 * - `served`: until the CPU has done the work (a packet is sent when the stack has processed it);
 * - `queued`: only until a core takes the work, its service overlapping the path's measured latency
 *   terms. For the storage daemon: Ceph's CPU per I/O comes from throughput at high queue depth, spread
 *   over its threads and partly done after the acknowledgement, while its QD1 latency is measured on its
 *   own (~0.45 ms for a replicated 4K write against 3 x 286 us of CPU); holding each I/O for its whole
 *   charge would count the CPU twice. Under CPU contention the wait for a core still delays the I/O.
 * A request with nothing to wait for (zero work and latency: the appliance stack's stations; a core free
 * in `queued` mode) goes on at once, costing no event.
 *
 * Fixed delays on either side fold in, so a hop, a charge and a daemon's software time cost one event
 * instead of three: `arrival_delay_ns` (a network hop to the CPU: the work is reserved on arrival, now plus
 * the hop) and the added latency after the charge, per operation. Folding the hop reserves the CPU when the
 * request leaves for it, so among charges arriving less than a hop apart a core goes in the order they were
 * sent rather than received; totals and utilisation are unchanged (the host CPU is work-conserving FIFO).
 */
import type { EventHandler, Simulator } from '../../core/kernel.js';
import { OP_READ, OP_TRIM, OP_WRITE, type RequestPool, type Station } from '../../io/requests.js';
import type { CpuClass, HostCpu } from '../../resources/host-cpu.js';
import { packetsFor } from '../../network/framing.js';

/** What a request is charged, as plain numbers (defaults from the stack coefficient file). */
export interface ChargeCost {
  /** CPU per read, ns. */
  readonly read_ns?: number;
  /** CPU per write, ns. */
  readonly write_ns?: number;
  /** CPU per trim, ns. */
  readonly trim_ns?: number;
  /** CPU per byte moved (any operation), ns/byte; 0 when the per-I/O figure stands for every size. */
  readonly ns_per_byte?: number;
  /** CPU per packet, ns; the request's size is cut into ceil(size / mss_bytes) packets. */
  readonly packet_ns?: number;
  /** Payload bytes per packet (TCP MSS) when `packet_ns` is charged. */
  readonly mss_bytes?: number;
  /** Latency added after the charge, ns, every operation (an overlay's per-traversal latency). */
  readonly added_latency_ns?: number;
  /** Latency added after the charge to a read, ns, instead of `added_latency_ns` (a daemon's software time). */
  readonly added_read_latency_ns?: number;
  /** The same for a write (and a trim), ns. */
  readonly added_write_latency_ns?: number;
  /** Time from the station to the CPU, ns (a network hop folded in: the work arrives that much later). */
  readonly arrival_delay_ns?: number;
}

/** How long a request waits for its charge: until served, or until a core takes it (see the file header). */
export type ChargeHold = 'served' | 'queued';

export class CpuCharge implements Station, EventHandler {
  /** Per operation code (OP_READ, OP_WRITE, OP_TRIM), CPU per I/O, ns. */
  private readonly perIo_ns = new Float64Array(3);
  private readonly perByte_ns: number;
  private readonly perPacket_ns: number;
  private readonly mss_bytes: number;
  /** Per operation code, latency after the charge, ns. */
  private readonly added_ns = new Float64Array(3);
  private readonly arrival_ns: number;
  private readonly waitsForService: boolean;
  /** Everything at zero: forward at once. */
  private readonly free: boolean;

  constructor(
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
    readonly cpu: HostCpu,
    readonly cpuClass: CpuClass,
    cost: ChargeCost,
    hold: ChargeHold = 'served',
  ) {
    for (const [field, value] of Object.entries(cost)) {
      if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value)))
        throw new RangeError(`CPU charge on "${cpu.name}": ${field} must be a finite number ≥ 0, not ${String(value)}`);
    }
    this.perIo_ns[OP_READ] = cost.read_ns ?? 0;
    this.perIo_ns[OP_WRITE] = cost.write_ns ?? 0;
    this.perIo_ns[OP_TRIM] = cost.trim_ns ?? 0;
    this.perByte_ns = cost.ns_per_byte ?? 0;
    this.perPacket_ns = cost.packet_ns ?? 0;
    this.mss_bytes = cost.mss_bytes ?? 0;
    if (this.perPacket_ns > 0 && !(this.mss_bytes >= 1))
      throw new RangeError(`CPU charge on "${cpu.name}": a per-packet charge needs mss_bytes ≥ 1 (payload bytes per packet)`);
    const added = cost.added_latency_ns ?? 0;
    this.added_ns[OP_READ] = cost.added_read_latency_ns ?? added;
    this.added_ns[OP_WRITE] = cost.added_write_latency_ns ?? added;
    this.added_ns[OP_TRIM] = cost.added_write_latency_ns ?? added;
    this.arrival_ns = cost.arrival_delay_ns ?? 0;
    this.waitsForService = hold === 'served';
    this.free =
      this.perByte_ns === 0 &&
      this.perPacket_ns === 0 &&
      this.arrival_ns === 0 &&
      this.added_ns.every((v) => v === 0) &&
      this.perIo_ns.every((v) => v === 0);
  }

  /** CPU a request of operation `op` and `size_bytes` is charged here, ns. */
  cost_ns(op: number, size_bytes: number): number {
    let cost = this.perIo_ns[op]! + this.perByte_ns * size_bytes;
    if (this.perPacket_ns > 0) cost += packetsFor(size_bytes, this.mss_bytes) * this.perPacket_ns;
    return cost;
  }

  accept(req: number): void {
    if (this.free) {
      this.requests.forward(req);
      return;
    }
    const now = this.sim.now;
    const op = this.requests.op[req]!;
    const done = this.cpu.reserve(now + this.arrival_ns, this.cost_ns(op, this.requests.size_bytes[req]!), this.cpuClass);
    const leave = (this.waitsForService ? done : this.cpu.lastStart_ns) + this.added_ns[op]!;
    if (leave === now) this.requests.forward(req);
    else this.sim.post(leave, this, req);
  }

  fire(req: number): void {
    this.requests.forward(req);
  }
}
