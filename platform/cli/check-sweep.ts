/**
 * `anvil check SWEEP.yaml`: a sweep whose base is a cluster scenario is checked point by point, each point's
 * scenario (the base with the point's fields and seed set, as `anvil sweep` runs it) judged by its SLAs like
 * any scenario given to anvil check; the point's axes go into the names of its runs and verdicts (so into the
 * verdict table, JUnit case names and the failure lines), so a QoS suite over parameters runs as one check.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunVerdicts } from '../../bench/check/verdict-report.js';
import { anvilVersion } from '../../bench/package-root.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import { isSweepFile } from '../../bench/sweep/flag-sweep.js';
import { loadSweep } from '../../bench/sweep/plan.js';
import { pointInputs } from '../../bench/sweep/point-inputs.js';
import { AnvilError } from '../errors.js';

export interface SweepCheckArgs {
  /** The arguments with every sweep file replaced by its points' scenario files. */
  readonly args: readonly string[];
  /** Runs and verdicts of sweep points named with their axes. */
  label(runs: readonly RunVerdicts[]): RunVerdicts[];
  /** Removes the points' scenario files when they went to a temporary folder. */
  cleanup(): void;
}

function isSweepArg(arg: string): boolean {
  try {
    return statSync(arg).isFile() && isSweepFile(arg);
  } catch {
    return false; // anvil check's own reader says why it cannot be read
  }
}

/**
 * Each sweep file of `args` as its points' scenario files, written as SWEEP.POINT.yaml into OUT/sweep-points
 * (with --out, kept beside the results) or a temporary folder.
 */
export function expandSweepArgs(args: readonly string[], out: string | undefined): SweepCheckArgs {
  if (!args.some(isSweepArg)) return { args, label: (runs) => [...runs], cleanup: () => {} };
  const dir = out !== undefined ? join(out, 'sweep-points') : mkdtempSync(join(tmpdir(), 'anvil-check-sweep-'));
  ensureOutputDir(dir);
  const labels = new Map<string, string>();
  const expanded: string[] = [];
  const version = anvilVersion();
  for (const arg of args) {
    if (!isSweepArg(arg)) {
      expanded.push(arg);
      continue;
    }
    const plan = loadSweep(arg);
    if (!plan.scenario)
      throw new AnvilError(
        'ANVIL_ERR_CHECK_INPUT',
        `${arg} sweeps a job file; anvil check judges the SLAs of cluster scenarios: give a sweep whose base is a cluster scenario (kind: ClusterScenario)`,
      );
    for (const point of plan.points) {
      const inputs = pointInputs(plan, point, version);
      const file = join(dir, `${plan.name}.${point.id}.yaml`);
      writeFileSync(file, inputs.scenarioText!);
      labels.set(file, inputs.axes.map(([name, value]) => `${name}=${value}`).join(', '));
      expanded.push(file);
    }
  }
  return {
    args: expanded,
    label: (runs) =>
      runs.map((r) => {
        const axes = labels.get(r.file);
        if (axes === undefined || axes === '') return r;
        return { ...r, scenario: `${r.scenario} [${axes}]`, verdicts: r.verdicts.map((v) => ({ ...v, sla: `${v.sla} [${axes}]` })) };
      }),
    cleanup: () => {
      if (out === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
