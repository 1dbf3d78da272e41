/**
 * A model of many devices and flows: named devices, jobs (generators) with labels, each at the head and
 * sink of its route, recorders per job or reporting group, and a run loop in slices of simulated time.
 * Routes can change while the model runs: a job is re-routed (its old flow retired, I/Os in flight on
 * it drain) or attached at a later start time. Random streams are named after the components (a
 * device's name, a job's name), so devices on different nodes draw from their own streams.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { EventHandler } from '../core/kernel.js';
import { Simulator } from '../core/kernel.js';
import { RandomStreams } from '../core/random.js';
import type { DeviceInstance, DeviceKind } from '../devices/device.js';
import { RequestPool, type Station } from '../io/requests.js';
import { JobRecorder } from '../measure/job-recorder.js';
import { IoLog, MAX_IO_LOG_ENTRIES } from '../measure/io-log.js';
import { FlowGroup } from '../workload/flow-group.js';
import { JobGenerator } from '../workload/job-generator.js';
import { OpenLoopSingleServer } from '../workload/open-loop-single-server.js';
import type { JobLoop } from '../workload/job-loop.js';
import { SingleServerLoop } from '../workload/single-server-loop.js';
import type { WorkloadSpec } from '../workload/spec.js';

/** A job's labels (for the cluster: pod, volume, tenant, node), written beside its results. */
export type Labels = Readonly<Record<string, string>>;

/** A device in the model. */
export interface ModelDevice {
  /** Unique in the model ("nvme0", "node3/nvme1"); its random streams derive from it. */
  readonly name: string;
  readonly kind: string;
  readonly instance: DeviceInstance;
}

/** One recorder and the job clones it measures: a clone alone, or a group_reporting group with the same window and labels. */
export interface ReportingUnit {
  readonly specs: WorkloadSpec[];
  readonly labels: Labels;
  readonly recorder: JobRecorder;
  /** Members still running. */
  active: number;
  windowEnd_ns: number;
}

/** How a job enters the model. */
export interface JobPlacement {
  readonly spec: WorkloadSpec;
  /** The device the job's route leads to. */
  readonly device: string;
  /** The job's component name, unique in the model; its random stream is `job/NAME`. Default `DEVICE/JOBNAME/CLONE/INDEX`. */
  readonly name?: string;
  readonly labels?: Labels;
  /** When the job starts, ns; its ramp and runtime count from there. Default 0. */
  readonly start_ns?: number;
  /** Stations between the job and the device (a QoS scheduler, a host queue, a link), in order. */
  readonly via?: readonly Station[];
  /** Stations between the device and the job on the way back (a QoS scheduler's completion port, a return link), in order. */
  readonly after?: readonly Station[];
  /** Called when the job is done (after the model's own bookkeeping): a later job may be added from here. */
  readonly onDone?: (job: JobGenerator) => void;
  /**
   * The part of the device the job sees (a volume's one extent, reached without the volume's station): its
   * offsets and size count within it. Default the whole device.
   */
  readonly extent?: { readonly offset_bytes: number; readonly size_bytes: number };
}

const NO_LABELS: Labels = Object.freeze({});

/** A one-off action at a simulated time (a failure, a move); allocated per action, never per event. */
class ModelAction implements EventHandler {
  constructor(private readonly action: () => void) {}
  fire(): void {
    this.action();
  }
}

export class Model {
  readonly sim = new Simulator();
  readonly requests = new RequestPool();
  readonly streams: RandomStreams;
  /** Reporting units in the order their first job was added (fio's jobs[] order). */
  readonly units: ReportingUnit[] = [];
  private readonly deviceByName = new Map<string, ModelDevice>();
  private readonly sharedUnits = new Map<string, ReportingUnit>();
  /** Entries left to the per-I/O latency logs of the run (fio's write_lat_log without log_avg_msec), every job together. */
  private readonly ioLogBudget = { left: MAX_IO_LOG_ENTRIES };
  private readonly jobNames = new Set<string>();
  /** Jobs placed on an extent of their device (`JobPlacement.extent`): never rerouted. */
  private readonly onExtent = new WeakSet<JobGenerator>();
  /** fio's flow groups, by flow_id. */
  private readonly flowGroups = new Map<number, FlowGroup>();
  /** What `run` ran the model's events on (for tests and diagnostics): the kernel, or a heap-free loop. */
  ranOn: 'kernel' | 'single-server loop' | 'fused open loop' = 'kernel';
  private jobsAdded = 0;
  private running = 0;
  /** The only job while the model has one, going straight to its device and back; null otherwise. */
  private loneDirectJob: { readonly generator: JobGenerator; readonly device: DeviceInstance } | null = null;
  /** Actions posted with `at` that have not happened yet. */
  private actionsPending = 0;
  /**
   * Jobs will be added while the model runs (fio's stonewall phases, wait_for): the run stays on the
   * kernel, whose heap takes them, rather than on a single-server loop.
   */
  laterJobs = false;

