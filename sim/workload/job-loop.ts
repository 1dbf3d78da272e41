/**
 * The seams between a job and a heap-free loop that runs it (single-server-loop.ts,
 * open-loop-single-server.ts): what the model drives, what the job posts to, and what an open-loop job
 * hands over. Types only, so the job generator and the loops import them without importing each other.
 */
import type { RandomStream } from '../core/random.js';
import type { Op } from '../io/requests.js';
import type { JobRecorder } from '../measure/job-recorder.js';

/** A loop that runs a model's events instead of the kernel (`Model.run` drives it in slices). */
export interface JobLoop {
  /** Whether any event is waiting. */
  readonly pending: boolean;
  /** Time of the next event, ns (Infinity when none). */
  peek(): number;
  /** Fires events up to `until_ns` as `Simulator.run` does; returns early once the job is done. */
  run(until_ns: number): void;
}

/** What a job posts to a loop that plays its route's station (`JobGenerator.runOn`). */
export interface JobLoopHost {
  /** The job's start or next arrival at `at_ns`, ns; `event` is the job's event code for its `fire`. */
  postJob(at_ns: number, event: number): void;
  /** The end of the job's runtime at `at_ns`, ns. */
  postEnd(at_ns: number, event: number): void;
  /** Request `req` (a pool index) enters the station. */
  accept(req: number): void;
}

/** What the loop needs of an open-loop job of one direction (`JobGenerator.openLoopPlan`). */
export interface OpenLoopPlan {
  readonly name: string;
  readonly op: Op;
  /** Block size of every I/O, bytes. */
  readonly bs: number;
  /** Random jobs: the blocks an offset is drawn from (one draw per I/O); 0 for sequential jobs (no draw). */
  readonly randomBlocks: number;
  readonly meanGap_ns: number;
  readonly poisson: boolean;
  readonly iodepth: number;
  /** The job stops issuing once it has issued this many bytes (Infinity when time-based). */
  readonly ioLimit_bytes: number;
  /** End of the runtime (Infinity for none) and the start, ns. */
  readonly end_ns: number;
  readonly start_ns: number;
  readonly stream: RandomStream;
  readonly recorder: JobRecorder;
  /** The recorder's submissions-per-depth-bucket counts for the job's direction. */
  readonly depthAtSubmit: Float64Array;
}
