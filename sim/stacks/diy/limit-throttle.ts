/**
 * A limit-only throttle: caps a flow's I/Os per second and bytes per second, promises nothing below
 * them (the DIY stack's storage and network have maxima, no minimums: a tenant gets whatever is left).
 * Each cap is a generic cell rate algorithm (GCRA, the virtual-scheduling form of a token bucket): a
 * request may leave once it conforms to every cap, a bucket of `burst` requests or bytes letting a short
 * burst through at once. Requests leave in arrival order; the departure time is computed on arrival, so
 * a throttled request costs one kernel event and nothing is queued or allocated.
 */
import type { EventHandler, Simulator } from '../../core/kernel.js';
import type { RequestPool, Station } from '../../io/requests.js';

export interface LimitParams {
  /** Most I/Os per second; 0 for no cap. */
  readonly max_iops?: number;
  /** Most bytes per second; 0 for no cap. */
  readonly max_bytes_per_s?: number;
  /** I/Os let through at once after an idle spell (the bucket's depth). Default 1. */
  readonly burst_ios?: number;
  /** Bytes let through at once after an idle spell. Default: none beyond the request itself. */
  readonly burst_bytes?: number;
}

export class LimitThrottle implements Station, EventHandler {
  /** Per I/O, ns between I/Os at the cap (0: no cap). */
  private readonly ioGap_ns: number;
  /** Per byte, ns at the cap (0: no cap). */
  private readonly byteGap_ns: number;
  /** How far ahead of its schedule a request may leave, ns (the bucket's depth in time). */
  private readonly ioTolerance_ns: number;
  private readonly byteTolerance_ns: number;
  /** Theoretical arrival time of the next request under each cap, ns. */
  private ioTat_ns = 0;
  private byteTat_ns = 0;
  /** Requests held here now. */
  held = 0;

  constructor(
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
    params: LimitParams,
  ) {
    for (const [field, value] of Object.entries(params)) {
      if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value)))
        throw new RangeError(`limit throttle: ${field} must be a finite number ≥ 0, not ${String(value)}`);
    }
    const iops = params.max_iops ?? 0;
    const bps = params.max_bytes_per_s ?? 0;
    this.ioGap_ns = iops > 0 ? 1e9 / iops : 0;
    this.byteGap_ns = bps > 0 ? 1e9 / bps : 0;
    this.ioTolerance_ns = Math.max(0, (params.burst_ios ?? 1) - 1) * this.ioGap_ns;
    this.byteTolerance_ns = (params.burst_bytes ?? 0) * this.byteGap_ns;
  }

  accept(req: number): void {
    const now = this.sim.now;
    let leave = now;
    if (this.ioGap_ns > 0) leave = Math.max(leave, this.ioTat_ns - this.ioTolerance_ns);
    if (this.byteGap_ns > 0) leave = Math.max(leave, this.byteTat_ns - this.byteTolerance_ns);
    if (this.ioGap_ns > 0) this.ioTat_ns = Math.max(this.ioTat_ns, leave) + this.ioGap_ns;
    if (this.byteGap_ns > 0) this.byteTat_ns = Math.max(this.byteTat_ns, leave) + this.byteGap_ns * this.requests.size_bytes[req]!;
    if (leave === now && this.held === 0) {
      this.requests.forward(req);
      return;
    }
    this.held++;
    this.sim.post(leave, this, req);
  }

  fire(req: number): void {
    this.held--;
    this.requests.forward(req);
  }
}