  /**
   * @param seed the scenario seed every random stream derives from
   * @param interval_ns length of a row of the interval series, ns
   */
  constructor(
    readonly seed: number,
    readonly interval_ns: number,
  ) {
    this.streams = new RandomStreams(seed);
  }

  /** Builds a device of `kind` from its parameters (already validated by the kind's schema). */
  addDevice<S extends TSchema>(name: string, kind: DeviceKind<S>, params: Static<S>): ModelDevice {
    if (this.deviceByName.has(name)) throw new RangeError(`device "${name}" is in the model already; give each device its own name`);
    const instance = kind.create(params, { sim: this.sim, requests: this.requests, streams: this.streams, name });
    const device = { name, kind: kind.name, instance };
    this.deviceByName.set(name, device);
    return device;
  }

  /**
   * Adds a built target jobs address by name as they address a device: a volume made of other devices
   * (a mirrored volume, sim/storage), whose station forwards each I/O back to the job when it is done.
   */
  addVolume(name: string, instance: DeviceInstance, kind = 'volume'): ModelDevice {
    if (this.deviceByName.has(name))
      throw new RangeError(`device "${name}" is in the model already; give each device and volume its own name`);
    const device = { name, kind, instance };
    this.deviceByName.set(name, device);
    return device;
  }

  /** The devices, in the order they were added. */
  get devices(): ModelDevice[] {
    return [...this.deviceByName.values()];
  }

  /** The device called `name`. */
  device(name: string): ModelDevice {
    const device = this.deviceByName.get(name);
    if (!device) throw new RangeError(`no device "${name}" in the model (devices: ${[...this.deviceByName.keys()].join(', ') || 'none'})`);
    return device;
  }

  /** Adds a job at the head of a route to its device; it starts at `start_ns` (0 by default). */
  addJob(placement: JobPlacement): JobGenerator {
    const { spec } = placement;
    const index = this.jobsAdded++;
    const name = placement.name ?? `${placement.device}/${spec.name}/${spec.clone}/${index}`;
    if (this.jobNames.has(name)) throw new RangeError(`job "${name}" is in the model already; give each job its own name`);
    this.jobNames.add(name);
    const device = this.device(placement.device);
    const start_ns = placement.start_ns ?? 0;
    if (!(start_ns >= this.sim.now))
      throw new RangeError(`job "${name}" starts at ${start_ns} ns, before the model's time ${this.sim.now} ns`);
    const extent = placement.extent;
    if (
      extent !== undefined &&
      !(extent.offset_bytes >= 0 && extent.size_bytes > 0 && extent.offset_bytes + extent.size_bytes <= device.instance.capacity_bytes)
    )
      throw new RangeError(
        `job "${name}": its extent, bytes ${extent.offset_bytes} to ${extent.offset_bytes + extent.size_bytes}, is not within device "${placement.device}" (${device.instance.capacity_bytes} bytes)`,
      );
    const unit = this.unitFor(spec, placement.labels ?? NO_LABELS, start_ns);
    const generator = new JobGenerator(
      spec,
      this.sim,
      this.requests,
      this.streams.get(`job/${name}`),
      unit.recorder,
      extent !== undefined
        ? { start_bytes: extent.offset_bytes, size_bytes: extent.size_bytes }
        : { start_bytes: 0, size_bytes: device.instance.capacity_bytes },
      (job, windowEnd_ns) => {
        unit.windowEnd_ns = Math.max(unit.windowEnd_ns, windowEnd_ns);
        if (--unit.active === 0) unit.recorder.finish(unit.windowEnd_ns);
        if (--this.running === 0) this.sim.stop();
        placement.onDone?.(job);
      },
    );
    if (extent !== undefined) this.onExtent.add(generator);
    this.running++;
    if (spec.flow !== undefined) {
      let group = this.flowGroups.get(spec.flow.id);
      if (group === undefined) this.flowGroups.set(spec.flow.id, (group = new FlowGroup()));
      generator.joinFlow(group);
    }
    const direct = (placement.via ?? []).length === 0 && (placement.after ?? []).length === 0;
    this.loneDirectJob = this.jobsAdded === 1 && direct ? { generator, device: device.instance } : null;
    generator.attach(
      this.requests.addRoute([generator, ...(placement.via ?? []), device.instance, ...(placement.after ?? []), generator]),
      start_ns,
    );
    return generator;
  }

  /**
   * From now on, `job`'s new I/Os go to `device` (through `via`, back through `after`); its old flow is retired and what is in
   * flight on it completes on the old route. The job keeps its recorder: its results run on unbroken.
   */
  reroute(job: JobGenerator, device: string, via: readonly Station[] = [], after: readonly Station[] = []): number {
    // Its offsets count from its extent on the device it was placed on: on another route they would land elsewhere.
    if (this.onExtent.has(job))
      throw new RangeError(
        `job "${job.spec.name}" was placed on an extent of a device; it cannot be rerouted (place it on its volume to move it)`,
      );
    const flow = this.requests.addRoute([job, ...via, this.device(device).instance, ...after, job]);
    job.reroute(flow);
    this.loneDirectJob = null;
    return flow;
  }

