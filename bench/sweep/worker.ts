/**
 * A worker of the local pool (tinypool): runs one point per task with the one point runner, the one
 * `anvil sweep run-shard` uses. Each worker reads the sweep file once.
 */
import { loadSweep, type SweepPlan } from './plan.js';
import { runPoint, type PointOutcome, type ScenarioRunner } from './run-point.js';

/** One task: point `index` of the sweep in `file`, its results under `out`. */
export interface PointTask {
  readonly file: string;
  readonly index: number;
  readonly out: string;
}

/**
 * A pool worker's task function: each sweep file read once per worker, each task one point run by the one
 * point runner (`scenarios` runs a scenario sweep's points; only the CLI, which may import the cluster model, has it).
 */
export function pointTaskRunner(scenarios?: ScenarioRunner): (task: PointTask) => Promise<PointOutcome> {
  const plans = new Map<string, SweepPlan>();
  return async (task) => {
    let plan = plans.get(task.file);
    if (!plan) {
      plan = loadSweep(task.file);
      plans.set(task.file, plan);
    }
    return runPoint(plan, task.index, task.out, scenarios);
  };
}

export default pointTaskRunner();
