/**
 * Application CPU demand on a node's `HostCpu`: the pods' own computing, competing for the same cores as
 * the storage and network charges. Closed loop (`threads` busy threads, each asking for its next slice
 * as soon as the last is done: an application that would use every core it can get) or open loop
 * (slices arriving at `rate_per_s`, Poisson: a service with a fixed offered load). Slices should be no
 * longer than the OS scheduler's time slice (see `HostCpu`), e.g. 1 ms. Counts the slices done and
 * their response times (wait for a core plus the slice), so a run can say how much slower or how much
 * less an application computes on a node whose infrastructure takes CPU.
 */
import type { Distribution } from '../core/distributions.js';
import type { EventHandler, Simulator } from '../core/kernel.js';
import { CPU_APPLICATION, type HostCpu } from './host-cpu.js';

/** Event argument of an open-loop arrival (closed-loop events carry the thread's index). */
const ARRIVAL = -1;

export interface CpuLoadParams {
  /** Sizes of the slices of work, ns of one core each. */
  readonly slice_ns: Distribution;
  /** Closed loop: threads that each keep one slice queued or running. */
  readonly threads?: number;
  /** Open loop: gaps between slice arrivals, ns (an `Exponential` for Poisson arrivals). */
  readonly interarrival_ns?: Distribution;
  /** When the load starts, ns. Default 0. */
  readonly start_ns?: number;
  /** When the load stops offering work, ns; slices done by then are counted. */
  readonly stop_ns: number;
}

export class CpuLoad implements EventHandler {
  /** Slices completed by `stop_ns` (closed loop) or arrived by then (open loop). */
  slicesDone = 0;
  /** Sum of their response times (wait for a core + the slice), ns. */
  responseSum_ns = 0;
  /** CPU time those slices asked for, ns. */
  work_ns = 0;
  /** When it stops offering work, ns: the params' `stop_ns`, or earlier through `stopAt`. */
  private stop_ns: number;
  private readonly sliceStart_ns: Float64Array;
  private readonly sliceWork_ns: Float64Array;

  constructor(
    private readonly sim: Simulator,
    private readonly cpu: HostCpu,
    private readonly params: CpuLoadParams,
  ) {
    const threads = params.threads ?? 0;
    if (threads > 0 === (params.interarrival_ns !== undefined))
      throw new RangeError(`CPU load on "${cpu.name}": give either threads (closed loop) or interarrival_ns (open loop)`);
    if (!Number.isInteger(threads) || threads < 0)
      throw new RangeError(`CPU load on "${cpu.name}": threads must be a whole number, not ${threads}`);
    const start_ns = params.start_ns ?? 0;
    if (!(params.stop_ns >= start_ns))
      throw new RangeError(`CPU load on "${cpu.name}": stop_ns ${params.stop_ns} is before start_ns ${start_ns}`);
    this.stop_ns = params.stop_ns;
    this.sliceStart_ns = new Float64Array(threads);
    this.sliceWork_ns = new Float64Array(threads);
    if (threads > 0) for (let t = 0; t < threads; t++) sim.post(start_ns, this, t);
    else sim.post(start_ns + params.interarrival_ns!.sample(), this, ARRIVAL);
  }

  fire(arg: number): void {
    const now = this.sim.now;
    if (arg === ARRIVAL) {
      if (now > this.stop_ns) return;
      const work = this.params.slice_ns.sample();
      const done = this.cpu.reserve(now, work, CPU_APPLICATION);
      this.count(done - now, work);
      this.sim.post(now + this.params.interarrival_ns!.sample(), this, ARRIVAL);
      return;
    }
    // A closed-loop thread: its slice is done (or it is starting); count it and queue the next.
    const work = this.sliceWork_ns[arg]!;
    if (work > 0 && now <= this.stop_ns) this.count(now - this.sliceStart_ns[arg]!, work);
    if (now >= this.stop_ns) return;
    const next = this.params.slice_ns.sample();
    this.sliceStart_ns[arg] = now;
    this.sliceWork_ns[arg] = next;
    this.sim.post(this.cpu.reserve(now, next, CPU_APPLICATION), this, arg);
  }

  /** Stops offering work from `now_ns` on (its pod stopped or moved away); a slice running then still counts if done by then. */
  stopAt(now_ns: number): void {
    this.stop_ns = Math.min(this.stop_ns, now_ns);
  }

  /** Mean response time of a slice, ns (NaN before any). */
  meanResponse_ns(): number {
    return this.responseSum_ns / this.slicesDone;
  }

  private count(response_ns: number, work_ns: number): void {
    this.slicesDone++;
    this.responseSum_ns += response_ns;
    this.work_ns += work_ns;
  }
}