  /**
   * Keeps `run` going until `end_ns` for a generator that is not a fio job (a network flow, whose own
   * end event was posted before this call, so it fires first): it counts as a running job until then.
   */
  holdUntil(end_ns: number): void {
    this.running++;
    this.at(end_ns, () => {
      if (--this.running === 0) this.sim.stop();
    });
  }

  /**
   * Runs `action` at simulated time `at_ns` (a device failure, a pod moved), between events. The run goes
   * on until it has happened, even when every job is done before (a node's return that starts a pod again).
   */
  at(at_ns: number, action: () => void): void {
    this.actionsPending++;
    this.sim.post(
      at_ns,
      new ModelAction(() => {
        this.actionsPending--;
        action();
      }),
      0,
    );
  }

  /** Jobs still running (not yet started ones included). */
  get jobsRunning(): number {
    return this.running;
  }

  /**
   * Runs until every job is done or nothing is left to happen, in slices of `slice_ns` of simulated
   * time, calling `between` after each; then closes the window of any job still open.
   */
  run(slice_ns: number, between?: () => void): void {
    const sim = this.sim;
    const loop = this.singleServerLoop();
    if (loop !== null) this.ranOn = loop instanceof SingleServerLoop ? 'single-server loop' : 'fused open loop';
    while (loop !== null && this.running > 0 && loop.pending) {
      loop.run(Math.max(sim.now + slice_ns, loop.peek()));
      if (between) between();
      if (sim.pending > 0) throw new Error('Model.run: an event was scheduled between slices of a single-server run');
    }
    while ((this.running > 0 || this.actionsPending > 0) && sim.pending > 0) {
      // A slice with no event in it is skipped (a slow device's next completion may be hours of
      // simulated time away); events fire in the same order whatever the slices.
      sim.run(Math.max(sim.now + slice_ns, sim.peek()));
      if (between) between();
    }
    for (const unit of this.units) if (unit.active > 0) unit.recorder.finish(Math.min(sim.now, unit.recorder.windowLimit_ns));
  }

  /**
   * The heap-free loop for a model of one job going straight to one single-server FIFO device, when
   * nothing else is scheduled (no action, no reroute, not started yet): fused with the job when it is
   * open-loop in one direction (the M/G/1); null for any other model.
   */
  private singleServerLoop(): JobLoop | null {
    const lone = this.loneDirectJob;
    if (lone === null || this.jobsAdded !== 1 || this.deviceByName.size !== 1 || this.sim.pending !== 1) return null;
    const service = lone.device.singleServer?.() ?? null;
    if (service === null) return null;
    const { generator } = lone;
    if (generator.needsKernel || this.laterJobs) return null;
    const plan = generator.openLoopPlan();
    if (plan !== null) return generator.handOver() ? new OpenLoopSingleServer(this.sim, generator, plan, service) : null;
    const loop = new SingleServerLoop(this.sim, generator, service);
    return generator.runOn(loop) ? loop : null;
  }

  /** I/Os the recorders hold, every job together (per recorder: group members share one). */
  completedIos(): number {
    let ios = 0;
    for (const u of this.units) ios += u.recorder.read.total_ios + u.recorder.write.total_ios + u.recorder.trim.total_ios;
    return ios;
  }

  /** One recorder per job clone, or per reporting group (with the same window and labels) under group_reporting. */
  private unitFor(spec: WorkloadSpec, labels: Labels, start_ns: number): ReportingUnit {
    const key = `${spec.group}/${spec.ramp_ns}/${spec.runtime_ns}/${start_ns}/${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
    let unit = spec.groupReporting ? this.sharedUnits.get(key) : undefined;
    if (!unit) {
      const windowStart = start_ns + spec.ramp_ns;
      const limit = spec.runtime_ns > 0 ? windowStart + spec.runtime_ns : Infinity;
      unit = { specs: [], labels, recorder: new JobRecorder(windowStart, this.interval_ns, limit), active: 0, windowEnd_ns: windowStart };
      // fio's latency logs without log_avg_msec have a line per I/O: only then does the recorder keep each I/O.
      if (spec.logs?.lat !== undefined && spec.logs.avg_ms === 0) unit.recorder.ioLog = new IoLog(this.ioLogBudget);
      this.units.push(unit);
      if (spec.groupReporting) this.sharedUnits.set(key, unit);
    }
    if (spec.trimMode !== undefined) unit.recorder.recordTrims();
    unit.specs.push(spec);
    unit.active++;
    return unit;
  }
}
