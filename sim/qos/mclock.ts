/**
 * An mClock scheduler in front of one device (Gulati, Merchant, Varman, "mClock: Handling Throughput
 * Variability for Hypervisor IO Scheduling", OSDI 2010; Ceph's dmClock): per client (a volume) a
 * reservation, a limit and a weight. Each client's requests wait in its own FIFO; the client's head request
 * carries three tags:
 *   R = max(R_prev + cost/r, arrival)   reservation, on the real clock
 *   L = max(L_prev + cost/l, arrival)   limit, on the real clock
 *   P = P_prev + cost/w                 proportional share, on a virtual clock
 * Dispatch: first the constraint-based phase (the least R tag that is due, R <= now), else the weight phase
 * (the least P tag among clients under their limit, L <= now). A request served in the weight phase takes
 * cost/r off its client's R tags (the paper's adjustment), so reservations count only what weight did not
 * already give. The result is mClock's: each client gets at least its reservation (when the reservations fit
 * in the device), at most its limit, and between the two a share in proportion to its weight of everything
 * served.
 *
 * Tags are computed only for each client's head (dmClock's delayed tagging): they depend only on the
 * client's previous tags and the head's arrival, so per-client state suffices. P tags live on a virtual
 * clock (weights are unitless): a client coming back from idle starts at the least P tag of the clients
 * still queued, so it neither starves them nor is owed for its idle time (mClock's idle-client rule;
 * dmClock's prop_delta). Costs come from an `IoCostModel` (a 128K I/O is 32 of 4K by default).
 *
 * The scheduler keeps at most `dispatch_depth` requests outstanding at the device, so that it, not the
 * device's own queue, decides the order. It sees completions through `completion`, a station placed after
 * the device on each route (`JobPlacement.after`); on a completion it dispatches the next request. With
 * `dispatch_units` it also keeps at most that many cost units outstanding (one request always may go): a
 * 128K write then holds 32 of a drive's slots, so a neighbour's large I/Os cannot fill the device queue
 * that a reserved client's small I/Os wait in (at least one request is always let through). When
 * requests wait but none is eligible (all over their limits, no reservation due), one timer wakes the
 * scheduler at the earliest tag.
 *
 * Hot path: per-client state in typed arrays, queues are preallocated rings of request ids; the choice is
 * one scan over the backlog, the clients with a request waiting (kept unordered, as the NIC port's VFs), so
 * per-I/O work grows with the clients that wait, not with all a drive has; ties between equal tags go to the
 * lowest client index, whatever the backlog's order. Nothing is allocated per request.
 */
import type { EventHandle, EventHandler, Simulator } from '../core/kernel.js';
import { type RequestPool, type Station } from '../io/requests.js';
import { RequestFifo } from '../resources/request-fifo.js';
import { requestCostUnits, type IoCostModel } from './io-cost.js';
import { checkDispatchWindow, ClientPort, CompletionPort } from './scheduler-ports.js';

/** One client's QoS, rates in cost units per second (4K-equivalent IOPS with the default cost model). */
export interface MClockClient {
  /** Guaranteed rate, units/s (0: none). */
  readonly reservation_iops: number;
  /** Most it may get, units/s (Infinity: none); not below the reservation. */
  readonly limit_iops: number;
  /** Relative share of what reservations leave, > 0. */
  readonly weight: number;
}

/** Checks one client's numbers; throws a RangeError naming `what` and the field. */
export function checkMClockClient(client: MClockClient, what: string): void {
  const { reservation_iops: r, limit_iops: l, weight: w } = client;
  if (!(r >= 0) || !Number.isFinite(r)) throw new RangeError(`${what}: reservation_iops must be a number of IOPS >= 0, got ${r}`);
  if (!(l > 0)) throw new RangeError(`${what}: limit_iops must be a number of IOPS > 0 (or Infinity for none), got ${l}`);
  if (l < r) throw new RangeError(`${what}: limit_iops (${l}) is below reservation_iops (${r}); give a limit at or above the reservation`);
  if (!(w > 0) || !Number.isFinite(w)) throw new RangeError(`${what}: weight must be a positive number, got ${w}`);
}

/** Requests a client's queue holds before its ring first grows. */
export const DEFAULT_QUEUE_CAPACITY = 256;

const NONE = -1;
const NS_PER_S = 1e9;

/** Phase a request was dispatched in, for the per-client counters. */
export const PHASE_RESERVATION = 0;
export const PHASE_WEIGHT = 1;

export class MClockScheduler implements EventHandler {
  /** Per client, the station to put in its routes' `via`, before the device. */
  readonly ports: readonly Station[];
  /** The station to put in every client route's `after`, right after the device. */
  readonly completion: Station;
  /** Per client, requests dispatched in the reservation phase. */
  readonly reservationDispatches: Float64Array;
  /** Per client, requests dispatched in the weight phase. */
  readonly weightDispatches: Float64Array;
  /** Per client, cost units dispatched (both phases). */
  readonly unitsDispatched: Float64Array;

