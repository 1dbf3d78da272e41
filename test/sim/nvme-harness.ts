/**
 * A small closed-loop driver for the nvme device tests (the fio workload runner lives elsewhere): each job
 * is the head and the sink of its route [job, device, job], keeps `iodepth` I/Os in flight, draws random
 * offsets from a seeded stream or walks sequentially, and records the latencies of I/Os completing inside
 * the measurement window [ramp, ramp + runtime].
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import type { EventHandler, Simulator as SimulatorType } from '../../sim/core/kernel.js';
import { Simulator } from '../../sim/core/kernel.js';
import type { RandomStream } from '../../sim/core/random.js';
import { RandomStreams } from '../../sim/core/random.js';
import type { Station } from '../../sim/io/requests.js';
import { OP_READ, OP_TRIM, OP_WRITE, RequestPool } from '../../sim/io/requests.js';
import { LatencyHistogram } from '../../sim/measure/latency-histogram.js';
import { nvmeDevice, nvmeSchema, type NvmeDevice, type NvmeParams } from '../../sim/devices/nvme/index.js';

export const PROFILE_DIR = fileURLToPath(new URL('../../sim/profiles/', import.meta.url));

/** A profile as written, plus its parameters validated and with defaults filled. */
export interface LoadedProfile {
  readonly raw: Record<string, unknown>;
  readonly params: NvmeParams;
}

/** Reads `sim/profiles/<name>.yaml`, validates it against the nvme schema and fills defaults. */
export function loadNvmeProfile(name: string): LoadedProfile {
  const raw = parseYaml(readFileSync(join(PROFILE_DIR, `${name}.yaml`), 'utf8')) as Record<string, unknown>;
  const params = Value.Default(nvmeSchema, Value.Clone(raw)) as NvmeParams;
  const errors = [...Value.Errors(nvmeSchema, params)].map((e) => `${e.path}: ${e.message}`);
  if (errors.length > 0) throw new Error(`profile ${name} fails the nvme schema:\n${errors.join('\n')}`);
  return { raw, params };
}

export interface HarnessJob {
  readonly op: 'read' | 'write' | 'trim';
  readonly pattern: 'random' | 'sequential';
  readonly bs: number;
  readonly iodepth: number;
  /** Clones of the job, each with `iodepth` in flight (fio's numjobs). */
  readonly numjobs?: number;
  /** Bytes addressed from offset 0; the whole device when absent. */
  readonly region_bytes?: number;
}

export interface JobResult {
  readonly ios: number;
  readonly iops: number;
  readonly bytes_per_s: number;
  readonly lat: LatencyHistogram;
}

export interface RunResult {
  /** One per job given (clones merged). */
  readonly jobs: JobResult[];
  readonly device: NvmeDevice;
  readonly events: number;
  /** Simulated I/Os completed in the whole run (ramp included). */
  readonly completed: number;
}

export interface RunOptions {
  readonly seed?: number;
  /** Warm-up excluded from the figures, ns. */
  readonly ramp_ns: number;
  /** Measurement window after the ramp, ns. */
  readonly runtime_ns: number;
}

const OPS = { read: OP_READ, write: OP_WRITE, trim: OP_TRIM } as const;

class ClosedLoopJob implements Station, EventHandler {
  readonly lat = new LatencyHistogram();
  ios = 0;
  completed = 0;
  private flow = -1;
  private next: number;
  private readonly blocks: number;
  private readonly regionEnd: number;

  constructor(
    private readonly spec: HarnessJob,
    private readonly sim: SimulatorType,
    private readonly requests: RequestPool,
    private readonly stream: RandomStream,
    region_bytes: number,
    start_bytes: number,
    private readonly windowStart_ns: number,
    private readonly windowEnd_ns: number,
  ) {
    this.blocks = Math.floor(region_bytes / spec.bs);
    this.regionEnd = this.blocks * spec.bs;
    this.next = Math.floor(start_bytes / spec.bs) * spec.bs;
  }

  attach(flow: number): void {
    this.flow = flow;
    this.sim.schedule(0, this, 0);
  }

  /** Start: fill the queue. */
  fire(): void {
    for (let i = 0; i < this.spec.iodepth; i++) this.issue();
  }

  /** A completion: record it and keep the queue full. */
  accept(req: number): void {
    const now = this.sim.now;
    this.completed++;
    if (now >= this.windowStart_ns && now <= this.windowEnd_ns) {
      this.lat.record(now - this.requests.arrival_ns[req]!);
      this.ios++;
    }
    this.requests.release(req);
    if (now < this.windowEnd_ns) this.issue();
  }

  private issue(): void {
    const bs = this.spec.bs;
    let offset: number;
    if (this.spec.pattern === 'random') {
      offset = this.stream.below(this.blocks) * bs;
    } else {
      offset = this.next;
      this.next += bs;
      if (this.next >= this.regionEnd) this.next = 0;
    }
    const req = this.requests.alloc(this.flow, OPS[this.spec.op], offset, bs, this.sim.now);
    this.requests.forward(req);
  }
}

/** Runs the jobs side by side on one device built from `params`. */
export function runClosedLoop(params: NvmeParams, jobs: readonly HarnessJob[], options: RunOptions): RunResult {
  const sim = new Simulator();
  const requests = new RequestPool();
  const streams = new RandomStreams(options.seed ?? 1);
  const device = nvmeDevice.create(params, { sim, requests, streams, name: 'nvme0' }) as NvmeDevice;
  const windowStart = options.ramp_ns;
  const windowEnd = options.ramp_ns + options.runtime_ns;
  const groups: ClosedLoopJob[][] = [];
  jobs.forEach((spec, j) => {
    const clones: ClosedLoopJob[] = [];
    const n = spec.numjobs ?? 1;
    const region = spec.region_bytes ?? device.capacity_bytes;
    for (let c = 0; c < n; c++) {
      const stream = streams.get(`job/${j}/${c}`);
      // Sequential clones start spread over the region, as fio's offset_increment would place them.
      const start = spec.pattern === 'sequential' ? (region / n) * c + (region / (jobs.length * n)) * j : 0;
      const job = new ClosedLoopJob(spec, sim, requests, stream, region, start, windowStart, windowEnd);
      job.attach(requests.addRoute([job, device, job]));
      clones.push(job);
    }
    groups.push(clones);
  });
  sim.run(windowEnd);
  const runtime_s = options.runtime_ns / 1e9;
  let completed = 0;
  const results = groups.map((clones, j) => {
    const lat = new LatencyHistogram();
    let ios = 0;
    for (const job of clones) {
      lat.merge(job.lat);
      ios += job.ios;
      completed += job.completed;
    }
    return { ios, iops: ios / runtime_s, bytes_per_s: (ios * jobs[j]!.bs) / runtime_s, lat };
  });
  return { jobs: results, device, events: sim.eventsFired, completed };
}

/** One job alone. */
export function runJob(params: NvmeParams, job: HarnessJob, options: RunOptions): JobResult {
  return runClosedLoop(params, [job], options).jobs[0]!;
}
