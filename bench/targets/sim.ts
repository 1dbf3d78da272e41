/**
 * The `sim` target: runs fio jobs on the discrete-event model. `runOnModel` assembles the model of one
 * device from its profile, one generator per job clone with a route [job, device, job]; `runModel` runs
 * any assembled model (many devices, labelled jobs) in slices of simulated time, so a progress bar can be
 * drawn between them, and returns what the recorders measured.
 */
import type { ModelProgress } from '../results/progress-bar.js';
import { Model } from '../../sim/model/model.js';
import { NoProgressError, type JobGenerator } from '../../sim/workload/job-generator.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';
import { AnvilError } from '../../platform/errors.js';
import type { DeviceProfile } from '../profiles.js';
import type { JobMeasurement, SimRunMeasurement } from '../results/measurement.js';

/** The progress bar's fields (bench/results/progress-bar.ts), plus the I/Os so far. */
export interface SimProgress extends ModelProgress {
  /** I/Os completed so far in the jobs' measurement windows (after ramp_time), every job together. */
  readonly ios: number;
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

/** Runs the jobs on the model of one device (`dev0`) and returns the measurements. Same inputs and seed, same result. */
export function runOnModel(options: SimRunOptions): SimRunMeasurement {
  const { jobs, profile, seed } = options;
  const horizon = runHorizon(jobs);
  const model = new Model(seed, options.interval_ns ?? defaultInterval(horizon));
  model.addDevice(SINGLE_DEVICE, profile.kind, profile.params);
  const ordered = jobs.some((j) => (j.phase ?? 0) > 0 || j.waitFor !== undefined || j.exitAll !== undefined);
  if (!ordered) {
    // Stream names as they always were for one device, so results stay the same for the same seed.
    jobs.forEach((spec, i) => model.addJob({ spec, device: SINGLE_DEVICE, name: `${spec.name}/${spec.clone}/${i}`, ...delayed(spec, 0) }));
  } else {
    model.laterJobs = true;
    startInOrder(model, jobs);
  }
  const measured = runModel(model, {
    ...options,
    horizon_ns: horizon,
    profile: { name: profile.name, title: profile.title, kind: profile.kind.name, path: profile.path },
  });
  if (!ordered) return measured;
  // Jobs joined the model as they could start; fio reports them in file order.
  const index = new Map(jobs.map((spec, i) => [spec, i]));
  const at = (j: JobMeasurement) => index.get(j.specs[0]!) ?? 0;
  return { ...measured, jobs: [...measured.jobs].sort((a, b) => at(a) - at(b)) };
}

/** A job's start when it may start at `now_ns`: after its startdelay. */
function delayed(spec: WorkloadSpec, now_ns: number): { start_ns?: number } {
  const delay = spec.startDelay_ns ?? 0;
  return delay > 0 || now_ns > 0 ? { start_ns: now_ns + delay } : {};
}

/**
 * fio's job order (backend.c run_threads): a job of stonewall phase p starts once every job of an
 * earlier phase has finished, a wait_for job once every clone of the job it names has; exitall stops
 * the finished job's group, phase or every job (exit_what), started or not.
 */
function startInOrder(model: Model, jobs: readonly WorkloadSpec[]): void {
  const state: ('waiting' | 'started' | 'done')[] = jobs.map(() => 'waiting');
  const generators: (JobGenerator | undefined)[] = jobs.map(() => undefined);
  // Counts of jobs not done, by phase and by name, so a job's turn is found without scanning the others.
  const openInPhase: number[] = [];
  const openByName = new Map<string, number>();
  for (const j of jobs) {
    const p = j.phase ?? 0;
    openInPhase[p] = (openInPhase[p] ?? 0) + 1;
    openByName.set(j.name, (openByName.get(j.name) ?? 0) + 1);
  }
  let firstOpenPhase = 0;
  let waiting = jobs.map((_, i) => i);
  const markDone = (k: number): void => {
    state[k] = 'done';
    const j = jobs[k]!;
    openInPhase[j.phase ?? 0]!--;
    openByName.set(j.name, openByName.get(j.name)! - 1);
    while (firstOpenPhase < openInPhase.length && (openInPhase[firstOpenPhase] ?? 0) === 0) firstOpenPhase++;
  };
  const ready = (spec: WorkloadSpec): boolean =>
    (spec.phase ?? 0) <= firstOpenPhase && (spec.waitFor === undefined || openByName.get(spec.waitFor) === 0);
  const exitAll = (i: number): void => {
    const spec = jobs[i]!;
    const hit = (k: number) =>
      spec.exitAll === 'all' ||
      (spec.exitAll === 'group' && jobs[k]!.group === spec.group) ||
      (spec.exitAll === 'stonewall' && (jobs[k]!.phase ?? 0) === (spec.phase ?? 0));
    for (let k = 0; k < jobs.length; k++) {
      if (!hit(k)) continue;
      if (state[k] === 'waiting')
        markDone(k); // never starts
      else if (state[k] === 'started') generators[k]!.stop();
    }
  };
  const startReady = (): void => {
    const still: number[] = [];
    for (const i of waiting) {
      const spec = jobs[i]!;
      if (state[i] !== 'waiting') continue;
      if (!ready(spec)) {
        still.push(i);
        continue;
      }
      state[i] = 'started';
      generators[i] = model.addJob({
        spec,
        device: SINGLE_DEVICE,
        name: `${spec.name}/${spec.clone}/${i}`,
        ...delayed(spec, model.sim.now),
        onDone: () => {
          markDone(i);
          if (spec.exitAll !== undefined) exitAll(i);
          startReady();
        },
      });
    }
    waiting = still;
  };
  startReady();
}

/** The device of a single-device run. */
const SINGLE_DEVICE = 'dev0';

/** How a model is run and described in its measurement. */
export interface ModelRunOptions {
  readonly profile: SimRunMeasurement['profile'];
  /** Where the run will end, ns (Infinity when unknown): sets the progress slices. */
  readonly horizon_ns: number;
  readonly onProgress?: (progress: SimProgress) => void;
  readonly wallClock_s?: () => number;
}

/**
 * Runs an assembled model to its end, in slices of simulated time with a progress report between them,
 * and returns what its recorders measured, each job with its labels.
 */
export function runModel(model: Model, options: ModelRunOptions): SimRunMeasurement {
  const sim = model.sim;
  const clock = options.wallClock_s ?? (() => 0);
  const wallStart = clock();
  const onProgress = options.onProgress;
  let lastIos = 0;
  let sliceStart = sim.now;
  const report = onProgress
    ? () => {
        const ios = model.completedIos();
        const dt = sim.now - sliceStart;
        onProgress({
          now_ns: sim.now,
          end_ns: options.horizon_ns,
          ios,
          iops: dt > 0 ? ((ios - lastIos) * 1e9) / dt : 0,
          wall_s: clock() - wallStart,
        });
        lastIos = ios;
        sliceStart = sim.now;
      }
    : undefined;
  try {
    model.run(sliceLength(options.horizon_ns), report);
  } catch (e) {
    if (e instanceof NoProgressError) {
      throw new AnvilError(
        'ANVIL_ERR_NO_PROGRESS',
        `${e.message}: the device completes I/Os in zero time and the job keeps iodepth in flight; give the device a latency or the job a rate_iops`,
      );
    }
    throw e;
  }
  const measured: JobMeasurement[] = model.units.map((u) => ({
    name: u.specs[0]!.name,
    groupid: u.specs[0]!.group,
    specs: u.specs,
    measured: u.recorder.measured(),
    ...(Object.keys(u.labels).length > 0 ? { labels: u.labels } : {}),
  }));
  return {
    target: 'sim',
    seed: model.seed,
    profile: options.profile,
    interval_ns: model.interval_ns,
    simulated_ns: sim.now,
    events: sim.eventsFired,
    jobs: measured,
    devices: model.devices.map((d) => ({ name: d.name, kind: d.kind, capacity_bytes: d.instance.capacity_bytes })),
  };
}

/** The latest end of any job's runtime, ns; Infinity when a job is bound only by size. */
export function runHorizon(jobs: readonly WorkloadSpec[]): number {
  // Stonewall phases run one after another: the phases' longest jobs add up.
  const phaseEnd = new Map<number, number>();
  for (const j of jobs) {
    const end = j.runtime_ns > 0 ? (j.startDelay_ns ?? 0) + j.ramp_ns + j.runtime_ns : Infinity;
    phaseEnd.set(j.phase ?? 0, Math.max(phaseEnd.get(j.phase ?? 0) ?? 0, end));
  }
  let total = 0;
  for (const end of phaseEnd.values()) total += end;
  return total;
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
