/**
 * The M/G/1 fused: an open-loop job of one direction (`rate_iops`, evenly spaced or Poisson) on one
 * single-server FIFO station, run as one loop that plays the job, the station and the scheduler. It is
 * `SingleServerLoop` (the same three lanes of events in the kernel's order) with the job's handlers
 * written out for this case: no request pool (a customer in line is its submit time and its wait before
 * submission), no call per event, the same draws in the same order, the same recorder calls. Results are
 * the kernel's to the last bit (test/sim/model/single-server-loop.test.ts checks every field against it).
 * The job's lifecycle stays the generator's: the loop tells it when it started, stopped issuing and is done.
 */
import type { Distribution } from '../core/distributions.js';
import type { Simulator } from '../core/kernel.js';
import { depthBucket } from '../measure/job-recorder.js';
import { RequestFifo } from '../resources/request-fifo.js';
import { MAX_COMPLETIONS_AT_ONE_INSTANT, NoProgressError, type JobGenerator } from './job-generator.js';
import type { JobLoop, OpenLoopPlan } from './job-loop.js';

const NONE = Infinity;

export class OpenLoopSingleServer implements JobLoop {
  // The three lanes, as in SingleServerLoop: the job's start or next arrival, its runtime's end, the departure.
  private arrivalAt = NONE;
  private arrivalSeq = 0;
  private endAt = NONE;
  private endSeq = 0;
  private departAt = NONE;
  private departSeq = 0;
  private seq = 0;
  private started = false;
  private done = false;

  // The job's side.
  private issuing = true;
  /** Submitted and not yet completed: in service or in line. */
  private inFlight = 0;
  private issuedBytes = 0;
  private lastCompletion_ns = -1;
  private completionsThisInstant = 0;
  /** Arrivals held at iodepth: their arrival times. */
  private readonly held = RequestFifo.timed(64);

  // The station's side: the customer in service and the line, each as its submit time and its wait before submission.
  private servingSubmit_ns = 0;
  private servingSlat_ns = 0;
  private lineSubmit_ns = new Float64Array(1024);
  private lineSlat_ns = new Float64Array(1024);
  private lineHead = 0;
  private lineCount = 0;

  constructor(
    private readonly sim: Simulator,
    private readonly job: JobGenerator,
    private readonly plan: OpenLoopPlan,
    private readonly service: Distribution,
  ) {
    this.arrivalAt = plan.start_ns;
    this.arrivalSeq = this.seq++;
  }

  get pending(): boolean {
    return this.arrivalAt !== NONE || this.endAt !== NONE || this.departAt !== NONE;
  }

  peek(): number {
    return Math.min(this.arrivalAt, this.endAt, this.departAt);
  }

  run(until_ns: number): void {
    const sim = this.sim;
    for (;;) {
      let at = this.arrivalAt;
      let seq = this.arrivalSeq;
      let lane = 0;
      const depart = this.departAt;
      if (depart < at || (depart === at && this.departSeq < seq)) {
        at = depart;
        seq = this.departSeq;
        lane = 1;
      }
      const end = this.endAt;
      if (end < at || (end === at && this.endSeq < seq)) {
        at = end;
        lane = 2;
      }
      if (at > until_ns || at === NONE) break;
      sim.now = at;
      sim.eventsFired++;
      // The handlers read the clock from `sim.now`: a time passed to a call not inlined would be boxed.
      if (lane === 1) this.depart();
      else if (lane === 0) {
        this.arrivalAt = NONE;
        if (this.started) this.arrive();
        else this.begin();
      } else {
        this.endAt = NONE;
        this.stopIssuing();
      }
      if (this.done) return;
    }
    if (until_ns !== Infinity && until_ns > sim.now) sim.now = until_ns;
  }

  /** JobGenerator.begin, open loop. */
  private begin(): void {
    this.started = true;
    this.job.markStarted();
    if (this.plan.end_ns < Infinity) {
      this.endAt = this.plan.end_ns;
      this.endSeq = this.seq++;
    }
    this.postArrival();
  }

