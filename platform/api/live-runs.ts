/**
 * Runs started by `anvil serve` (POST /runs): each a cluster scenario of the server's scenarios folder, run
 * on the model on a worker thread of its own (the module the CLI hands in, platform/cli/live-run-worker.ts),
 * so the server keeps answering while it runs; its results go to a new folder of the runs folder, where GET
 * /runs lists it once it ends. What the worker says is kept as numbered events (progress, sample, done,
 * failed) for GET /runs/ID/events to stream and replay: a client that reconnects with the last id it saw
 * gets the rest, no gap and no duplicate. Bounded: a few runs at once, a scenario's simulated time and its
 * drives' I/Os, each worker's heap, and the finished runs kept in memory.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AnvilError, type ErrorCode } from '../errors.js';
import type { LiveRunMessage, LiveRunTask } from './live-run-protocol.js';
import { writeRunOwner, type RunOwner } from './run-access.js';

/** How `anvil serve` runs what POST /runs asks for. */
export interface LiveRunOptions {
  /** The worker module (platform/cli/live-run-worker.js, compiled); undefined: this server starts no runs. */
  readonly worker: URL | undefined;
  /** The scenarios a run may name: the cluster scenario files (*.yaml) of this folder and its subfolders. */
  readonly scenariosDir: string;
  /** Runs at once; one more is refused with ANVIL_ERR_RUNS_BUSY. */
  readonly maxConcurrent: number;
  /** A scenario's longest duration, simulated s; a longer one is refused with ANVIL_ERR_RUN_TOO_LONG. */
  readonly maxSimulated_s: number;
  /** The drives' I/Os past which a run stops with ANVIL_ERR_RUN_TOO_LARGE (anvil run --max-ios). */
  readonly maxIos: number;
  /** A comment line on each open event stream this often, ms (default 15 s), so proxies keep it open. */
  readonly heartbeat_ms?: number;
}

/** A server built without a run worker (an embedded one, a test's): it lists runs and starts none. */
export const NO_LIVE_RUNS: LiveRunOptions = { worker: undefined, scenariosDir: '', maxConcurrent: 0, maxSimulated_s: 0, maxIos: 0 };

/** `anvil serve --max-runs`: runs at once. */
export const DEFAULT_MAX_RUNS = 2;
/** `anvil serve --max-run-simulated`: a scenario's longest duration, simulated s (the catalogue's run 10 to 30 s). */
export const DEFAULT_MAX_RUN_SIMULATED_S = 60;

/** Event streams open at once, every run together; one more is refused with ANVIL_ERR_RUNS_BUSY. */
export const MAX_EVENT_STREAMS = 64;
/** Finished runs whose events are kept for a replay; an older one's stream says only how it ended. */
const KEPT_FINISHED_RUNS = 16;
/** Each worker's heap, MB: a run larger than this stops with ANVIL_ERR_RUN_TOO_LARGE, the server stays up. */
const WORKER_HEAP_MB = 1024;

/** One numbered event of a run's stream. */
export interface RunEvent {
  /** 1, 2, 3, ... in the order the worker said them. */
  readonly id: number;
  readonly event: 'progress' | 'sample' | 'done' | 'failed';
  readonly data: object;
}

export type RunStatus = 'running' | 'done' | 'failed';

/** A run the server started, as GET /runs and POST /runs show it. */
export interface LiveRunView {
  readonly id: string;
  readonly scenario: string;
  readonly scenario_file: string;
  readonly stack: string;
  readonly seed: number;
  readonly duration_s: number;
  readonly status: RunStatus;
  /** Simulated time done, s. */
  readonly done_s: number;
  /** The user who started it (POST /runs). */
  readonly started_by: string;
  /** The tenant it was started under; null: the cluster's own. */
  readonly tenant: string | null;
}

/** A run the server started: its events so far and who listens. */
export class LiveRun {
  readonly events: RunEvent[] = [];
  private readonly listeners = new Set<(e: RunEvent) => void>();
  status: RunStatus = 'running';
  done_s = 0;

