/**
 * A NIC's embedded switch: a message from one VF to another on the same port turns around inside the
 * NIC and never reaches the wire or the top-of-rack switch. It comes here from the sending VF's transmit
 * scheduler (`NicPort.hairpinEntry`: the VF's minimum, maximum and the port's speed hold). It costs the
 * eswitch's latency (DMA out of one VF's memory, into the other's) and, when `rate_bits_per_s` is
 * finite, serialization on the internal path as a FIFO server; no host CPU.
 */
import type { EventHandler, Simulator } from '../core/kernel.js';
import type { RequestPool, Station } from '../io/requests.js';

export interface EmbeddedSwitchParams {
  readonly name: string;
  /** Latency from one VF's transmit to the other's receive, ns. */
  readonly latency_ns: number;
  /** Rate of the internal path, bits/s of payload; Infinity (default) for latency only. */
  readonly rate_bits_per_s?: number;
}

export class EmbeddedSwitch implements Station, EventHandler {
  /** Messages turned around. */
  messages = 0;
  private free_ns = 0;
  private readonly rate_bits_per_s: number;

  constructor(
    readonly params: EmbeddedSwitchParams,
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
  ) {
    this.rate_bits_per_s = params.rate_bits_per_s ?? Infinity;
    if (!(params.latency_ns >= 0 && Number.isFinite(params.latency_ns)))
      throw new RangeError(`embedded switch ${params.name}: latency_ns must be >= 0, got ${params.latency_ns}`);
    if (!(this.rate_bits_per_s > 0))
      throw new RangeError(
        `embedded switch ${params.name}: rate_bits_per_s must be > 0 (Infinity for latency only), got ${this.rate_bits_per_s}`,
      );
  }

  accept(req: number): void {
    const now = this.sim.now;
    this.messages++;
    if (this.rate_bits_per_s === Infinity) {
      this.sim.post(now + this.params.latency_ns, this, req);
      return;
    }
    const start_ns = now > this.free_ns ? now : this.free_ns;
    this.free_ns = start_ns + (this.requests.size_bytes[req]! * 8e9) / this.rate_bits_per_s;
    this.sim.post(this.free_ns + this.params.latency_ns, this, req);
  }

  fire(req: number): void {
    this.requests.forward(req);
  }
}