  /** JobGenerator.arrive with create and submit: one direction, no request, offsets only drawn. */
  private arrive(): void {
    if (!this.issuing) return;
    const now = this.sim.now;
    const plan = this.plan;
    if (plan.randomBlocks > 0) plan.stream.next(); // the offset's draw: the queue has no addresses
    this.issuedBytes += plan.bs;
    if (this.issuedBytes >= plan.ioLimit_bytes) this.markStopped();
    if (this.inFlight < plan.iodepth) this.submit(0);
    else this.held.pushTimed(0, now);
    if (this.issuing) this.postArrival();
  }

  private postArrival(): void {
    const plan = this.plan;
    const gap = plan.poisson ? -plan.meanGap_ns * Math.log(1 - plan.stream.next()) : plan.meanGap_ns;
    this.arrivalAt = this.sim.now + gap;
    this.arrivalSeq = this.seq++;
  }

  /** JobGenerator.submit and the station's accept, now; `slat_ns` is the wait before submission. */
  private submit(slat_ns: number): void {
    this.inFlight++;
    this.plan.depthAtSubmit[depthBucket(this.inFlight)]!++;
    if (this.departAt === NONE) {
      this.servingSubmit_ns = this.sim.now;
      this.servingSlat_ns = slat_ns;
      this.serve();
    } else this.enqueue(slat_ns);
  }

  /** Starts serving the customer whose times are in `servingSubmit_ns` and `servingSlat_ns`. */
  private serve(): void {
    this.departAt = this.sim.now + this.service.sample();
    this.departSeq = this.seq++;
  }

  /** The station's departure (the next in line starts first), then JobGenerator.accept. */
  private depart(): void {
    const now = this.sim.now;
    const submit = this.servingSubmit_ns;
    const slat = this.servingSlat_ns;
    this.departAt = NONE;
    if (this.lineCount > 0) {
      const head = this.lineHead;
      this.lineHead = (head + 1) & (this.lineSubmit_ns.length - 1);
      this.lineCount--;
      this.servingSubmit_ns = this.lineSubmit_ns[head]!;
      this.servingSlat_ns = this.lineSlat_ns[head]!;
      this.serve();
    }
    const plan = this.plan;
    plan.recorder.record(plan.op, slat, now - submit, plan.bs, now);
    this.inFlight--;
    this.guardProgress(now);
    if (this.held.length > 0) {
      const arrival = this.held.headTime();
      this.held.shift();
      this.submit(now - arrival);
    }
    if (!this.issuing && this.inFlight === 0 && this.held.length === 0) this.finish();
  }

  /** JobGenerator.stopIssuing: the runtime is up, held arrivals are dropped. */
  private stopIssuing(): void {
    if (this.job.state.state === 'done') return;
    this.markStopped();
    while (this.held.shift() >= 0);
    if (this.inFlight === 0 && this.job.state.state === 'draining') this.finish();
  }

  private markStopped(): void {
    this.issuing = false;
    this.job.markStopped();
  }

  private finish(): void {
    this.job.finish();
    this.done = this.job.state.state === 'done';
  }

  private guardProgress(now: number): void {
    if (now !== this.lastCompletion_ns) {
      this.lastCompletion_ns = now;
      this.completionsThisInstant = 0;
    } else if (++this.completionsThisInstant > MAX_COMPLETIONS_AT_ONE_INSTANT) {
      throw new NoProgressError(this.plan.name, now);
    }
  }

  /** Puts a customer submitted now in line. */
  private enqueue(slat_ns: number): void {
    if (this.lineCount === this.lineSubmit_ns.length) this.growLine();
    const tail = (this.lineHead + this.lineCount) & (this.lineSubmit_ns.length - 1);
    this.lineSubmit_ns[tail] = this.sim.now;
    this.lineSlat_ns[tail] = slat_ns;
    this.lineCount++;
  }

  private growLine(): void {
    const n = this.lineSubmit_ns.length;
    const submit = new Float64Array(n * 2);
    const slat = new Float64Array(n * 2);
    for (let k = 0; k < this.lineCount; k++) {
      const i = (this.lineHead + k) & (n - 1);
      submit[k] = this.lineSubmit_ns[i]!;
      slat[k] = this.lineSlat_ns[i]!;
    }
    this.lineSubmit_ns = submit;
    this.lineSlat_ns = slat;
    this.lineHead = 0;
  }
}