  /** Per client, ns of real time one cost unit adds to its R tag (Infinity without a reservation). */
  private readonly reservationSpacing_ns: Float64Array;
  private readonly limitSpacing_ns: Float64Array;
  /** Per client, virtual time one cost unit adds to its P tag (1 / weight). */
  private readonly weightSpacing: Float64Array;
  private readonly queues: RequestFifo[];
  /** Per client, the head request (tagged), NONE when the client has nothing waiting. */
  private readonly head: Int32Array;
  private readonly headCost: Float64Array;
  /** Tags of each client's head; when it has none, the tags of its last request. */
  private readonly tagR: Float64Array;
  private readonly tagL: Float64Array;
  private readonly tagP: Float64Array;
  /** Clients with a head request, unordered; `backlogPos` is each client's place in it (NONE when it has none). */
  private readonly backlog: Int32Array;
  private readonly backlogPos: Int32Array;
  private backlogCount = 0;
  private outstanding = 0;
  /** Cost units outstanding at the device. */
  private outstandingUnits = 0;
  /** Set when the unit window stopped dispatch: the next completion dispatches, no timer is needed. */
  private windowFull = false;
  private dispatching = false;
  private timer: EventHandle = NONE;
  private timerAt_ns = Infinity;

  /**
   * @param dispatch_depth most requests outstanding at the device at once (>= 1)
   * @param queueCapacity requests each client's ring holds before it grows
   * @param dispatch_units most cost units outstanding at the device at once (> 0; Infinity: requests alone bound it)
   */
  constructor(
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
    clients: readonly MClockClient[],
    private readonly cost: IoCostModel,
    private readonly dispatch_depth: number,
    queueCapacity = DEFAULT_QUEUE_CAPACITY,
    private readonly dispatch_units = Infinity,
  ) {
    checkDispatchWindow(dispatch_depth, dispatch_units);
    clients.forEach((c, i) => checkMClockClient(c, `client ${i}`));
    const n = clients.length;
    this.reservationSpacing_ns = new Float64Array(n);
    this.limitSpacing_ns = new Float64Array(n);
    this.weightSpacing = new Float64Array(n);
    clients.forEach((c, i) => {
      this.reservationSpacing_ns[i] = c.reservation_iops > 0 ? NS_PER_S / c.reservation_iops : Infinity;
      this.limitSpacing_ns[i] = NS_PER_S / c.limit_iops;
      this.weightSpacing[i] = 1 / c.weight;
    });
    this.queues = clients.map(() => new RequestFifo(queueCapacity));
    this.head = new Int32Array(n).fill(NONE);
    this.headCost = new Float64Array(n);
    // Without a reservation the R tag stays at Infinity (Infinity + Infinity): never due.
    this.tagR = this.reservationSpacing_ns.map((spacing) => (spacing === Infinity ? Infinity : -Infinity));
    this.tagL = new Float64Array(n).fill(-Infinity);
    this.tagP = new Float64Array(n);
    this.backlog = new Int32Array(n);
    this.backlogPos = new Int32Array(n).fill(NONE);
    this.reservationDispatches = new Float64Array(n);
    this.weightDispatches = new Float64Array(n);
    this.unitsDispatched = new Float64Array(n);
    this.ports = clients.map((_, i) => new ClientPort(this, i));
    this.completion = new CompletionPort(this);
  }

  /** Requests outstanding at the device. */
  get inDevice(): number {
    return this.outstanding;
  }

  /** Requests waiting in `client`'s queue (its head included). */
  waiting(client: number): number {
    return this.head[client] === NONE ? 0 : 1 + this.queues[client]!.length;
  }

  /** A request of `client` arrives (through its port). */
  enqueue(client: number, req: number): void {
    this.requests.stamp_ns[req] = this.sim.now;
    if (this.head[client] === NONE) {
      this.makeHead(client, req, true);
      this.backlogPos[client] = this.backlogCount;
      this.backlog[this.backlogCount++] = client;
    } else this.queues[client]!.push(req);
    this.dispatch();
  }

  /** A request came back from the device (through the completion port): pass it on, dispatch the next. */
  complete(req: number): void {
    this.outstanding--;
    if (this.dispatch_units !== Infinity)
      this.outstandingUnits -= requestCostUnits(this.cost, this.requests.op[req]!, this.requests.size_bytes[req]!);
    this.requests.forward(req);
    this.dispatch();
  }

  /** The wake-up timer: some head's R or L tag is due. */
  fire(): void {
    this.timer = NONE;
    this.timerAt_ns = Infinity;
    this.dispatch();
  }

