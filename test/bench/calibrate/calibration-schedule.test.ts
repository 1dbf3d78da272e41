/**
 * A calibration on a machine that drifts: the held-out jobs and the sweep's repeats are interleaved (so
 * the drift falls on fit and held-out alike), and the drift is measured by a reference job across the
 * run and reported beside the model's error, flagged when it is larger than the goal. The "host" here is
 * the model of a known queue device whose service time grows with every run (a machine slowing down).
 */
import { describe, expect, it } from 'vitest';
import { HELD_OUT_JOBS } from '../../../bench/calibrate/held-out.js';
import { hostRepeatability, repeatabilityLines, spreadPct } from '../../../bench/calibrate/repeatability.js';
import { REFERENCE_JOB, calibrationSchedule, runCalibration } from '../../../bench/calibrate/schedule.js';
import { sweepJobs, type SweepJob } from '../../../bench/calibrate/sweep.js';
import { parseProfile, profileCapacity } from '../../../bench/profiles.js';
import { runOnModel } from '../../../bench/targets/sim.js';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';

/** A host whose mean service time is 80 us x (1 + drift x runs so far). */
function driftingHost(driftPerRun: number) {
  let runs = 0;
  return async (job: SweepJob, text: string) => {
    const mean = 80 * (1 + driftPerRun * runs++);
    const profile = parseProfile(
      `kind: queue\nservers: 4\nservice: { dist: lognormal, mean: ${mean}us, stddev: 30us }\ncapacity: 1g\n`,
      'h.yaml',
    );
    const { specs } = loadWorkloads(text, job.name, profileCapacity(profile));
    return runOnModel({ jobs: specs, profile, seed: 7 });
  };
}

const options = {
  filename: 'unused',
  size_bytes: 1 << 26,
  runtime_s: 0.1,
  repeat: 2,
  heldOut: HELD_OUT_JOBS,
  heldOutRuns: 2,
  referenceEvery: 8,
};

describe('the calibration schedule', () => {
  const schedule = calibrationSchedule(sweepJobs(), HELD_OUT_JOBS, {
    repeat: 2,
    heldOutRuns: 2,
    referenceEvery: 8,
    reference: REFERENCE_JOB,
  });
  const positions = (role: string) => schedule.flatMap((run, i) => (run.role === role ? [i] : []));
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

  it('runs every sweep job `repeat` times and every held-out job twice, the reference at the start, every 8 runs and the end', () => {
    expect(positions('sweep')).toHaveLength(sweepJobs().length * 2);
    expect(positions('held-out')).toHaveLength(HELD_OUT_JOBS.length * 2);
    const reference = positions('reference');
    expect(reference[0]).toBe(0);
    expect(reference[reference.length - 1]).toBe(schedule.length - 1);
    for (let i = 1; i < reference.length - 1; i++) expect(reference[i]! - reference[i - 1]!).toBe(9);
  });

  it('spreads the held-out runs through the sweep, not after it, so drift hits both alike', () => {
    const heldOut = positions('held-out');
    const sweep = positions('sweep');
    // The first held-out run comes within the first fifth of the schedule, the last within the last fifth.
    expect(heldOut[0]!).toBeLessThan(schedule.length / 5);
    expect(heldOut[heldOut.length - 1]!).toBeGreaterThan((schedule.length * 4) / 5);
    // On average at the same time: a linear drift then shifts fit and held-out by the same amount.
    expect(Math.abs(mean(heldOut) - mean(sweep))).toBeLessThan(schedule.length * 0.05);
  });

  it('runs each round in the other order from the last', () => {
    const rounds = schedule.filter((run) => run.role === 'sweep').map((run) => run.job.name);
    const n = sweepJobs().length;
    expect(rounds.slice(n)).toEqual(rounds.slice(0, n).reverse());
  });
});

describe("the host's repeatability, measured during the calibration", () => {
  it('measures a drifting machine through the reference job and says its spread is larger than the goal', async () => {
    const runs = await runCalibration({ ...options, runJob: driftingHost(0.004) });
    const r = hostRepeatability(runs);
    expect(r.reference_runs).toBe(Math.ceil((runs.total - 1) / 9) + 1);
    // Service time grows by 0.4% a run over ~100 runs: the reference job slows by about 30% from start to end.
    const first = runs.reference.runs[0]!.points[0]!.iops;
    const last = runs.reference.runs[runs.reference.runs.length - 1]!.points[0]!.iops;
    expect(last / first).toBeLessThan(0.8);
    expect(r.reference_drift_pct).toBeLessThan(-20);
    expect(r.reference_iops_spread_pct).toBeCloseTo(spreadPct(runs.reference.runs.map((x) => x.points[0]!.iops)), 9);
    // The held-out pairs run a round apart: their spread shows the drift too.
    expect(r.held_out_iops_spread_pct).toBeGreaterThan(5);
    const lines = repeatabilityLines(r, REFERENCE_JOB.name).join('\n');
    expect(lines).toMatch(/randread-4k-qd8 run \d+ times across the calibration: IOPS spread \d+\.\d%/);
    expect(lines).toMatch(/warning: this host's own spread is larger than the goal \(IOPS \d+\.\d% > 10%/);
  });

  it('reports a steady machine as steady, with no warning', async () => {
    const runs = await runCalibration({ ...options, runJob: driftingHost(0) });
    const r = hostRepeatability(runs);
    expect(r.reference_iops_spread_pct).toBeLessThan(1);
    expect(r.held_out_iops_spread_pct).toBeLessThan(1);
    expect(repeatabilityLines(r, REFERENCE_JOB.name).join('\n')).not.toMatch(/warning/);
    // The fit takes the median of each sweep job's runs; the held-out jobs keep both of theirs.
    expect(runs.points.filter((p) => p.job.rw !== 'randrw')).toHaveLength(sweepJobs().filter((j) => j.rw !== 'randrw').length);
    expect(runs.heldOut.every((h) => h.runs.length === 2)).toBe(true);
  });
});
