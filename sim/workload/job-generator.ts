/**
 * A fio job on the model: the head and the sink of its route. Closed loop, it keeps `iodepth` I/Os in
 * flight; with `rate_iops` it is open loop, creating I/Os evenly spaced or as a Poisson process and
 * holding arrivals that find `iodepth` in flight until one completes (their wait is submission latency).
 * It knows nothing of what is behind the route.
 */
import type { EventHandle, EventHandler, Simulator } from '../core/kernel.js';
import type { RandomStream } from '../core/random.js';
import type { Op, RequestPool, Station } from '../io/requests.js';
import { OP_READ, OP_WRITE, STATUS_OK } from '../io/requests.js';
import { depthBucket, type JobRecorder } from '../measure/job-recorder.js';
import { RequestFifo } from '../resources/request-fifo.js';
import type { JobLoopHost, OpenLoopPlan } from './job-loop.js';
import type { FlowGroup, FlowMember } from './flow-group.js';
import { IoSource } from './io-source.js';
import type { WorkloadSpec } from './spec.js';

const EVENT_START = 0;
const EVENT_ARRIVAL = 1;
const EVENT_END = 2;
/** A thinktime pause is over, or the job's flow group lets it look again: issue again. */
const EVENT_RESUME = 3;

/** Completions allowed at one instant before the model is declared stuck (zero service time in a closed loop). */
export const MAX_COMPLETIONS_AT_ONE_INSTANT = 1_000_000;

/** Thrown when simulated time stops advancing. */
export class NoProgressError extends Error {
  constructor(
    readonly job: string,
    readonly at_ns: number,
  ) {
    super(`job ${job}: ${MAX_COMPLETIONS_AT_ONE_INSTANT} completions at ${at_ns} ns without time advancing`);
  }
}

/** Lifecycle of a job on the model. */
export type JobState =
  | { state: 'pending' }
  | { state: 'running'; started_ns: number }
  | { state: 'draining'; started_ns: number; stoppedIssuing_ns: number }
  | { state: 'done'; started_ns: number; finished_ns: number };

export class JobGenerator implements Station, EventHandler, FlowMember {
  private lifecycle: JobState = { state: 'pending' };
  private flow = -1;
  private inFlight = 0;
  private issuing = true;
  private readonly held = new RequestFifo();
  /**
   * Arrivals held at iodepth not yet made into requests (`defersHeld`): how many, and the oldest's time.
   * While any is held every arrival is held (the job stays at iodepth), so they are consecutive arrivals
   * of an evenly spaced job: each the one before plus `meanGap_ns`, the same sum the arrival event made.
   */
  private heldArrivals = 0;
  private heldArrival_ns = 0;
  /**
   * A plain, evenly spaced, time-based open loop makes a held arrival's request when it is submitted:
   * its draws come from its own stream in the same order either way (nothing else draws from it), and
   * a run whose device is slower than the arrival rate then holds no request row per waiting arrival.
   */
  private readonly defersHeld: boolean;
  private issuedBytes = 0;
  private nextSequential: number;
  private readonly regionStart: number;
  private readonly regionBytes: number;
  private readonly ioLimit_bytes: number;
  /** End of the runtime, ns since the start of the run (Infinity without a runtime); set by `attach`. */
  private end_ns = Infinity;
  private readonly arrivalRate: number;
  /** Mean gap between open-loop arrivals, ns (Infinity in a closed loop). */
  private readonly meanGap_ns: number;
  private readonly poisson: boolean;
  /** The direction of every I/O when the job has only one (OP_READ or OP_WRITE), else -1: no draw needed. */
  private readonly fixedOp: number;
  private readonly iodepth: number;
  /** Per direction, the recorder's submissions-per-depth-bucket counts (read, write, trim). */
  private readonly readDepths: Float64Array;
  private readonly writeDepths: Float64Array;
  private readonly trimDepths: Float64Array;
  /** Random jobs: how many `bs`-aligned blocks of each direction fit in the region (0 for sequential jobs). */
  private readonly randomBlocks: { readonly read: number; readonly write: number };
  private lastCompletion_ns = -1;
  private completionsThisInstant = 0;
  /** The start event in the kernel (`attach`), and when it is. */
  private startEvent: EventHandle = -1;
  private start_ns = 0;
  /** The loop that runs this job's events instead of the kernel (`runOn`), or null. */
  private loop: JobLoopHost | null = null;
  /** What each I/O is, for a job with fio's shaping options (`IoSource`); null for a plain job. */
  private readonly source: IoSource | null;
  /** thinktime: pause (ns) after every `thinkEvery` I/Os, once those have completed; 0 for none. */
  private readonly think_ns: number;
  private readonly thinkEvery: number;
  private sinceThink = 0;
  /** Not issuing for now: thinking, or held back by the flow group; `paused_ns` is the pause after in-flight I/O completes. */
  private paused = false;
  private paused_ns = 0;
  /** fio's flow: the job's group, its weight, its I/Os so far and its sleep when held back (ns). */
  private flowGroup: FlowGroup | null = null;
  private flowIos = 0;