  constructor(
    readonly id: string,
    readonly scenarioFile: string,
    readonly started: { scenario: string; stack: string; seed: number; duration_ns: number },
    readonly owner: RunOwner,
  ) {}

  get ended(): boolean {
    return this.status !== 'running';
  }

  view(): LiveRunView {
    const s = this.started;
    return {
      id: this.id,
      scenario: s.scenario,
      scenario_file: this.scenarioFile,
      stack: s.stack,
      seed: s.seed,
      duration_s: s.duration_ns / 1e9,
      status: this.status,
      done_s: this.done_s,
      started_by: this.owner.started_by,
      tenant: this.owner.tenant,
    };
  }

  /** Calls `listener` with each event from now on; returns the call that stops it. */
  listen(listener: (e: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  push(event: RunEvent['event'], data: object): void {
    const e = { id: this.events.length + 1, event, data };
    this.events.push(e);
    if (event === 'done') this.status = 'done';
    if (event === 'failed') this.status = 'failed';
    for (const l of this.listeners) l(e);
  }
}

/** A request to start a run: a scenario of the scenarios folder by its name there (`qos/noisy-neighbour`). */
export interface StartRun {
  readonly scenario: string;
  readonly stack?: 'hci' | 'diy';
  readonly seed?: number;
  /** The run's folder name in the runs folder; default the scenario's file name and the time. */
  readonly name?: string;
}

const codeOf = (c: string): ErrorCode => c as ErrorCode;

export class LiveRuns {
  private readonly runs = new Map<string, LiveRun>();
  private readonly workers = new Set<Worker>();
  /** Runs started and not ended, counted from the request on (before the worker says anything). */
  private active = 0;
  /** Event streams open. */
  streams = 0;

  constructor(
    readonly folder: string | undefined,
    readonly options: LiveRunOptions,
    private readonly now: () => Date,
  ) {}

  /** The scenarios a run may name: each *.yaml under the scenarios folder, by its path there without .yaml. */
  scenarios(): string[] {
    const names: string[] = [];
    const walk = (dir: string, depth: number) => {
      for (const entry of readdirSync(dir).sort()) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
          if (depth < 3) walk(path, depth + 1);
        } else if (entry.endsWith('.yaml')) names.push(relative(this.options.scenariosDir, path).split(sep).join('/').slice(0, -5));
      }
    };
    if (existsSync(this.options.scenariosDir)) walk(this.options.scenariosDir, 0);
    return names;
  }

  get(id: string): LiveRun | undefined {
    return this.runs.get(id);
  }

  /** The runs this server started and still keeps, newest first. */
  list(): LiveRunView[] {
    return [...this.runs.values()].reverse().map((r) => r.view());
  }

