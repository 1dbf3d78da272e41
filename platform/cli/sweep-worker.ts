/**
 * The local sweep pool's worker as `anvil sweep` starts it: bench/sweep's point runner with the cluster
 * model handed in, so a scenario sweep's points run in the workers like a job file's (bench/sweep may not
 * import platform/cluster; the CLI may).
 */
import { loadSweep, type SweepPlan } from '../../bench/sweep/plan.js';
import { runPoint, type PointOutcome } from '../../bench/sweep/run-point.js';
import type { PointTask } from '../../bench/sweep/worker.js';
import { runScenarioPoint } from './sweep-scenario-runner.js';

const plans = new Map<string, SweepPlan>();

export default async function runPointTask(task: PointTask): Promise<PointOutcome> {
  let plan = plans.get(task.file);
  if (!plan) {
    plan = loadSweep(task.file);
    plans.set(task.file, plan);
  }
  return runPoint(plan, task.index, task.out, runScenarioPoint);
}