  /**
   * @param seen what the job addresses on the device its route leads to, bytes: the whole device (start 0,
   *   its capacity), or a volume's one extent there; the job's offsets count from `start_bytes`, and its
   *   region is `size_bytes` when the job gives no size
   * @param onDone called once when the job has stopped issuing and its last I/O has completed, with
   *   the end of its measurement window (ns): the runtime's end when time-bound, else the last completion
   */
  constructor(
    readonly spec: WorkloadSpec,
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
    private readonly stream: RandomStream,
    readonly recorder: JobRecorder,
    seen: { readonly start_bytes: number; readonly size_bytes: number },
    private readonly onDone: (job: JobGenerator, windowEnd_ns: number) => void,
  ) {
    const within = Math.min(spec.offset_bytes, Math.max(0, seen.size_bytes - 1));
    this.regionStart = seen.start_bytes + within;
    const available = seen.size_bytes - within;
    this.regionBytes = spec.size_bytes > 0 ? Math.min(spec.size_bytes, available) : available;
    // fio stops a job that is not time_based after `size` bytes; time_based loops over the region.
    this.ioLimit_bytes = spec.timeBased ? Infinity : this.regionBytes;
    this.nextSequential = this.regionStart;
    this.arrivalRate = openLoopRate(spec);
    this.meanGap_ns = 1e9 / this.arrivalRate;
    this.poisson = spec.rateProcess === 'poisson';
    this.fixedOp = spec.readFraction >= 1 ? OP_READ : spec.readFraction <= 0 ? OP_WRITE : -1;
    this.iodepth = spec.iodepth;
    this.readDepths = recorder.read.depthAtSubmit;
    this.writeDepths = recorder.write.depthAtSubmit;
    this.trimDepths = recorder.trim.depthAtSubmit;
    const blocks = (bs: number) => (spec.pattern === 'random' ? Math.max(1, Math.floor(this.regionBytes / bs)) : 0);
    this.randomBlocks = { read: blocks(spec.blockSize_bytes.read), write: blocks(spec.blockSize_bytes.write) };
    this.think_ns = spec.thinktime_ns ?? 0;
    this.thinkEvery = spec.thinktimeBlocks ?? 1;
    this.source = this.needsKernel ? new IoSource(spec, stream, this.regionStart, this.regionBytes) : null;
    this.defersHeld = this.source === null && !this.poisson && this.arrivalRate > 0 && this.ioLimit_bytes === Infinity;
  }

  /**
   * Whether the job needs the kernel's event heap and an `IoSource` (fio's shaping, pacing or verify
   * options): the heap-free loops run only plain jobs.
   */
  get needsKernel(): boolean {
    const s = this.spec;
    return (
      (s.thinktime_ns ?? 0) > 0 ||
      s.verify === true ||
      s.bsSplit !== undefined ||
      s.distribution !== undefined ||
      s.maxIos !== undefined ||
      s.seqGap_bytes !== undefined ||
      s.stride !== undefined ||
      s.ioLimit_bytes !== undefined ||
      s.flow !== undefined ||
      s.trimMode !== undefined
    );
  }

  /** Puts the job in its flow group (fio's flow_id), before it starts. */
  joinFlow(group: FlowGroup): void {
    this.flowGroup = group;
  }

  /** The job's lifecycle state. */
  get state(): JobState {
    return this.lifecycle;
  }

