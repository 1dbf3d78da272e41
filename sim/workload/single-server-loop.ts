/**
 * The event loop of the simplest model, without the kernel's heap: one job whose route is one
 * single-server FIFO station and back (an M/G/1 when the job is Poisson). Such a model has at most three
 * events waiting at any time: the job's start or next arrival, the end of its runtime, and the station's
 * one departure. They are kept in three lanes and compared directly, in the kernel's order (time, then
 * the order they were scheduled in), firing the job's own handlers with the same draws, so the results
 * are the kernel's to the last bit at a fraction of the cost per event. The model chooses it (Model.run)
 * when its one job goes straight to such a station and nothing else is scheduled.
 */
import type { Distribution } from '../core/distributions.js';
import type { Simulator } from '../core/kernel.js';
import { RequestFifo } from '../resources/request-fifo.js';
import type { JobGenerator } from './job-generator.js';
import type { JobLoop, JobLoopHost } from './job-loop.js';

/** No event in a lane. A kernel event is never at Infinity: times are sums of finite draws. */
const NONE = Infinity;

export class SingleServerLoop implements JobLoop, JobLoopHost {
  /** The job's start or next arrival: time (ns), scheduling order, and its event code for `fire`. */
  private jobAt = NONE;
  private jobSeq = 0;
  private jobEvent = 0;
  /** The end of the job's runtime. */
  private endAt = NONE;
  private endSeq = 0;
  private endEvent = 0;
  /** The request in service and when it departs. */
  private departAt = NONE;
  private departSeq = 0;
  private inService = -1;
  /** Scheduling order, as the kernel's insertion sequence: it breaks ties in time. */
  private seq = 0;
  private readonly waiting = new RequestFifo();

  constructor(
    private readonly sim: Simulator,
    private readonly job: JobGenerator,
    private readonly service: Distribution,
  ) {}

  /** Whether any event is waiting. */
  get pending(): boolean {
    return this.jobAt !== NONE || this.endAt !== NONE || this.departAt !== NONE;
  }

  /** Time of the next event, ns (Infinity when none). */
  peek(): number {
    return Math.min(this.jobAt, this.endAt, this.departAt);
  }

  /** Schedules the job's start or next arrival (it has one of them waiting at most). */
  postJob(at_ns: number, event: number): void {
    if (this.jobAt !== NONE) throw new Error('single-server loop: the job already has an arrival waiting');
    this.jobAt = at_ns;
    this.jobSeq = this.seq++;
    this.jobEvent = event;
  }

  /** Schedules the end of the job's runtime. */
  postEnd(at_ns: number, event: number): void {
    this.endAt = at_ns;
    this.endSeq = this.seq++;
    this.endEvent = event;
  }

  /** The station's side: a request submitted to it. */
  accept(req: number): void {
    if (this.departAt === NONE) this.serve(req);
    else this.waiting.push(req);
  }

  /**
   * Fires events in order until the next one is after `until_ns` (the clock then stands at `until_ns`),
   * none is left, or the job is done (the clock stays at its last event), as `Simulator.run` does.
   */
  run(until_ns: number): void {
    const sim = this.sim;
    const job = this.job;
    for (;;) {
      let at = this.jobAt;
      let seq = this.jobSeq;
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
      if (lane === 1) {
        // The station's departure: the next in line starts service before the request goes back (QueueStation.fire).
        const req = this.inService;
        this.departAt = NONE;
        const next = this.waiting.shift();
        if (next >= 0) this.serve(next);
        job.accept(req);
      } else if (lane === 0) {
        this.jobAt = NONE;
        job.fire(this.jobEvent);
      } else {
        this.endAt = NONE;
        job.fire(this.endEvent);
      }
      if (job.state.state === 'done') return;
    }
    if (until_ns !== Infinity && until_ns > sim.now) sim.now = until_ns;
  }

  private serve(req: number): void {
    this.inService = req;
    this.departAt = this.sim.now + this.service.sample();
    this.departSeq = this.seq++;
  }
}
