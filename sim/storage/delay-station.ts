/**
 * An infinite-server delay: every request leaves a fixed time after it arrives, whatever else is in
 * flight. It stands for the NVMe over Ethernet terms of a remote plex (fabric round trip, target
 * processing) until the network's link and port stations take the fabric's share of it: a remote
 * plex's leg is [outbound delay, (links), device, (links), inbound delay], so a link station slots in
 * between without changing the legs around it. Events come from the kernel's pool: nothing is allocated
 * per request.
 */
import type { EventHandler, Simulator } from '../core/kernel.js';
import type { RequestPool, Station } from '../io/requests.js';

export class DelayStation implements Station, EventHandler {
  private held = 0;

  /** @param delay_ns time every request spends here, ns (≥ 0) */
  constructor(
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
    readonly delay_ns: number,
  ) {
    if (!(delay_ns >= 0) || !Number.isFinite(delay_ns))
      throw new RangeError(`a delay station's delay_ns must be a finite number ≥ 0, not ${delay_ns}`);
  }

  accept(req: number): void {
    this.held++;
    this.sim.postAfter(this.delay_ns, this, req);
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