  /**
   * Binds the job to its route (from `RequestPool.addRoute`) and schedules its start at `start_ns`
   * (a pod started later in the run); its ramp and runtime count from there, as its recorder's window must.
   */
  attach(flow: number, start_ns = 0): void {
    if (this.flow >= 0) throw new Error(`job ${this.spec.name} is attached already; use reroute to change its route`);
    this.flow = flow;
    this.end_ns = this.spec.runtime_ns > 0 ? start_ns + this.spec.ramp_ns + this.spec.runtime_ns : Infinity;
    this.start_ns = start_ns;
    this.startEvent = this.sim.schedule(start_ns, this, EVENT_START);
  }

  /**
   * Hands the job's events to `loop` (its route must be one single-server station, which the loop
   * plays): its start leaves the kernel for the loop. Only before the job has started; false after.
   */
  runOn(loop: JobLoopHost): boolean {
    if (!this.handOver()) return false;
    this.loop = loop;
    loop.postJob(this.start_ns, EVENT_START);
    return true;
  }

  /**
   * Takes the job's start out of the kernel, for a loop that runs the job itself (`openLoopPlan`) and
   * tells it when it started, stopped issuing and is done. Only before the job has started; false after.
   */
  handOver(): boolean {
    return this.lifecycle.state === 'pending' && this.sim.cancel(this.startEvent);
  }

  /** What a loop needs to run this job itself: for an open-loop job of one direction; null for any other. */
  openLoopPlan(): OpenLoopPlan | null {
    if (this.arrivalRate === 0 || this.fixedOp < 0) return null;
    const read = this.fixedOp === OP_READ;
    return {
      name: this.spec.name,
      op: read ? OP_READ : OP_WRITE,
      bs: read ? this.spec.blockSize_bytes.read : this.spec.blockSize_bytes.write,
      randomBlocks: read ? this.randomBlocks.read : this.randomBlocks.write,
      meanGap_ns: this.meanGap_ns,
      poisson: this.poisson,
      iodepth: this.iodepth,
      ioLimit_bytes: this.ioLimit_bytes,
      end_ns: this.end_ns,
      start_ns: this.start_ns,
      stream: this.stream,
      recorder: this.recorder,
      depthAtSubmit: read ? this.readDepths : this.writeDepths,
    };
  }

  /** The job has started (its start event fired); for a loop that runs the job itself. */
  markStarted(): void {
    this.lifecycle = { state: 'running', started_ns: this.sim.now };
  }

  /** The flow new I/Os start on. */
  get currentFlow(): number {
    return this.flow;
  }

  /**
   * Moves the job to another route from now on (its device failed, its pod moved): the old flow is
   * retired, I/Os in flight on it complete their way back here, new ones take `flow`.
   */
  reroute(flow: number): void {
    if (this.flow < 0) throw new Error(`job ${this.spec.name} is not attached; attach it first`);
    if (flow === this.flow) return;
    // Held arrivals become requests on the route they arrived on, as they would have been on arrival.
    while (this.heldArrivals > 0) this.held.push(this.create(this.takeHeldArrival()));
    this.requests.retireRoute(this.flow);
    this.flow = flow;
  }

  /** The job stops issuing now (its pod went down): what is in flight completes, and its window ends here. */
  stop(): void {
    this.stopIssuing();
  }

  fire(event: number): void {
    if (event === EVENT_ARRIVAL) this.arrive();
    else if (event === EVENT_START) this.begin();
    else if (event === EVENT_RESUME) this.resume();
    else this.stopIssuing();
  }

  /** The flow group lets the job look again (an event, so it never runs inside another job's I/O). */
  flowWake(): void {
    this.sim.post(this.sim.now, this, EVENT_RESUME);
  }

  /** A pause is over: fill the queue again. */
  private resume(): void {
    this.paused = false;
    this.sinceThink = 0;
    for (let i = this.inFlight; i < this.iodepth && this.issuing && !this.paused; i++) this.issue();
    if (!this.issuing && this.inFlight === 0 && this.held.length === 0 && this.heldArrivals === 0) this.finish();
  }