  /**
   * Starts a run for `owner` (recorded in its folder); resolves once the worker has read the scenario (or
   * refused it), so refusals are the request's.
   */
  async start(request: StartRun, owner: RunOwner): Promise<LiveRun> {
    const folder = this.folder;
    const worker = this.options.worker;
    if (folder === undefined || worker === undefined)
      throw new AnvilError(
        'ANVIL_ERR_NO_RUNS_FOLDER',
        folder === undefined
          ? 'this server has no runs folder to write a run into; start anvil serve with --runs DIR'
          : 'this server was built without a worker to run scenarios on; start the runs with anvil serve --runs DIR',
      );
    if (this.active >= this.options.maxConcurrent)
      throw new AnvilError(
        'ANVIL_ERR_RUNS_BUSY',
        `this server already runs ${this.active} of the ${this.options.maxConcurrent} runs it runs at once (anvil serve --max-runs); retry when one has ended`,
      );
    const names = this.scenarios();
    if (!names.includes(request.scenario))
      throw new AnvilError(
        'ANVIL_ERR_OBJECT_NOT_FOUND',
        `no scenario ${request.scenario} in this server's scenarios folder; it has ${names.join(', ') || 'none'} (GET /apis/anvil.dev/v1/scenarios)`,
      );
    const file = join(this.options.scenariosDir, `${request.scenario}.yaml`);
    const id = request.name ?? this.freeName(folder, basename(request.scenario));
    const out = join(folder, id);
    if (existsSync(out))
      throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `the runs folder has a ${id} already; name the run otherwise or leave the name out`);
    mkdirSync(out, { recursive: true });
    try {
      writeRunOwner(out, owner);
      return await this.spawn(worker, id, request, file, out, owner);
    } catch (e) {
      // Refused before it started: no folder is left behind.
      rmSync(out, { recursive: true, force: true });
      throw e;
    }
  }

  /** `base`-YYYYMMDD-HHMMSS, with -2, -3, ... where that folder exists. */
  private freeName(folder: string, base: string): string {
    const stamp = this.now().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    let name = `${base}-${stamp}`;
    for (let k = 2; existsSync(join(folder, name)) || this.runs.has(name); k++) name = `${base}-${stamp}-${k}`;
    return name;
  }

  private spawn(module: URL, id: string, request: StartRun, file: string, out: string, owner: RunOwner): Promise<LiveRun> {
    const task: LiveRunTask = {
      file,
      out,
      ...(request.stack !== undefined ? { stack: request.stack } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      maxIos: this.options.maxIos,
      maxSimulated_ns: this.options.maxSimulated_s * 1e9,
    };
    const worker = new Worker(module, { workerData: task, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    this.workers.add(worker);
    // Counted until the worker exits, whether it ran or refused.
    this.active++;
    return new Promise<LiveRun>((resolve, reject) => {
      let run: LiveRun | undefined;
      const end = () => {
        this.workers.delete(worker);
        this.active--;
        this.forgetOldRuns();
      };
      worker.on('message', (m: LiveRunMessage) => {
        if (m.type === 'started') {
          run = new LiveRun(id, request.scenario, m, owner);
          this.runs.set(id, run);
          resolve(run);
        } else if (run === undefined) {
          // Refused before it started (the scenario's file, its duration): the request's own error.
          if (m.type === 'failed') reject(new AnvilError(codeOf(m.code), m.message, m.details ?? []));
        } else if (m.type === 'progress') {
          run.done_s = m.now_ns / 1e9;
          run.push('progress', { now_s: m.now_ns / 1e9, end_s: m.end_ns / 1e9, ios: m.ios });
        } else if (m.type === 'sample') run.push('sample', { rows: m.rows });
        else if (m.type === 'done') run.push('done', m.verdict !== undefined ? { verdict: m.verdict } : {});
        else run.push('failed', { code: m.code, message: m.message, ...(m.details ? { details: m.details } : {}) });
      });
      worker.on('error', (e) => {
        const failed = {
          code: 'ANVIL_ERR_RUN_TOO_LARGE',
          message: `run ${id}: its worker stopped (${e.message}); the run was larger than a worker holds, shorten the scenario`,
        };
        if (run === undefined) reject(new AnvilError('ANVIL_ERR_RUN_TOO_LARGE', failed.message));
        else if (!run.ended) run.push('failed', failed);
      });
      worker.on('exit', () => {
        if (run === undefined) reject(new AnvilError('ANVIL_ERR_INTERNAL', `run ${id}: its worker ended before it started`));
        else if (!run.ended) run.push('failed', { code: 'ANVIL_ERR_INTERNAL', message: `run ${id}: its worker ended without a result` });
        end();
      });
    });
  }

  private forgetOldRuns(): void {
    const finished = [...this.runs.values()].filter((r) => r.ended);
    for (const r of finished.slice(0, Math.max(0, finished.length - KEPT_FINISHED_RUNS))) this.runs.delete(r.id);
  }

  /** Stops every worker (the server is closing). */
  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }
}