  /** Dispatches while the device has room and some head is eligible; otherwise sets the timer. */
  private dispatch(): void {
    // A device that completes within accept() would re-enter here; the outer loop picks up the room.
    if (this.dispatching) return;
    this.dispatching = true;
    const now = this.sim.now;
    const backlog = this.backlog;
    const tagR = this.tagR;
    const tagL = this.tagL;
    const tagP = this.tagP;
    this.windowFull = false;
    while (this.outstanding < this.dispatch_depth) {
      // The least due R tag; only when none is due, the least P tag under its limit (a second pass).
      let chosen = NONE;
      let least = Infinity;
      for (let k = 0; k < this.backlogCount; k++) {
        const i = backlog[k]!;
        const r = tagR[i]!;
        if (r <= now && (chosen === NONE || r < least || (r === least && i < chosen))) {
          chosen = i;
          least = r;
        }
      }
      if (chosen !== NONE) {
        if (this.overWindow(chosen)) break;
        this.send(chosen, PHASE_RESERVATION);
        continue;
      }
      for (let k = 0; k < this.backlogCount; k++) {
        const i = backlog[k]!;
        const p = tagP[i]!;
        if (tagL[i]! <= now && (chosen === NONE || p < least || (p === least && i < chosen))) {
          chosen = i;
          least = p;
        }
      }
      if (chosen === NONE || this.overWindow(chosen)) break;
      this.send(chosen, PHASE_WEIGHT);
    }
    this.dispatching = false;
    if (this.outstanding < this.dispatch_depth && !this.windowFull) this.wakeAtEarliestTag();
  }

  /**
   * Whether `client`'s head would take the units outstanding past the window (never for the first request out).
   * Dispatch then stops for every client, so the device drains and even an I/O larger than the window goes.
   */
  private overWindow(client: number): boolean {
    if (this.outstanding === 0 || this.outstandingUnits + this.headCost[client]! <= this.dispatch_units) return false;
    this.windowFull = true;
    return true;
  }

  private send(client: number, phase: number): void {
    const req = this.head[client]!;
    const cost = this.headCost[client]!;
    if (phase === PHASE_RESERVATION) this.reservationDispatches[client]!++;
    else {
      this.weightDispatches[client]!++;
      // Served by weight: the reservation need not serve this one again (mClock's R-tag adjustment).
      const spacing = this.reservationSpacing_ns[client]!;
      if (spacing !== Infinity) this.tagR[client]! -= cost * spacing;
    }
    this.unitsDispatched[client]! += cost;
    this.outstandingUnits += cost;
    const next = this.queues[client]!.shift();
    if (next === NONE) {
      this.head[client] = NONE;
      this.leaveBacklog(client);
    } else this.makeHead(client, next, false);
    this.outstanding++;
    this.requests.forward(req);
  }

  /** Tags `req` as `client`'s head; `fromIdle` when the client had nothing waiting. */
  private makeHead(client: number, req: number, fromIdle: boolean): void {
    const cost = requestCostUnits(this.cost, this.requests.op[req]!, this.requests.size_bytes[req]!);
    const arrival_ns = this.requests.stamp_ns[req]!;
    this.head[client] = req;
    this.headCost[client] = cost;
    this.tagR[client] = Math.max(this.tagR[client]! + cost * this.reservationSpacing_ns[client]!, arrival_ns);
    this.tagL[client] = Math.max(this.tagL[client]! + cost * this.limitSpacing_ns[client]!, arrival_ns);
    let p = this.tagP[client]! + cost * this.weightSpacing[client]!;
    if (fromIdle) {
      const least = this.leastQueuedP(client);
      if (least > p) p = least;
    }
    this.tagP[client] = p;
  }

  /** Takes `client` out of the backlog: the last entry fills its place. */
  private leaveBacklog(client: number): void {
    const pos = this.backlogPos[client]!;
    const last = this.backlog[--this.backlogCount]!;
    this.backlog[pos] = last;
    this.backlogPos[last] = pos;
    this.backlogPos[client] = NONE;
  }

  /** The least P tag among the other clients with requests waiting (-Infinity when none wait). */
  private leastQueuedP(except: number): number {
    let least = Infinity;
    for (let k = 0; k < this.backlogCount; k++) {
      const i = this.backlog[k]!;
      if (i !== except && this.tagP[i]! < least) least = this.tagP[i]!;
    }
    return least === Infinity ? -Infinity : least;
  }

  /** Sets the timer for the earliest time a waiting head becomes eligible (its R or L tag), if any waits. */
  private wakeAtEarliestTag(): void {
    let at = Infinity;
    for (let k = 0; k < this.backlogCount; k++) {
      const i = this.backlog[k]!;
      const due = Math.min(this.tagR[i]!, this.tagL[i]!);
      if (due < at) at = due;
    }
    if (at === Infinity || at >= this.timerAt_ns) return;
    if (this.timer !== NONE) this.sim.cancel(this.timer);
    this.timerAt_ns = at;
    this.timer = this.sim.schedule(at, this, 0);
  }
}