  /** A completion: the request has come back along its route. */
  accept(req: number): void {
    const now = this.sim.now;
    const requests = this.requests;
    if (requests.status[req] !== STATUS_OK) return this.failed(req);
    this.recorder.record(
      requests.op[req]!,
      requests.submit_ns[req]! - requests.arrival_ns[req]!,
      now - requests.submit_ns[req]!,
      requests.size_bytes[req]!,
      now,
    );
    requests.release(req);
    this.inFlight--;
    this.guardProgress(now);
    if (this.held.length > 0) this.submit(this.held.shift());
    else if (this.heldArrivals > 0) this.submit(this.create(this.takeHeldArrival()));
    else if (this.paused) {
      // fio's thinktime and flow_sleep: what is in flight completes first, then the job sleeps.
      if (this.inFlight === 0 && this.issuing && this.paused_ns > 0) this.sim.post(now + this.paused_ns, this, EVENT_RESUME);
    } else if (this.issuing && this.arrivalRate === 0) this.issue();
    if (!this.issuing && this.inFlight === 0 && this.held.length === 0 && this.heldArrivals === 0) this.finish();
  }

  /**
   * An I/O came back with an error (its volume has no plex to serve it): counted, not measured, and the
   * job stops issuing, as fio stops a job at its first I/O error (without continue_on_error); what is
   * still in flight comes back and is counted too.
   */
  private failed(req: number): void {
    this.recorder.errors++;
    this.requests.release(req);
    this.inFlight--;
    this.stopIssuing(); // finishes the job too when this was its last I/O in flight
  }

  private begin(): void {
    this.markStarted();
    this.flowGroup?.join(this.spec.flow!.weight);
    if (this.end_ns < Infinity) {
      if (this.loop !== null) this.loop.postEnd(this.end_ns, EVENT_END);
      else this.sim.post(this.end_ns, this, EVENT_END);
    }
    if (this.arrivalRate > 0) {
      this.postArrival();
    } else {
      for (let i = 0; i < this.spec.iodepth && this.issuing; i++) this.issue();
    }
    if (!this.issuing && this.inFlight === 0) this.finish();
  }

  private arrive(): void {
    if (!this.issuing) return;
    if (this.defersHeld && this.inFlight >= this.iodepth) {
      if (this.heldArrivals++ === 0) this.heldArrival_ns = this.sim.now;
      this.postArrival();
      return;
    }
    const req = this.create(this.sim.now);
    if (req < 0) return;
    if (this.inFlight < this.iodepth) this.submit(req);
    else this.held.push(req);
    if (this.issuing) this.postArrival();
  }

  private postArrival(): void {
    const at = this.sim.now + this.interArrival();
    if (this.loop !== null) this.loop.postJob(at, EVENT_ARRIVAL);
    else this.sim.post(at, this, EVENT_ARRIVAL);
  }

  /** The oldest held arrival's time, taken off the held ones (`defersHeld`). */
  private takeHeldArrival(): number {
    const at = this.heldArrival_ns;
    this.heldArrival_ns = at + this.meanGap_ns;
    this.heldArrivals--;
    return at;
  }

  /** Closed loop: create and submit one I/O. */
  private issue(): void {
    const req = this.create(this.sim.now);
    if (req >= 0) this.submit(req);
  }

  /** Creates the next I/O (direction, offset, size) arrived at `arrival_ns`, or returns -1 when the job has issued all it should. */
  private create(arrival_ns: number): number {
    if (this.source !== null) return this.createShaped(this.source);
    const spec = this.spec;
    const op = this.fixedOp >= 0 ? (this.fixedOp as Op) : this.stream.next() < spec.readFraction ? OP_READ : OP_WRITE;
    const bs = op === OP_READ ? spec.blockSize_bytes.read : spec.blockSize_bytes.write;
    const blocks = op === OP_READ ? this.randomBlocks.read : this.randomBlocks.write;
    let offset: number;
    if (blocks > 0) {
      offset = this.regionStart + this.stream.below(blocks) * bs;
    } else {
      if (this.nextSequential + bs > this.regionStart + this.regionBytes) this.nextSequential = this.regionStart;
      offset = this.nextSequential;
      this.nextSequential += bs;
    }
    const req = this.requests.alloc(this.flow, op, offset, bs, arrival_ns);
    this.issuedBytes += bs;
    if (this.issuedBytes >= this.ioLimit_bytes) this.markStopped();
    return req;
  }

