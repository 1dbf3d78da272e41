/** Shared pieces of the storage tests: devices from one-line profiles, a closed-loop driver, a counting spy. */
import { parseProfile } from '../../../bench/profiles.js';
import type { EventHandler } from '../../../sim/core/kernel.js';
import type { RandomStream } from '../../../sim/core/random.js';
import { OP_READ, OP_WRITE, type Op, type Station } from '../../../sim/io/requests.js';
import type { Model } from '../../../sim/model/model.js';

/** Adds a device that completes every I/O after exactly `latency` (e.g. "20us"), 1 GiB. */
export function addNullDevice(model: Model, name: string, latency: string): void {
  const profile = parseProfile(`kind: null\nlatency: ${latency}\ncapacity: 1G\n`, `${name}.yaml`);
  model.addDevice(name, profile.kind, profile.params);
}

/** Adds a single-server queue whose service time is exponential with mean `mean` (e.g. "50us"), 1 GiB. */
export function addExponentialQueue(model: Model, name: string, mean: string): void {
  const profile = parseProfile(`kind: queue\nservers: 1\nservice:\n  dist: exponential\n  mean: ${mean}\ncapacity: 1G\n`, `${name}.yaml`);
  model.addDevice(name, profile.kind, profile.params);
}

/** A pass-through station counting what goes by, per direction and per service class. */
export class CountingSpy implements Station {
  reads = 0;
  writes = 0;
  read_bytes = 0;
  write_bytes = 0;
  /** I/Os of service class 1 (resync copies) that went by. */
  background = 0;
  constructor(private readonly model: Model) {}
  accept(req: number): void {
    const requests = this.model.requests;
    if (requests.op[req] === OP_READ) {
      this.reads++;
      this.read_bytes += requests.size_bytes[req]!;
    } else if (requests.op[req] === OP_WRITE) {
      this.writes++;
      this.write_bytes += requests.size_bytes[req]!;
    }
    if (requests.serviceClass[req] === 1) this.background++;
    requests.forward(req);
  }
}

/**
 * A closed-loop driver of `depth` I/Os at a time into one station: random block-aligned offsets over
 * `span_bytes`, a write with probability `writeFraction`, `bytes` each, until `total` have completed.
 * It is the head and the sink of its route; `onDone(req)` sees every completion before its release.
 */
export class Driver implements Station, EventHandler {
  completed = 0;
  issued = 0;
  private flow = -1;
  constructor(
    private readonly model: Model,
    private readonly random: RandomStream,
    private readonly opts: { depth: number; total: number; span_bytes: number; bytes: number; writeFraction: number },
    private readonly onDone: (req: number) => void = () => undefined,
  ) {}
  into(station: Station): this {
    this.flow = this.model.requests.addRoute([this, station, this]);
    return this;
  }
  start(at_ns = 0): void {
    for (let i = 0; i < this.opts.depth; i++) this.model.sim.schedule(at_ns, this, 0);
  }
  /** Issues one I/O. */
  fire(): void {
    if (this.issued >= this.opts.total) return;
    this.issued++;
    const { span_bytes, bytes, writeFraction } = this.opts;
    const op: Op = this.random.next() < writeFraction ? OP_WRITE : OP_READ;
    const offset = this.random.below(span_bytes / bytes) * bytes;
    const req = this.model.requests.alloc(this.flow, op, offset, bytes, this.model.sim.now);
    this.model.requests.forward(req);
  }
  /** A completion. */
  accept(req: number): void {
    this.completed++;
    this.onDone(req);
    this.model.requests.release(req);
    this.fire();
  }
}
