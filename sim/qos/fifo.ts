/**
 * A plain first-come-first-served scheduler in front of one device: the declared alternative to mClock
 * (mclock.ts) behind the same storage QoS interface, with no reservation, limit or weight. Requests of all
 * clients wait in one queue in arrival order and go to the device while it has room (the same
 * `dispatch_depth` requests and `dispatch_units` cost units outstanding as mClock keeps), so a run with it
 * differs from an mClock run only in the order and share the scheduler gives. It is what a drive without
 * QoS does with a shallow queue in front, and what `anvil run|check --storage-scheduler fifo` runs to show
 * which SLAs the QoS is what keeps (issue 14: the suite must fail without it).
 *
 * Hot path: the queue is two preallocated rings (request ids and their clients); nothing is allocated per
 * request.
 */
import { type RequestPool, type Station } from '../io/requests.js';
import { RequestFifo } from '../resources/request-fifo.js';
import { requestCostUnits, type IoCostModel } from './io-cost.js';
import { DEFAULT_QUEUE_CAPACITY } from './mclock.js';
import { checkDispatchWindow, ClientPort, CompletionPort } from './scheduler-ports.js';

export class FifoScheduler {
  /** Per client, the station to put in its routes' `via`, before the device. */
  readonly ports: readonly Station[];
  /** The station to put in every client route's `after`, right after the device. */
  readonly completion: Station;
  /** Per client, requests dispatched by reservation: always 0 (FIFO has none); kept for the shared interface. */
  readonly reservationDispatches: Float64Array;
  /** Per client, requests dispatched (all of them, in arrival order). */
  readonly weightDispatches: Float64Array;
  /** Per client, cost units dispatched. */
  readonly unitsDispatched: Float64Array;

  private readonly waitingIds: RequestFifo;
  private readonly waitingClients: RequestFifo;
  private readonly waitingPerClient: Int32Array;
  private outstanding = 0;
  private outstandingUnits = 0;
  private dispatching = false;

  /**
   * @param dispatch_depth most requests outstanding at the device at once (>= 1)
   * @param dispatch_units most cost units outstanding at the device at once (> 0; Infinity: requests alone bound it)
   */
  constructor(
    private readonly requests: RequestPool,
    clients: number,
    private readonly cost: IoCostModel,
    private readonly dispatch_depth: number,
    queueCapacity = DEFAULT_QUEUE_CAPACITY,
    private readonly dispatch_units = Infinity,
  ) {
    checkDispatchWindow(dispatch_depth, dispatch_units);
    this.waitingIds = new RequestFifo(queueCapacity);
    this.waitingClients = new RequestFifo(queueCapacity);
    this.waitingPerClient = new Int32Array(clients);
    this.reservationDispatches = new Float64Array(clients);
    this.weightDispatches = new Float64Array(clients);
    this.unitsDispatched = new Float64Array(clients);
    this.ports = Array.from({ length: clients }, (_, i) => new ClientPort(this, i));
    this.completion = new CompletionPort(this);
  }

  /** Requests outstanding at the device. */
  get inDevice(): number {
    return this.outstanding;
  }

  /** Requests of `client` waiting in the queue. */
  waiting(client: number): number {
    return this.waitingPerClient[client]!;
  }

  /** A request of `client` arrives (through its port). */
  enqueue(client: number, req: number): void {
    this.waitingIds.push(req);
    this.waitingClients.push(client);
    this.waitingPerClient[client]!++;
    this.dispatch();
  }

  /** A request came back from the device: pass it on, dispatch the next. */
  complete(req: number): void {
    this.outstanding--;
    if (this.dispatch_units !== Infinity) this.outstandingUnits -= this.costOf(req);
    this.requests.forward(req);
    this.dispatch();
  }

  private costOf(req: number): number {
    return requestCostUnits(this.cost, this.requests.op[req]!, this.requests.size_bytes[req]!);
  }

  private dispatch(): void {
    // A device that completes within accept() would re-enter here; the outer loop picks up the room.
    if (this.dispatching) return;
    this.dispatching = true;
    while (this.outstanding < this.dispatch_depth && this.waitingIds.length > 0) {
      const req = this.waitingIds.peek();
      const cost = this.costOf(req);
      // The unit window as mClock keeps it: the first request out always goes.
      if (this.outstanding > 0 && this.outstandingUnits + cost > this.dispatch_units) break;
      this.waitingIds.shift();
      const client = this.waitingClients.shift();
      this.waitingPerClient[client]!--;
      this.weightDispatches[client]!++;
      this.unitsDispatched[client]! += cost;
      this.outstandingUnits += cost;
      this.outstanding++;
      this.requests.forward(req);
    }
    this.dispatching = false;
  }
}