  /** `create` for a job with shaping options: the source picks the I/O; thinktime and flow pause the job. */
  private createShaped(source: IoSource): number {
    if (this.paused) return -1;
    const flow = this.flowGroup;
    if (flow !== null && flow.exceeded(this.flowIos, this.spec.flow!.weight)) {
      // fio's flow_threshold_exceeded: with flow_sleep, sleep once in-flight I/O is done; else look again when the group moves.
      this.paused = true;
      this.paused_ns = this.spec.flow!.sleep_ns;
      if (this.paused_ns === 0) flow.wait(this);
      else if (this.inFlight === 0) this.sim.post(this.sim.now + this.paused_ns, this, EVENT_RESUME);
      return -1;
    }
    const more = source.next();
    const req = this.requests.alloc(this.flow, source.op, source.offset_bytes, source.size_bytes, this.sim.now);
    if (flow !== null) {
      this.flowIos++;
      flow.count();
    }
    if (!more) this.markStopped();
    else if (this.think_ns > 0 && ++this.sinceThink >= this.thinkEvery) {
      this.paused = true;
      this.paused_ns = this.think_ns;
    }
    return req;
  }

  private submit(req: number): void {
    const requests = this.requests;
    requests.submit_ns[req] = this.sim.now;
    this.inFlight++;
    const op = requests.op[req];
    (op === OP_READ ? this.readDepths : op === OP_WRITE ? this.writeDepths : this.trimDepths)[depthBucket(this.inFlight)]!++;
    if (this.loop !== null) this.loop.accept(req);
    else requests.forward(req);
  }

  /** Stops creating I/Os; what is in flight or held still completes. */
  markStopped(): void {
    this.issuing = false;
    if (this.lifecycle.state === 'running') {
      this.lifecycle = { state: 'draining', started_ns: this.lifecycle.started_ns, stoppedIssuing_ns: this.sim.now };
    }
  }

  /** The runtime is up: stop creating I/Os and drop arrivals not yet submitted. */
  private stopIssuing(): void {
    if (this.lifecycle.state === 'done') return;
    this.markStopped();
    // Arrivals still held never reach the device; fio drops them too when the runtime is up.
    for (let req = this.held.shift(); req >= 0; req = this.held.shift()) this.requests.release(req);
    this.heldArrivals = 0;
    if (this.inFlight === 0 && this.lifecycle.state === 'draining') this.finish();
  }

  /** The job is done: its last I/O has completed after it stopped issuing. */
  finish(): void {
    if (this.lifecycle.state === 'done') return;
    this.flowGroup?.leave(this.spec.flow!.weight);
    const started = this.lifecycle.state === 'pending' ? 0 : this.lifecycle.started_ns;
    // A time-based window ends at the runtime; a size-bound one when its last I/O completed.
    const end = Math.min(this.sim.now, this.end_ns);
    this.lifecycle = { state: 'done', started_ns: started, finished_ns: this.sim.now };
    this.onDone(this, end);
  }

  private interArrival(): number {
    const mean = this.meanGap_ns;
    return this.poisson ? -mean * Math.log(1 - this.stream.next()) : mean;
  }

  private guardProgress(now: number): void {
    if (now !== this.lastCompletion_ns) {
      this.lastCompletion_ns = now;
      this.completionsThisInstant = 0;
    } else if (++this.completionsThisInstant > MAX_COMPLETIONS_AT_ONE_INSTANT) {
      throw new NoProgressError(this.spec.name, now);
    }
  }
}

/**
 * The arrival rate (I/Os per second) of an open-loop job, 0 for a closed loop. fio caps each direction
 * at its `rate_iops`; with a read/write mix the total is the largest rate at which no direction's share
 * exceeds its cap.
 */
export function openLoopRate(spec: WorkloadSpec): number {
  const { read, write } = spec.rate_iops;
  let rate = Infinity;
  if (read > 0 && spec.readFraction > 0) rate = Math.min(rate, read / spec.readFraction);
  if (write > 0 && spec.readFraction < 1) rate = Math.min(rate, write / (1 - spec.readFraction));
  return rate === Infinity ? 0 : rate;
}
