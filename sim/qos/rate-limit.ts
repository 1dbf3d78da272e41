/**
 * A limit-only throttle station (Linux io.max, a DIY stack's per-volume cap): requests pass in arrival
 * order as a token bucket allows, each taking its I/O cost in tokens (so limits are 4K-equivalent IOPS
 * with the default cost model). No minimum, no weights: what the bucket allows goes straight on.
 * Requests wait in a preallocated ring; one timer wakes the station when the head's tokens are due.
 */
import type { EventHandle, EventHandler, Simulator } from '../core/kernel.js';
import { OP_WRITE, type RequestPool, type Station } from '../io/requests.js';
import { RequestFifo } from '../resources/request-fifo.js';
import { TokenBucket } from '../resources/token-bucket.js';
import { checkCostModel, ioCostUnits, LINEAR_4K, type IoCostModel } from './io-cost.js';

export interface RateLimitParams {
  /** Sustained rate, cost units per second (4K-equivalent IOPS by default). */
  readonly limit_iops: number;
  /** Units that may pass at once after a quiet spell; default 10 ms worth of the limit, at least 1. */
  readonly burst_ios?: number;
  readonly cost?: Partial<IoCostModel>;
  /** Requests the ring holds before it grows; default 256. */
  readonly queue_capacity?: number;
}

export class RateLimitStation implements Station, EventHandler {
  readonly bucket: TokenBucket;
  private readonly cost: IoCostModel;
  private readonly waiting: RequestFifo;
  /** The request at the head of the line (taken from the ring), -1 when none. */
  private head = -1;
  private timer: EventHandle = -1;

  constructor(
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
    params: RateLimitParams,
  ) {
    this.cost = checkCostModel({ ...LINEAR_4K, ...params.cost });
    const burst = params.burst_ios ?? Math.max(1, params.limit_iops / 100);
    this.bucket = new TokenBucket(params.limit_iops, burst, sim.now);
    this.waiting = new RequestFifo(params.queue_capacity ?? 256);
  }

  accept(req: number): void {
    if (this.head === -1) {
      this.head = req;
      this.release();
    } else this.waiting.push(req);
  }

  fire(): void {
    this.timer = -1;
    this.release();
  }

  /** Lets requests go while the bucket allows, then waits for the head's tokens. */
  private release(): void {
    const now = this.sim.now;
    while (this.head !== -1) {
      const tokens = ioCostUnits(this.cost, this.requests.size_bytes[this.head]!, this.requests.op[this.head] === OP_WRITE);
      if (!this.bucket.tryTake(now, tokens)) {
        if (this.timer === -1) this.timer = this.sim.schedule(this.bucket.readyAt_ns(now, tokens), this, 0);
        return;
      }
      const req = this.head;
      this.head = this.waiting.shift();
      this.requests.forward(req);
    }
  }
}

/** A limit-only throttle for a volume's routes: put the returned station in `via`. */
export function rateLimit(model: { sim: Simulator; requests: RequestPool }, params: RateLimitParams): RateLimitStation {
  if (!(params.limit_iops > 0) || !Number.isFinite(params.limit_iops))
    throw new RangeError(`rate limit: limit_iops must be a positive number of IOPS, got ${params.limit_iops}`);
  if (params.burst_ios !== undefined && !(params.burst_ios >= 0 && Number.isFinite(params.burst_ios)))
    throw new RangeError(`rate limit: burst_ios must be a number of I/Os >= 0, got ${params.burst_ios}`);
  return new RateLimitStation(model.sim, model.requests, params);
}
