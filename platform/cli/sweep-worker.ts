/**
 * The local sweep pool's worker as `anvil sweep` starts it: bench/sweep's point runner with the cluster
 * model handed in, so a scenario sweep's points run in the workers like a job file's (bench/sweep may not
 * import platform/cluster; the CLI may).
 */
import { pointTaskRunner } from '../../bench/sweep/worker.js';
import { runScenarioPoint } from './sweep-scenario-runner.js';

export default pointTaskRunner(runScenarioPoint);
