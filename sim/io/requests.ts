/**
 * I/O requests as rows of typed arrays, recycled on completion. Components pass request ids, never
 * objects, so the hot path allocates nothing. Each request follows its flow's route: an array of
 * stations computed once from placement; `forward(req)` hands it to the next one.
 */

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
  /** Index of the station currently holding the request on its route. */
  routePos: Int32Array;
  /** When the workload created the request (arrival), ns. */
  arrival_ns: Float64Array;
  /** When the request was submitted to the first station after the workload, ns. */
  submit_ns: Float64Array;
  /** Scratch timestamp a station may use while it holds the request, ns. */
  stamp_ns: Float64Array;
  /** Parent request for fan-out children, -1 for none. */
  parent: Int32Array;
  /** Children still outstanding (fan-out and split requests). */
  pending: Int32Array;
  /** Scratch integer a station may use while it holds the request. */
  tag: Int32Array;

  private routes: Station[][] = [];
  private free: Int32Array;
  private freeCount: number;
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
    this.free = new Int32Array(initialCapacity);
    for (let i = 0; i < initialCapacity; i++) this.free[i] = initialCapacity - 1 - i;
    this.freeCount = initialCapacity;
  }

  /** Registers a route (head first, sink last) and returns its flow index. */
  addRoute(stations: Station[]): number {
    if (stations.length < 2) throw new RangeError('a route needs at least a head and one station after it');
    this.routes.push(stations.slice());
    return this.routes.length - 1;
  }

  /** Takes a request from the pool, positioned at the head of `flow`'s route. */
  alloc(flow: number, op: Op, offset_bytes: number, size_bytes: number, now_ns: number): number {
    if (this.freeCount === 0) this.grow();
    const req = this.free[--this.freeCount]!;
    this.op[req] = op;
    this.offset_bytes[req] = offset_bytes;
    this.size_bytes[req] = size_bytes;
    this.flow[req] = flow;
    this.routePos[req] = 0;
    this.arrival_ns[req] = now_ns;
    this.submit_ns[req] = now_ns;
    this.parent[req] = -1;
    this.pending[req] = 0;
    this.inUse++;
    return req;
  }

  /** Hands the request to the next station of its route. */
  forward(req: number): void {
    const pos = ++this.routePos[req]!;
    this.routes[this.flow[req]!]![pos]!.accept(req);
  }

  /** Returns a request to the pool. */
  release(req: number): void {
    this.free[this.freeCount++] = req;
    this.inUse--;
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.op = g(this.op, (n) => new Uint8Array(n));
    this.offset_bytes = g(this.offset_bytes, (n) => new Float64Array(n));
    this.size_bytes = g(this.size_bytes, (n) => new Float64Array(n));
    this.flow = g(this.flow, (n) => new Int32Array(n));
    this.routePos = g(this.routePos, (n) => new Int32Array(n));
    this.arrival_ns = g(this.arrival_ns, (n) => new Float64Array(n));
    this.submit_ns = g(this.submit_ns, (n) => new Float64Array(n));
    this.stamp_ns = g(this.stamp_ns, (n) => new Float64Array(n));
    this.parent = g(this.parent, (n) => new Int32Array(n));
    this.pending = g(this.pending, (n) => new Int32Array(n));
    this.tag = g(this.tag, (n) => new Int32Array(n));
    const free = new Int32Array(cap);
    free.set(this.free.subarray(0, this.freeCount));
    for (let i = cap - 1; i >= old; i--) free[this.freeCount++] = i;
    this.free = free;
    this.capacity = cap;
  }
}
