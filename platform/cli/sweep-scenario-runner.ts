/**
 * A scenario sweep's point run: the point's scenario text read as `anvil run` reads a scenario file and
 * run by platform/cluster's public run function, its results written as `anvil run scenario.yaml --out`
 * writes them, what it prints returned (the progress bar and notes are the sweep's to leave out).
 */
import type { ScenarioRunner } from '../../bench/sweep/run-point.js';

/** Collects text written to it. */
function textSink(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = { isTTY: false, write: (t: string | Uint8Array) => ((text += String(t)), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

export const runScenarioPoint: ScenarioRunner = async ({ text, file, out, maxIos }) => {
  const { parseClusterScenario } = await import('../../bench/scenario/load.js');
  const { runScenarioFile } = await import('../cluster/run-scenario.js');
  const stdout = textSink();
  const stderr = textSink();
  await runScenarioFile(
    file,
    { target: 'sim', outputFormat: 'normal', out, ...(maxIos !== undefined ? { maxIos } : {}) },
    { stdout: stdout.stream, stderr: stderr.stream },
    parseClusterScenario(text, file),
  );
  return stdout.text();
};
