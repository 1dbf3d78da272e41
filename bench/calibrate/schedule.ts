/**
 * Running a calibration on a machine that drifts: the sweep's repeats, the held-out jobs' two runs and a
 * reference job are interleaved in one schedule, so a slow spell of the machine falls on the fit and on
 * the held-out jobs alike, and the reference job, run at the start, every few jobs and at the end,
 * measures the drift itself. Each round of the sweep runs in the other order from the last (a drift
 * over the round then tilts no depth range against another), and the held-out jobs are spread evenly
 * through the first rounds rather than run after the sweep.
 */
import { runOnHost } from '../targets/host/run-on-host.js';
import { medianRun, pointsOf, sweepJobText, sweepJobs, type SweepJob, type SweepOptions, type SweepPoint } from './sweep.js';

/** One run of the schedule: which job, and what it is for. */
export interface ScheduledRun {
  readonly job: SweepJob;
  readonly role: 'sweep' | 'held-out' | 'reference';
}

/** The job whose repeats across the schedule measure the machine's drift (a sweep job: its figures are also fitted). */
export const REFERENCE_JOB: SweepJob = { name: 'randread-4k-qd8', rw: 'randread', bs_bytes: 4096, iodepth: 8 };

/** Runs between two runs of the reference job. */
export const REFERENCE_EVERY = 8;

/** `b`'s items spread evenly through `a` (Bresenham): item k of b after about (k + 1) / (|b| + 1) of a. */
function spreadThrough<T>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = [];
  let k = 0;
  a.forEach((item, i) => {
    out.push(item);
    while (k < b.length && (k + 1) * a.length <= (i + 1) * (b.length + 1)) out.push(b[k++]!);
  });
  while (k < b.length) out.push(b[k++]!);
  return out;
}

/**
 * The order of a calibration's runs: `repeat` rounds of the sweep (alternating order), the held-out jobs
 * spread through the first `heldOutRuns` rounds (alternating too), and the reference job at the start,
 * after every `referenceEvery` runs and at the end.
 */
export function calibrationSchedule(
  sweep: readonly SweepJob[],
  heldOut: readonly SweepJob[],
  o: { repeat: number; heldOutRuns: number; referenceEvery: number; reference: SweepJob },
): ScheduledRun[] {
  const rounds = Math.max(o.repeat, heldOut.length > 0 ? o.heldOutRuns : 0);
  const runs: ScheduledRun[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = <T>(list: readonly T[]) => (r % 2 === 0 ? [...list] : [...list].reverse());
    const s = r < o.repeat ? order(sweep).map((job): ScheduledRun => ({ job, role: 'sweep' })) : [];
    const h = r < o.heldOutRuns ? order(heldOut).map((job): ScheduledRun => ({ job, role: 'held-out' })) : [];
    runs.push(...spreadThrough(s, h));
  }
  const every = Math.max(1, Math.floor(o.referenceEvery));
  const out: ScheduledRun[] = [{ job: o.reference, role: 'reference' }];
  runs.forEach((run, i) => {
    out.push(run);
    if ((i + 1) % every === 0 || i === runs.length - 1) out.push({ job: o.reference, role: 'reference' });
  });
  return out;
}

/** What a calibration measured: the sweep's points (median of its repeats), every run, and the drift reference. */
export interface CalibrationRuns {
  /** Per sweep job, the median-IOPS run's points: what the fit takes. */
  readonly points: SweepPoint[];
  /** Per sweep job, every run (in schedule order). */
  readonly sweepRuns: readonly { job: SweepJob; runs: SweepPoint[][] }[];
  /** Per held-out job, its runs on the host (in schedule order). */
  readonly heldOut: readonly { job: SweepJob; runs: SweepPoint[][] }[];
  /** The reference job's runs, in time order, with their position in the schedule. */
  readonly reference: { job: SweepJob; runs: { index: number; points: SweepPoint[] }[] };
  /** Runs in the schedule. */
  readonly total: number;
}

/** Runs the sweep (and the held-out jobs, and the reference job) on the host, interleaved as `calibrationSchedule` orders. */
export async function runCalibration(
  o: SweepOptions & { heldOut?: readonly SweepJob[]; heldOutRuns?: number; referenceEvery?: number },
): Promise<CalibrationRuns> {
  const sweep = sweepJobs();
  const heldOut = o.heldOut ?? [];
  const repeat = Math.max(1, Math.floor(o.repeat ?? 1));
  const schedule = calibrationSchedule(sweep, heldOut, {
    repeat,
    heldOutRuns: o.heldOutRuns ?? 2,
    referenceEvery: o.referenceEvery ?? REFERENCE_EVERY,
    reference: REFERENCE_JOB,
  });
  const run =
    o.runJob ?? (async (job: SweepJob, text: string) => (await runOnHost({ jobFile: job.name, text, filename: o.filename })).measurement);
  const byJob = (jobs: readonly SweepJob[]) => new Map(jobs.map((job) => [job.name, { job, runs: [] as SweepPoint[][] }]));
  const sweepRuns = byJob(sweep);
  const heldOutRuns = byJob(heldOut);
  const reference: CalibrationRuns['reference'] = { job: REFERENCE_JOB, runs: [] };
  for (const [i, step] of schedule.entries()) {
    o.log?.(`calibrate ${i + 1}/${schedule.length}: ${step.job.name}${step.role === 'sweep' ? '' : ` (${step.role})`}`);
    const points = pointsOf(step.job, await run(step.job, sweepJobText(step.job, o)));
    if (step.role === 'reference') reference.runs.push({ index: i, points });
    else (step.role === 'sweep' ? sweepRuns : heldOutRuns).get(step.job.name)!.runs.push(points);
  }
  return {
    points: [...sweepRuns.values()].flatMap(({ runs }) => medianRun(runs)),
    sweepRuns: [...sweepRuns.values()],
    heldOut: [...heldOutRuns.values()],
    reference,
    total: schedule.length,
  };
}
