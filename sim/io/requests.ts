/**
 * I/O requests as rows of typed arrays, recycled on completion. Components pass request ids, never
 * objects, so the hot path allocates nothing. Each request follows its flow's route: stations computed
 * once from placement, all routes laid end to end in one array, so `forward(req)` finds the next station
 * with one lookup.
 */
import { FreeList, grown } from '../core/slots.js';

/** Something an I/O passes through. It takes a request and, when done with it, calls `requests.forward(req)`. */
export interface Station {
  accept(req: number): void;
}

/** Operation codes, as in fio's data directions. */
export const OP_READ = 0;
export const OP_WRITE = 1;
export const OP_TRIM = 2;
export type Op = typeof OP_READ | typeof OP_WRITE | typeof OP_TRIM;

/** `parent` of a request that is no fan-out child. */
export const NO_PARENT = -1;
/** `status` values. */
export const STATUS_OK = 0;
export const STATUS_ERROR = 1;

export class RequestPool {
  /** 0 read, 1 write, 2 trim. */
  op: Uint8Array;
  /** Byte offset on the target. */
  offset_bytes: Float64Array;
  /** Transfer size in bytes. */
  size_bytes: Float64Array;
  /** Index of the flow (route) the request follows. */
  flow: Int32Array;
  /** Where the station currently holding the request is in the table of all routes. */
  routePos: Int32Array;
  /** When the workload created the request (arrival), ns. */
  arrival_ns: Float64Array;
  /**
   * When the request was submitted to the first station after the workload, ns. A device that models the
   * host's own time per I/O (the `fitted` kind) moves it later by that time, which fio counts as submission.
   */
  submit_ns: Float64Array;
  /** Scratch timestamp a station may use while it holds the request, ns. */
  stamp_ns: Float64Array;
  /** Parent request of a fan-out child (`allocChild`), `NO_PARENT` for a request a workload created. */
  parent: Int32Array;
  /** Children of a fan-out parent still outstanding (`allocChild` adds one, `childDone` takes one). */
  pending: Int32Array;
  /** Class of service a QoS scheduler sorts by (0 unless a station classifies the request). */
  serviceClass: Uint8Array;
  /** How the request ended so far: `STATUS_OK` or an error a station set (`STATUS_ERROR`). */
  status: Uint8Array;
  /**
   * Scratch integer owned by the station holding the request (the NVMe model notes there whether a
   * write is sequential); never read by another station, never a class, status or parent.
   */
  tag: Int32Array;

