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
  /** When the request was submitted to the first station after the workload, ns. */
  submit_ns: Float64Array;
  /** Scratch timestamp a station may use while it holds the request, ns. */
  stamp_ns: Float64Array;
  /**
   * Parent request of a fan-out child. Kept for fan-out (mirrors, split requests), which nothing does
   * yet: `alloc` does not write it, so it means something only where a fan-out station has set it.
   */
  parent: Int32Array;
  /** Children still outstanding, set by a fan-out station like `parent`. */
  pending: Int32Array;
  /** Scratch integer a station may use while it holds the request. */
  tag: Int32Array;

  /** Every route's stations, one route after another. */
  private readonly stations: Station[] = [];
  /** Per flow, where its route's head is in `stations`. */
  private readonly routeStart: number[] = [];
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
    this.tag = new Int32Array(initialCapacity);
    this.free = new FreeList(initialCapacity);
  }

  /** Registers a route (head first, sink last; a sink never forwards) and returns its flow index. */
  addRoute(stations: Station[]): number {
    if (stations.length < 2) throw new RangeError('a route needs at least a head and one station after it');
    this.routeStart.push(this.stations.length);
    for (const station of stations) this.stations.push(station);
    return this.routeStart.length - 1;
  }

  /** Takes a request from the pool, positioned at the head of `flow`'s route. */
  alloc(flow: number, op: Op, offset_bytes: number, size_bytes: number, now_ns: number): number {
    if (this.free.count === 0) this.grow();
    const req = this.free.take();
    this.op[req] = op;
    this.offset_bytes[req] = offset_bytes;
    this.size_bytes[req] = size_bytes;
    this.flow[req] = flow;
    this.routePos[req] = this.routeStart[flow]!;
    this.arrival_ns[req] = now_ns;
    this.submit_ns[req] = now_ns;
    this.inUse++;
    return req;
  }

  /** Hands the request to the next station of its route. */
  forward(req: number): void {
    this.stations[++this.routePos[req]!]!.accept(req);
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
    this.tag = grown(this.tag, cap);
    this.free.grow(old, cap);
    this.capacity = cap;
  }
}
