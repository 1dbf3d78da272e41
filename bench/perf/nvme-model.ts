/**
 * One timed run of a reference fio job on an NVMe profile, for the `model` bench section. Runs in a
 * worker of its own (see `isolated.ts`), so its figure does not depend on what ran before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { loadProfile, profileCapacity } from '../profiles.js';
import { runOnModel } from '../targets/sim.js';
import { loadWorkloads } from '../workloads/resolve.js';

/** What one run of a job on the model cost and did. */
export interface ModelRunSpeed {
  readonly job: string;
  /** Completed I/Os counted by the recorders (reads and writes, after ramp). */
  readonly ios: number;
  /** Simulated time at the end, ns. */
  readonly simulated_ns: number;
  readonly events: number;
  /** Wall time of the run alone (not loading the profile and job file), s. */
  readonly wall_s: number;
}

/**
 * Runs `bench/workloads/reference/<job>.fio` on `profile` with its runtime replaced by `runtime`
 * (a fio duration such as "1s"), and times it.
 */
export function timeReferenceJob(job: string, profileName: string, runtime: string, seed: number): ModelRunSpeed {
  const path = join(packageRoot(), 'bench', 'workloads', 'reference', `${job}.fio`);
  const text = readFileSync(path, 'utf8').replace(/^runtime=.*$/m, `runtime=${runtime}`);
  const profile = loadProfile(profileName);
  const { specs } = loadWorkloads(text, path, profileCapacity(profile), {});
  const start = process.hrtime.bigint();
  const run = runOnModel({ jobs: specs, profile, seed });
  const wall_s = Number(process.hrtime.bigint() - start) / 1e9;
  let ios = 0;
  for (const j of run.jobs) ios += j.measured.read.total_ios + j.measured.write.total_ios;
  return { job, ios, simulated_ns: run.simulated_ns, events: run.events, wall_s };
}