  /** Every route's stations, one route after another. */
  private readonly stations: Station[] = [];
  /**
   * Each of `stations`' `accept`, read once when its route is added: `forward` calls it on its station.
   * Reading `station.accept` in `forward`, across every class of station, was a megamorphic load per hop.
   */
  private readonly accepts: ((req: number) => void)[] = [];
  /** Per flow, where its route's head is in `stations`. */
  private readonly routeStart: number[] = [];
  /** Per flow, whether it was retired (`retireRoute`). */
  private readonly routeRetired: boolean[] = [];
  private readonly free: FreeList;
  private capacity: number;
  /** Requests currently allocated. */
  inUse = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.op = new Uint8Array(initialCapacity);
    this.offset_bytes = new Float64Array(initialCapacity);
    this.size_bytes = new Float64Array(initialCapacity);
    this.flow = new Int32Array(initialCapacity);
    this.routePos = new Int32Array(initialCapacity);
    this.arrival_ns = new Float64Array(initialCapacity);
    this.submit_ns = new Float64Array(initialCapacity);
    this.stamp_ns = new Float64Array(initialCapacity);
    this.parent = new Int32Array(initialCapacity);
    this.pending = new Int32Array(initialCapacity);
    this.serviceClass = new Uint8Array(initialCapacity);
    this.status = new Uint8Array(initialCapacity);
    this.tag = new Int32Array(initialCapacity);
    this.free = new FreeList(initialCapacity);
  }

  /**
   * Registers a route (head first, sink last; a sink never forwards) and returns its flow index. Routes
   * are only ever appended, so requests in flight keep their positions when routes change mid-run.
   */
  addRoute(stations: Station[]): number {
    if (stations.length < 2) throw new RangeError('a route needs at least a head and one station after it');
    this.routeStart.push(this.stations.length);
    this.routeRetired.push(false);
    for (const station of stations) {
      this.stations.push(station);
      this.accepts.push(station.accept);
    }
    return this.routeStart.length - 1;
  }

  /**
   * Retires a flow: no new request may start on it (`alloc` refuses), while those already on it finish
   * their way (a pod whose node failed: its I/Os in flight drain, new ones take the new route).
   */
  retireRoute(flow: number): void {
    if (flow < 0 || flow >= this.routeStart.length) throw new RangeError(`no flow ${flow}`);
    this.routeRetired[flow] = true;
  }

  /** Whether `flow` was retired. */
  isRetired(flow: number): boolean {
    return this.routeRetired[flow] === true;
  }

  /** The stations of `flow`'s route, head first (a copy, for inspection; never on the hot path). */
  route(flow: number): Station[] {
    const start = this.routeStart[flow];
    if (start === undefined) throw new RangeError(`no flow ${flow}`);
    const end = this.routeStart[flow + 1] ?? this.stations.length;
    return this.stations.slice(start, end);
  }

  /** Takes a request from the pool, positioned at the head of `flow`'s route. */
  alloc(flow: number, op: Op, offset_bytes: number, size_bytes: number, now_ns: number): number {
    if (this.routeRetired[flow] !== false)
      throw new RangeError(this.routeRetired[flow] ? `flow ${flow} was retired; start new requests on its new route` : `no flow ${flow}`);
    if (this.free.count === 0) this.grow();
    const req = this.free.take();
    this.op[req] = op;
    this.offset_bytes[req] = offset_bytes;
    this.size_bytes[req] = size_bytes;
    this.flow[req] = flow;
    this.routePos[req] = this.routeStart[flow]!;
    this.arrival_ns[req] = now_ns;
    this.submit_ns[req] = now_ns;
    this.parent[req] = NO_PARENT;
    this.pending[req] = 0;
    this.serviceClass[req] = 0;
    this.status[req] = STATUS_OK;
    this.inUse++;
    return req;
  }

  /**
   * Fan-out: takes a child of `parent` on `flow`'s route (a plex, a replica, a stripe), carrying the
   * parent's operation, class and arrival; the parent counts it in `pending` until `childDone`.
   */
  allocChild(parent: number, flow: number, offset_bytes: number, size_bytes: number, now_ns: number): number {
    const child = this.alloc(flow, this.op[parent]! as Op, offset_bytes, size_bytes, now_ns);
    this.arrival_ns[child] = this.arrival_ns[parent]!;
    this.parent[child] = parent;
    this.serviceClass[child] = this.serviceClass[parent]!;
    this.pending[parent]!++;
    return child;
  }

  /**
   * Join: releases a completed child, passes an error on to its parent, and returns how many of the
   * parent's children are still outstanding (0: the parent is complete and may go on).
   */
  childDone(child: number): number {
    const parent = this.parent[child]!;
    if (this.status[child] !== STATUS_OK) this.status[parent] = this.status[child]!;
    this.release(child);
    return --this.pending[parent]!;
  }

  /**
   * Sends `req` down `flow`'s route from its head (the station calling this is that head: the next
   * `forward` goes to the station after it), instead of a child on that route; returns the request's
   * place on its own route, for `resume` when it comes back (a one-plex leg of a volume).
   */
  detour(req: number, flow: number): number {
    const pos = this.routePos[req]!;
    this.routePos[req] = this.routeStart[flow]!;
    return pos;
  }

  /** Puts `req` back at `pos` on its own route (from `detour`): the next `forward` goes on from there. */
  resume(req: number, pos: number): void {
    this.routePos[req] = pos;
  }

  /** Hands the request to the next station of its route. */
  forward(req: number): void {
    const pos = ++this.routePos[req]!;
    this.accepts[pos]!.call(this.stations[pos], req);
  }

  /** Returns a request to the pool. */
  release(req: number): void {
    this.free.give(req);
    this.inUse--;
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    this.op = grown(this.op, cap);
    this.offset_bytes = grown(this.offset_bytes, cap);
    this.size_bytes = grown(this.size_bytes, cap);
    this.flow = grown(this.flow, cap);
    this.routePos = grown(this.routePos, cap);
    this.arrival_ns = grown(this.arrival_ns, cap);
    this.submit_ns = grown(this.submit_ns, cap);
    this.stamp_ns = grown(this.stamp_ns, cap);
    this.parent = grown(this.parent, cap);
    this.pending = grown(this.pending, cap);
    this.serviceClass = grown(this.serviceClass, cap);
    this.status = grown(this.status, cap);
    this.tag = grown(this.tag, cap);
    this.free.grow(old, cap);
    this.capacity = cap;
  }
}
