/**
 * Results are a union on the target: a host run carries no seed, simulated time or kernel events (fio
 * measured it), a model run does; and every job, whoever measured it, is the one read-only `MeasuredJob`
 * that the same writers (text, fio JSON, Arrow) take. The host side is a real fio 3.33 fixture.
 */
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseProfile } from '../../bench/profiles.js';
import { arrowTables } from '../../bench/results/arrow-tables.js';
import { fioJson } from '../../bench/results/fio-json.js';
import type { HostRunMeasurement, MeasuredJob, RunMeasurement, SimRunMeasurement } from '../../bench/results/measurement.js';
import { writeStdout, type RunOutput } from '../../bench/results/run-output.js';
import { runOnModel } from '../../bench/targets/sim.js';
import { DirectionRecorder, JobRecorder } from '../../sim/measure/job-recorder.js';
import { loadFixture } from './host/fixtures.js';
import { workload } from './spec-factory.js';

const MODEL_ONLY = ['seed', 'simulated_ns', 'events', 'devices'] as const;

function modelRun(): SimRunMeasurement {
  const profile = parseProfile('kind: queue\nservers: 1\nservice: { dist: deterministic, mean: 20us }\ncapacity: 1G\n', 'queue.yaml');
  return runOnModel({ jobs: [workload({ runtime_ns: 2e6 })], profile, seed: 3, interval_ns: 1e6 });
}

describe('run measurements', () => {
  it('type only the model run with seed, simulated time, events and devices', () => {
    expectTypeOf<SimRunMeasurement>().toHaveProperty('seed');
    expectTypeOf<SimRunMeasurement>().toHaveProperty('simulated_ns');
    expectTypeOf<SimRunMeasurement>().toHaveProperty('events');
    expectTypeOf<HostRunMeasurement>().not.toHaveProperty('seed');
    expectTypeOf<HostRunMeasurement>().not.toHaveProperty('simulated_ns');
    expectTypeOf<HostRunMeasurement>().not.toHaveProperty('events');
    expectTypeOf<RunMeasurement['jobs'][number]['measured']>().toEqualTypeOf<MeasuredJob>();
    // Narrowing on the target is what reaches the model's fields.
    const run: RunMeasurement = loadFixture('randrw-jsonplus').run;
    // @ts-expect-error a run of either target has no seed until it is known to be the model's
    void run.seed;
    if (run.target === 'sim') expectTypeOf(run.seed).toBeNumber();
  });

  it("give a host run none of the model's fields, and the model's run all of them", () => {
    const host = loadFixture('randrw-jsonplus').run;
    expect(host.target).toBe('host');
    for (const key of MODEL_ONLY) expect(Object.keys(host)).not.toContain(key);
    const sim = modelRun();
    for (const key of MODEL_ONLY) expect(Object.keys(sim)).toContain(key);
    expect(sim.seed).toBe(3);
    expect(sim.simulated_ns).toBe(2e6);
  });

  it("build a host job from fio's figures, not as a model recorder", () => {
    const job = loadFixture('randrw-jsonplus').run.jobs[0]!.measured;
    expect(job).not.toBeInstanceOf(JobRecorder);
    expect(job.read).not.toBeInstanceOf(DirectionRecorder);
    expect(job.read.total_ios).toBeGreaterThan(0);
  });

  it('go through the same writers, text, fio JSON and Arrow, whatever the target', () => {
    const runs: RunMeasurement[] = [modelRun(), loadFixture('randrw-jsonplus').run];
    let text = '';
    const output: RunOutput = { measurements: runs, document: () => ({}), summary: () => ({}), tables: async () => [] };
    writeStdout({ write: (t: string) => (text += t) }, 'normal', output, 'test');
    expect(text).toMatch(/target sim, profile queue .*seed 3\n(.|\n)*Model stats \(simulated\): time=2msec, events=\d+\n/);
    expect(text).toMatch(/target host, profile host \(fixture\)/);
    expect(text.match(/simulated/g)).toHaveLength(1);
    for (const run of runs) {
      const job = run.jobs[0]!;
      const doc = fioJson(run, { format: 'json+', version: 'test', timestamp_s: 0 }) as { jobs: { read: { total_ios: number } }[] };
      expect(doc.jobs[0]!.read.total_ios).toBe(job.measured.read.total_ios);
      const jobs = tableFromIPC(arrowTables(run, { version: 'test', jobfile: 'x' }).get('jobs.arrow')!);
      expect(jobs.schema.metadata.get('target')).toBe(run.target);
      const read = [...jobs].find((r) => r.direction === 'read')!;
      expect([Number(read.total_ios), Number(read.runtime_ns)]).toEqual([job.measured.read.total_ios, job.measured.window_ns]);
    }
  });
});
