/**
 * The local sweep pool's worker as `anvil sweep` starts it: bench/sweep's point runner with the cluster
 * model handed in, so a scenario sweep's points run in the workers like a job file's (bench/sweep may not
 * import platform/cluster; the CLI may). `anvil check --jobs` runs its scenario runs on the same pool.
 */
import { pointTaskRunner, type PointTask } from '../../bench/sweep/worker.js';
import { isCheckRunTask, runCheckRun, type CheckRunTask } from './check-runs.js';
import { runScenarioPoint } from './sweep-scenario-runner.js';

const runSweepPoint = pointTaskRunner(runScenarioPoint);

/** A sweep's point, or (anvil check --jobs) one run of a check. */
export default function run(task: PointTask | CheckRunTask) {
  return isCheckRunTask(task) ? runCheckRun(task) : runSweepPoint(task);
}
