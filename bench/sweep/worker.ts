/**
 * A worker of the local pool (tinypool): runs one point per task with the one point runner, the one
 * `anvil sweep run-shard` uses. Each worker reads the sweep file once.
 */
import { loadSweep, type SweepPlan } from './plan.js';
import { runPoint, type PointOutcome } from './run-point.js';

/** One task: point `index` of the sweep in `file`, its results under `out`. */
export interface PointTask {
  readonly file: string;
  readonly index: number;
  readonly out: string;
}

const plans = new Map<string, SweepPlan>();

export default async function runPointTask(task: PointTask): Promise<PointOutcome> {
  let plan = plans.get(task.file);
  if (!plan) {
    plan = loadSweep(task.file);
    plans.set(task.file, plan);
  }
  return runPoint(plan, task.index, task.out);
}
