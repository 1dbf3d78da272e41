/**
 * A cluster scenario on the target `--target` names: the model (run-scenario.ts) or this Linux host
 * (run-scenario-host.ts), for the verbs that take either (`anvil run`, `anvil check`).
 */
import type { RunIo } from '../../bench/run.js';
import { loadClusterScenario } from '../../bench/scenario/load.js';
import { runScenarioFile, type ScenarioRunOptions } from './run-scenario.js';

/** Runs `file` on `options.target` and writes its results; a host run is realised and removed again. */
export async function runScenarioOnTarget(file: string, options: ScenarioRunOptions, io: RunIo): Promise<void> {
  if (options.target === 'host') {
    const { ensureOutputDir } = await import('../../bench/results/output-dir.js');
    if (options.out !== undefined) ensureOutputDir(options.out);
    const { runScenarioOnHost } = await import('./run-scenario-host.js');
    await runScenarioOnHost(loadClusterScenario(file), options, io);
    return;
  }
  await runScenarioFile(file, options, io);
}
