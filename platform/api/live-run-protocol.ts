/**
 * What a run started by `anvil serve` (POST /runs) and the worker thread running it say to each other:
 * the worker's data (the scenario, where to write, the bounds) and its messages, in order: `started` (or
 * `failed` before it), then `progress` and `sample` between slices of simulated time, then `done` or
 * `failed`. The worker module is platform/cli/live-run-worker.ts; the server side is live-runs.ts.
 */
import type { RunInterval, RunVerdictSummary } from './run-folders.js';

/** What the worker is started with (its workerData). */
export interface LiveRunTask {
  /** The scenario file (a file of the server's scenarios folder). */
  readonly file: string;
  /** The run's results folder (in the runs folder), made empty by the server. */
  readonly out: string;
  readonly stack?: 'hci' | 'diy';
  readonly seed?: number;
  /** The drives' I/Os past which the run stops (--max-ios). */
  readonly maxIos: number;
  /** The scenario's duration past which the run is refused before it starts, ns. */
  readonly maxSimulated_ns: number;
}

/** The run as it starts: what the scenario resolved to. */
export interface LiveRunStarted {
  readonly type: 'started';
  /** The scenario's name line. */
  readonly scenario: string;
  readonly stack: string;
  readonly seed: number;
  /** The scenario's duration, simulated ns. */
  readonly duration_ns: number;
}

/** Between slices of simulated time: how far the run is. */
export interface LiveRunProgress {
  readonly type: 'progress';
  /** Simulated time reached, ns. */
  readonly now_ns: number;
  /** Simulated time at which the run ends, ns. */
  readonly end_ns: number;
  /** I/Os completed so far in the jobs' measurement windows. */
  readonly ios: number;
}

/** The intervals closed since the last sample: each pod's figures, as GET /runs/ID/intervals will give them. */
export interface LiveRunSample {
  readonly type: 'sample';
  readonly rows: readonly RunInterval[];
}

/** The run wrote its results folder; its SLA verdict when the scenario has SLAs. */
export interface LiveRunDone {
  readonly type: 'done';
  readonly verdict?: RunVerdictSummary;
}

/** The run stopped with a coded error (a worker cannot pass an AnvilError whole). */
export interface LiveRunFailed {
  readonly type: 'failed';
  readonly code: string;
  readonly message: string;
  readonly details?: readonly string[];
}

export type LiveRunMessage = LiveRunStarted | LiveRunProgress | LiveRunSample | LiveRunDone | LiveRunFailed;
