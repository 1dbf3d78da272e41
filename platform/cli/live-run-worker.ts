/**
 * The worker thread of a run `anvil serve` starts (POST /runs; platform/api/live-runs.ts): runs one cluster
 * scenario on the model as `anvil run SCENARIO --out DIR` does, posting its progress and each interval's
 * per-pod figures between slices of simulated time, then judges the scenario's SLAs into the folder's
 * verdicts.json as `anvil check --out` does. A model run is a synchronous loop: on a thread of its own it
 * leaves the server free. The messages are live-run-protocol.ts's.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { LiveRunMessage, LiveRunTask } from '../api/live-run-protocol.js';
import { verdictOf, type RunInterval } from '../api/run-folders.js';
import { isAnvilError } from '../errors.js';
import type { IntervalRow } from '../../sim/measure/measured-job.js';
import type { Labels } from '../../sim/model/model.js';

const post = (message: LiveRunMessage) => parentPort!.postMessage(message);
/** A writer that keeps nothing: the run's text report is not wanted, its folder is. */
const discard = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;

/** One interval row of one pod and direction as GET /runs/ID/intervals gives it (run-folders.ts runIntervals). */
function rowOf(r: IntervalRow, pod: string, direction: string): RunInterval {
  return {
    time_s: r.time_ns / 1e9,
    pod,
    direction,
    iops: r.interval_ns > 0 ? (r.ios * 1e9) / r.interval_ns : 0,
    clat_p50_us: r.clat_p50_ns / 1e3,
    clat_p99_us: r.clat_p99_ns / 1e3,
  };
}

/** A unit's recorded directions, as the intervals table lists them: read and write. */
interface UnitView {
  readonly name: string;
  readonly labels: Labels;
  readonly read: { readonly intervals: readonly IntervalRow[] };
  readonly write: { readonly intervals: readonly IntervalRow[] };
}

/** Posts the rows closed since the last call, per unit and direction (`sent` counts what went before). */
function postNewRows(units: readonly UnitView[], sent: number[]): void {
  const rows: RunInterval[] = [];
  units.forEach((u, i) => {
    const pod = u.labels.pod || u.name;
    for (const [k, direction] of [
      [0, 'read'],
      [1, 'write'],
    ] as const) {
      const list = k === 0 ? u.read.intervals : u.write.intervals;
      const at = sent[2 * i + k] ?? 0;
      for (let j = at; j < list.length; j++) rows.push(rowOf(list[j]!, pod, direction));
      sent[2 * i + k] = list.length;
    }
  });
  if (rows.length > 0) post({ type: 'sample', rows });
}

async function run(task: LiveRunTask): Promise<void> {
  const { loadClusterScenario } = await import('../../bench/scenario/load.js');
  const { chooseStacks } = await import('../cluster/compare.js');
  const s = loadClusterScenario(task.file);
  const { AnvilError } = await import('../errors.js');
  if (s.duration_ns > task.maxSimulated_ns)
    throw new AnvilError(
      'ANVIL_ERR_RUN_TOO_LONG',
      `${s.spec.name}: the scenario simulates ${s.duration_ns / 1e9} s, above the ${task.maxSimulated_ns / 1e9} s this server runs (anvil serve --max-run-simulated); run it with anvil run on the command line`,
    );
  // One stack: a live run's pods are one stack's (a scenario naming both runs on its first).
  const stack = chooseStacks(s, task.stack)[0]!;
  const seed = task.seed ?? s.seed;
  post({ type: 'started', scenario: s.spec.name, stack, seed, duration_ns: s.duration_ns });
  const sent: number[] = [];
  let ios = 0;
  const { runScenarioFile } = await import('../cluster/run-scenario.js');
  const result = await runScenarioFile(
    task.file,
    {
      target: 'sim',
      stack,
      seed,
      outputFormat: 'normal',
      out: task.out,
      maxIos: task.maxIos,
      onSlice: (progress, units) => {
        ios = progress.ios;
        post({ type: 'progress', now_ns: progress.now_ns, end_ns: progress.end_ns, ios });
        postNewRows(
          units.map((u) => ({ name: u.specs[0]!.name, labels: u.labels, read: u.recorder.read, write: u.recorder.write })),
          sent,
        );
      },
    },
    { stdout: discard, stderr: discard },
    s,
  );
  // The last (partial) interval closes as the run ends, after the last slice.
  postNewRows(
    result.run.jobs.map((j) => ({ name: j.name, labels: j.labels ?? {}, read: j.measured.read, write: j.measured.write })),
    sent,
  );
  post({ type: 'progress', now_ns: result.run.simulated_ns, end_ns: s.duration_ns, ios });
  if (s.slas.length > 0) {
    const { judgedSlas } = await import('../../bench/check/sla-scopes.js');
    const { readResultsEvidence } = await import('../../bench/check/results-evidence.js');
    const { evaluateSlas } = await import('../../bench/check/evaluate.js');
    const { verdictsDocument } = await import('../../bench/check/verdict-report.js');
    const { anvilVersion } = await import('../../bench/package-root.js');
    const { scenarioMembers } = await import('./scenario-members.js');
    const verdicts = evaluateSlas(judgedSlas(s, await scenarioMembers(s)), await readResultsEvidence(task.out));
    const doc = verdictsDocument([{ scenario: s.spec.name, file: s.file, stack, seed, target: 'sim', verdicts }], anvilVersion());
    writeFileSync(join(task.out, 'verdicts.json'), JSON.stringify(doc, null, 2) + '\n');
  }
  const verdict = verdictOf(task.out);
  post({ type: 'done', ...(verdict !== undefined ? { verdict } : {}) });
}

run(workerData as LiveRunTask).catch((e: unknown) => {
  post(
    isAnvilError(e)
      ? { type: 'failed', code: e.code, message: e.message, ...(e.details.length > 0 ? { details: e.details } : {}) }
      : {
          type: 'failed',
          code: 'ANVIL_ERR_INTERNAL',
          message: `the run stopped: ${(e as Error).message}; this is a bug, please report it`,
        },
  );
});
