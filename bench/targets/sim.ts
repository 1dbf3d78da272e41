/**
 * The `sim` target: runs fio jobs on the discrete-event model of one device. Builds the device from its
 * profile, one generator per job clone with a route [job, device, job], runs the kernel in slices (so a
 * progress bar can be drawn between them) and returns what the recorders measured.
 */
import { Simulator } from '../../sim/core/kernel.js';
import { RandomStreams } from '../../sim/core/random.js';
import { RequestPool } from '../../sim/io/requests.js';
import { JobRecorder } from '../../sim/measure/job-recorder.js';
import { JobGenerator, NoProgressError } from '../../sim/workload/job-generator.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';
import { AnvilError } from '../../platform/errors.js';
import { standaloneDevice, type DeviceProfile } from '../profiles.js';
import type { JobMeasurement, RunMeasurement } from '../results/measurement.js';

export interface SimProgress {
  /** Simulated time reached, ns. */
  readonly now_ns: number;
  /** Where the run will end, ns (Infinity when jobs are size-bound without a runtime). */
  readonly end_ns: number;
  /** I/Os completed so far in the jobs' measurement windows (after ramp_time), every job together. */
  readonly ios: number;
  /** I/Os per second completed over the last slice of simulated time. */
  readonly iops: number;
  /** Wall-clock seconds since the start (for the progress bar only, never in results). */
  readonly wall_s: number;
}

export interface SimRunOptions {
  readonly jobs: readonly WorkloadSpec[];
  readonly profile: DeviceProfile;
  readonly seed: number;
  /** Length of a row of the interval series, ns; by default a round figure giving 10-100 rows. */
  readonly interval_ns?: number;
  /** Called between slices of simulated time. */
  readonly onProgress?: (progress: SimProgress) => void;
  /** Wall clock for progress reports; injected so tests never read the real one. */
  readonly wallClock_s?: () => number;
}

/** The capacity in bytes of the device a profile describes (jobs without `size` address all of it). */
export function deviceCapacity(profile: DeviceProfile): number {
  return standaloneDevice(profile).capacity_bytes;
}

/** Runs the jobs on the model and returns the measurements. Same inputs and seed, same result. */
export function runOnModel(options: SimRunOptions): RunMeasurement {
  const { jobs, profile, seed } = options;
  const sim = new Simulator();
  const requests = new RequestPool();
  const streams = new RandomStreams(seed);
  const device = profile.kind.create(profile.params as never, { sim, requests, streams, name: 'dev0' });
  const horizon = runHorizon(jobs);
  const interval_ns = options.interval_ns ?? defaultInterval(horizon);
  let running = jobs.length;
  const units = reportingUnits(jobs, interval_ns);
  jobs.forEach((spec, i) => {
    const unit = units.byJob[i]!;
    const stream = streams.get(`job/${spec.name}/${spec.clone}/${i}`);
    const generator = new JobGenerator(spec, sim, requests, stream, unit.recorder, device.capacity_bytes, (_job, windowEnd_ns) => {
      unit.windowEnd_ns = Math.max(unit.windowEnd_ns, windowEnd_ns);
      if (--unit.active === 0) unit.recorder.finish(unit.windowEnd_ns);
      if (--running === 0) sim.stop();
    });
    generator.attach(requests.addRoute([generator, device, generator]));
  });

  const clock = options.wallClock_s ?? (() => 0);
  const wallStart = clock();
  const slice_ns = sliceLength(horizon);
  let lastIos = 0;
  try {
    while (running > 0 && sim.pending > 0) {
      const before = sim.now;
      // A slice with no event in it is skipped (a slow device's next completion may be hours of
      // simulated time away); events fire in the same order whatever the slices.
      sim.run(Math.max(before + slice_ns, sim.peek()));
      if (options.onProgress) {
        const ios = completedIos(units.all);
        const dt = sim.now - before;
        options.onProgress({ now_ns: sim.now, end_ns: horizon, ios, iops: dt > 0 ? ((ios - lastIos) * 1e9) / dt : 0, wall_s: clock() - wallStart });
        lastIos = ios;
      }
    }
  } catch (e) {
    if (e instanceof NoProgressError) {
      throw new AnvilError(
        'ANVIL_ERR_NO_PROGRESS',
        `${e.message}: the device completes I/Os in zero time and the job keeps iodepth in flight; give the device a latency or the job a rate_iops`,
      );
    }
    throw e;
  }
  for (const unit of units.all) if (unit.active > 0) unit.recorder.finish(Math.min(sim.now, unit.recorder.windowLimit_ns));

  const measured: JobMeasurement[] = units.all.map((u) => ({ name: u.specs[0]!.name, groupid: u.specs[0]!.group, specs: u.specs, recorder: u.recorder }));
  return {
    target: 'sim',
    seed,
    profile: { name: profile.name, title: profile.title, kind: profile.kind.name, path: profile.path },
    interval_ns,
    simulated_ns: sim.now,
    events: sim.eventsFired,
    jobs: measured,
  };
}

/**
 * I/Os the recorders hold. Counted per recorder, not per job: the clones of a group_reporting job share
 * one recorder, and adding it once per clone overstated the bar's IOPS by numjobs.
 */
function completedIos(units: readonly ReportingUnit[]): number {
  let ios = 0;
  for (const u of units) ios += u.recorder.read.total_ios + u.recorder.write.total_ios;
  return ios;
}

interface ReportingUnit {
  readonly specs: WorkloadSpec[];
  readonly recorder: JobRecorder;
  active: number;
  windowEnd_ns: number;
}

/** One recorder per job clone, or per reporting group (and window) when the jobs ask for group_reporting. */
function reportingUnits(jobs: readonly WorkloadSpec[], interval_ns: number): { all: ReportingUnit[]; byJob: ReportingUnit[] } {
  const all: ReportingUnit[] = [];
  const shared = new Map<string, ReportingUnit>();
  const byJob = jobs.map((spec) => {
    const key = `${spec.group}/${spec.ramp_ns}/${spec.runtime_ns}`;
    let unit = spec.groupReporting ? shared.get(key) : undefined;
    if (!unit) {
      const limit = spec.runtime_ns > 0 ? spec.ramp_ns + spec.runtime_ns : Infinity;
      unit = { specs: [], recorder: new JobRecorder(spec.ramp_ns, interval_ns, limit), active: 0, windowEnd_ns: spec.ramp_ns };
      all.push(unit);
      if (spec.groupReporting) shared.set(key, unit);
    }
    unit.specs.push(spec);
    unit.active++;
    return unit;
  });
  return { all, byJob };
}

/** The latest end of any job's runtime, ns; Infinity when a job is bound only by size. */
function runHorizon(jobs: readonly WorkloadSpec[]): number {
  let end = 0;
  for (const j of jobs) end = Math.max(end, j.runtime_ns > 0 ? j.ramp_ns + j.runtime_ns : Infinity);
  return end;
}

/** A round interval (1, 2 or 5 x 10^k ns) giving at least 10 rows over the run; 1 s when the length is unknown. */
export function defaultInterval(horizon_ns: number): number {
  if (!Number.isFinite(horizon_ns) || horizon_ns >= 10e9) return 1e9;
  const target = Math.max(horizon_ns / 10, 1e3);
  const decade = 10 ** Math.floor(Math.log10(target));
  for (const step of [5, 2, 1]) if (step * decade <= target) return step * decade;
  return decade;
}

function sliceLength(horizon_ns: number): number {
  return Number.isFinite(horizon_ns) ? Math.max(horizon_ns / 200, 1e5) : 10e6;
}
