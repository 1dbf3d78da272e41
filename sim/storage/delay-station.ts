/**
 * An infinite-server delay: every request leaves a fixed time after it arrives, whatever else is in
 * flight. It stands for the NVMe over Ethernet terms of a remote plex (fabric round trip, target
 * processing) until the network's link and port stations take the fabric's share of it: a remote
 * plex's leg is [outbound delay, (links), device, (links), inbound delay], so a link station slots in
 * between without changing the legs around it. The DIY stack's hops and daemon times are the same station
 * with a delay per operation. Events come from the kernel's pool: nothing is allocated per request.
 */
import type { EventHandler, Simulator } from '../core/kernel.js';
import { OP_READ, OP_TRIM, OP_WRITE, type RequestPool, type Station } from '../io/requests.js';

/**
 * A fixed delay per operation (a fabric term, a network hop, a daemon's software time), an infinite
 * server. A zero delay forwards at once, costing no event.
 */
export class DelayStation implements Station, EventHandler {
  private held = 0;
  private readonly delayByOp_ns = new Float64Array(3);

  /**
   * @param delay_ns time a read spends here, ns (≥ 0); writes and trims too unless given their own
   * @param write_ns time a write spends here, ns (default `delay_ns`)
   * @param trim_ns time a trim spends here, ns (default `write_ns`)
   */
  constructor(
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
    readonly delay_ns: number,
    write_ns = delay_ns,
    trim_ns = write_ns,
  ) {
    for (const value of [delay_ns, write_ns, trim_ns]) {
      if (!(value >= 0) || !Number.isFinite(value))
        throw new RangeError(`a delay station's delays must be finite numbers of ns ≥ 0, not ${value}`);
    }
    this.delayByOp_ns[OP_READ] = delay_ns;
    this.delayByOp_ns[OP_WRITE] = write_ns;
    this.delayByOp_ns[OP_TRIM] = trim_ns;
  }

  accept(req: number): void {
    const delay = this.delayByOp_ns[this.requests.op[req]!]!;
    if (delay === 0) {
      this.requests.forward(req);
      return;
    }
    this.held++;
    this.sim.postAfter(delay, this, req);
  }

  fire(req: number): void {
    this.held--;
    this.requests.forward(req);
  }

  /** Requests in the delay right now. */
  inFlight(): number {
    return this.held;
  }
}

/** The NVMe over Ethernet terms of a remote plex, as plain numbers (defaults come from the stack coefficient file's hci entries). */
export interface NvmeofTerms {
  /** Round trip over the storage fabric (both directions: NIC, links, switch), ns. */
  readonly fabric_rtt_ns: number;
  /** Target processing per I/O (a hardware or poll-mode target), ns. */
  readonly target_ns: number;
}

/** The two halves of a remote plex's leg: command out (half the round trip, then the target), completion back (the other half). */
export interface RemoteLegStations {
  readonly outbound: DelayStation;
  readonly inbound: DelayStation;
}

/** Builds a remote plex's delays: outbound = fabric_rtt/2 + target, inbound = fabric_rtt/2; together fabric + target over a local plex. */
export function remotePlexDelays(sim: Simulator, requests: RequestPool, terms: NvmeofTerms): RemoteLegStations {
  for (const [field, value] of Object.entries(terms)) {
    if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value)))
      throw new RangeError(`remote plex: ${field} must be a finite number of ns ≥ 0, not ${String(value)}`);
  }
  return {
    outbound: new DelayStation(sim, requests, terms.fabric_rtt_ns / 2 + terms.target_ns),
    inbound: new DelayStation(sim, requests, terms.fabric_rtt_ns / 2),
  };
}

/**
 * The terms from the stack coefficient file: hci.nvmeof_added_latency_us is the whole added latency
 * (fabric round trip plus target), so the target's share is what the fabric's round trip leaves of it.
 * The fabric's round trip is whatever the wiring puts on the path (from the fabric entries, e.g.
 * 2 x (2 x phy_latency_us_per_link + switch_latency_us) through one switch, or 0 once link stations
 * on the leg carry it).
 * @param added_latency_ns hci.nvmeof_added_latency_us in ns
 * @param fabric_rtt_ns the storage fabric's round trip, ns
 */
export function nvmeofTerms(added_latency_ns: number, fabric_rtt_ns: number): NvmeofTerms {
  if (!(fabric_rtt_ns >= 0 && added_latency_ns >= fabric_rtt_ns)) {
    throw new RangeError(
      `NVMe over Ethernet adds ${added_latency_ns} ns in all, less than the fabric round trip of ${fabric_rtt_ns} ns it includes; give an added latency ≥ the round trip`,
    );
  }
  return { fabric_rtt_ns, target_ns: added_latency_ns - fabric_rtt_ns };
}
