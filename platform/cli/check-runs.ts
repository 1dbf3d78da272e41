/**
 * The runs of `anvil check`: each scenario, stack and seed run as `anvil run SCENARIO --out DIR` runs it,
 * one after another in this process, or with `--jobs N` on the worker pool `anvil sweep` uses (its
 * worker, sweep-worker.ts, takes these tasks too). A run is complete on its own and writes its own folder,
 * so the results, and the verdicts judged on them afterwards, are the same whatever N is; the runs' notes
 * are said in the runs' order and the first failed run (in that order) stops the check, as without --jobs.
 */
import type { StorageSchedulerKind } from '../../sim/qos/storage-qos.js';
import type { HostDeviceChoice, SriovPfChoice } from '../cluster/host-plan-of.js';
import { AnvilError, isAnvilError, type ErrorCode } from '../errors.js';
import { cliWorkerUrl } from './cli-modules.js';

/** One run of a check: scenario `file` on `stack` with `seed`, its results into `out`. */
export interface CheckRunTask {
  readonly kind: 'check-run';
  readonly file: string;
  readonly target: string;
  readonly stack: string;
  readonly seed: number;
  readonly out: string;
  readonly maxIos: number;
  readonly storageScheduler?: StorageSchedulerKind;
  /** Host target: volumes on the user's own block devices (`--host-device`), and those fio may write over (`--destroy-data-on`). */
  readonly hostDevices?: readonly HostDeviceChoice[];
  readonly destroyDataOn?: readonly string[];
  /** Host target: pods on SR-IOV VFs of these PFs (`--sriov-pf`). */
  readonly sriovPfs?: readonly SriovPfChoice[];
}

/** What a run said on stderr (each write), and its error as plain data (a worker cannot pass an AnvilError whole). */
export interface CheckRunResult {
  readonly stderr: readonly string[];
  readonly error?: { readonly code?: string; readonly message: string; readonly details?: readonly string[] };
}

export function isCheckRunTask(task: unknown): task is CheckRunTask {
  return typeof task === 'object' && task !== null && (task as { kind?: unknown }).kind === 'check-run';
}

/** A writer that keeps nothing: the runs' own text stays out of the check's output. */
const discard = { write: () => true } as unknown as NodeJS.WriteStream;

/** Runs `task`, its notes written to `stderr` as they come (default: collected into the result). */
export async function runCheckRun(task: CheckRunTask, stderr?: NodeJS.WriteStream): Promise<CheckRunResult> {
  const said: string[] = [];
  const sink =
    stderr ?? ({ isTTY: false, write: (t: string | Uint8Array) => (said.push(String(t)), true) } as unknown as NodeJS.WriteStream);
  // The model or this host (--target host), the same results folder either way.
  const { runScenarioOnTarget } = await import('../cluster/run-scenario-target.js');
  try {
    await runScenarioOnTarget(
      task.file,
      {
        target: task.target,
        stack: task.stack,
        seed: task.seed,
        outputFormat: 'normal',
        out: task.out,
        maxIos: task.maxIos,
        ...(task.storageScheduler !== undefined ? { storageScheduler: task.storageScheduler } : {}),
        ...(task.hostDevices !== undefined ? { hostDevices: task.hostDevices } : {}),
        ...(task.destroyDataOn !== undefined ? { destroyDataOn: task.destroyDataOn } : {}),
        ...(task.sriovPfs !== undefined ? { sriovPfs: task.sriovPfs } : {}),
      },
      { stdout: discard, stderr: sink },
    );
    return { stderr: said };
  } catch (e) {
    if (stderr) throw e;
    const error = isAnvilError(e) ? { code: e.code, message: e.message, details: e.details } : { message: (e as Error).message };
    return { stderr: said, error };
  }
}

/** The error a run's result carries, thrown as the run would have thrown it. */
function rethrow(error: NonNullable<CheckRunResult['error']>): never {
  if (error.code !== undefined) throw new AnvilError(error.code as ErrorCode, error.message, error.details);
  throw new Error(error.message);
}

/** Runs `tasks`: in this process when `jobs` is 1, else on `jobs` worker threads; notes go to `stderr` in the tasks' order. */
export async function runCheckRuns(tasks: readonly CheckRunTask[], jobs: number, stderr: NodeJS.WriteStream): Promise<void> {
  if (jobs <= 1 || tasks.length <= 1) {
    for (const task of tasks) await runCheckRun(task, stderr);
    return;
  }
  const { withWorkerPool } = await import('../../bench/sweep/run-sweep.js');
  const results = await withWorkerPool(cliWorkerUrl('sweep-worker.js').href, Math.min(jobs, tasks.length), (run) =>
    Promise.all(
      tasks.map((task) =>
        (run(task) as Promise<CheckRunResult>).catch((e: unknown): CheckRunResult => ({
          stderr: [],
          // A worker stops on its heap bound (WORKER_HEAP_MB) or a crash: the run was larger than a worker holds.
          error: {
            code: 'ANVIL_ERR_RUN_TOO_LARGE',
            message: `${task.file} on ${task.stack}, seed ${task.seed}: its worker stopped (${(e as Error).message}); lower --max-ios, or run it without --jobs`,
          },
        })),
      ),
    ),
  );
  for (const result of results) {
    for (const text of result.stderr) stderr.write(text);
    if (result.error) rethrow(result.error);
  }
}
