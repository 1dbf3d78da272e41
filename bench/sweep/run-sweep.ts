/**
 * A sweep on this machine: every point run by a pool of worker threads (tinypool), `jobs` at a time, each
 * with the one point runner (run-point.ts), then the merged table written from the point folders. A point
 * is a complete run on its own, so the results are the same whatever `jobs` is; only the order in which
 * points finish differs. `anvil sweep run-shard` runs a shard's points with the same runner in-process.
 */
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import { ensureOutputDir } from '../results/output-dir.js';
import { sweepProgressBar, type SweepProgress } from '../results/progress-bar.js';
import { parquetOf } from '../results/parquet.js';
import { mergedTable, readSweepFolders, refuseAnotherSweep, SWEEP_PARQUET, SWEEP_TABLE, type SweepFolders } from './merge.js';
import type { SweepPlan } from './plan.js';
import { runPoint, type PointOutcome, type ScenarioRunner } from './run-point.js';
import { isS3Url, type S3Connection } from './s3-bucket.js';
import type { PointTask } from './worker.js';

/** Heap each worker may use, MiB: a point's model is far smaller; a runaway point fails alone instead of taking the machine. */
export const WORKER_HEAP_MB = 2048;

/** `--jobs` when none is given: the cores of this machine. */
export function defaultJobs(): number {
  return availableParallelism();
}

export interface SweepRunSummary {
  readonly ran: number;
  readonly skipped: number;
  readonly failed: readonly PointOutcome[];
  readonly wall_s: number;
}

/** Counts outcomes and draws the bar. */
function tally(total: number, stream: NodeJS.WriteStream | undefined) {
  const bar = stream ? sweepProgressBar(stream) : undefined;
  const started = performance.now();
  let ran = 0;
  let skipped = 0;
  const failed: PointOutcome[] = [];
  const wall = () => (performance.now() - started) / 1000;
  return {
    add(o: PointOutcome) {
      if (o.status === 'done') ran++;
      else if (o.status === 'skipped') skipped++;
      else {
        failed.push(o);
        // Said as it happens (over the bar on a terminal), so a long sweep's failures need not wait for its end.
        stream?.write(`${stream.isTTY ? '\r\x1b[K' : ''}point ${o.id} failed: ${o.error ?? 'no reason given'}\n`);
      }
      const executed = ran + failed.length;
      const finished = executed + skipped;
      const progress: SweepProgress = {
        finished,
        failed: failed.length,
        total,
        wall_s: wall(),
        eta_s: executed > 0 ? (wall() / executed) * (total - finished) : undefined,
      };
      bar?.update(progress);
    },
    summary(): SweepRunSummary {
      bar?.done();
      return { ran, skipped, failed: failed.sort((a, b) => a.index - b.index), wall_s: wall() };
    },
  };
}

/**
 * Runs `use` with a pool of `jobs` worker threads (tinypool) running the module `worker` (its default
 * export takes one task), each thread's heap bounded; the pool is gone when `use` settles. The local
 * sweep runs its points on it, `anvil check --jobs` its runs.
 */
export async function withWorkerPool<T>(
  worker: string,
  jobs: number,
  use: (run: (task: unknown) => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const { Tinypool } = await import('tinypool');
  const pool = new Tinypool({
    filename: worker,
    minThreads: jobs,
    maxThreads: jobs,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  try {
    return await use((task) => pool.run(task) as Promise<unknown>);
  } finally {
    await pool.destroy();
  }
}

/** Runs every point of `plan` (read from `file`) into `out` on `jobs` worker threads. */
export async function runSweepLocally(
  plan: SweepPlan,
  options: {
    readonly file: string;
    readonly out: string;
    readonly jobs: number;
    readonly stderr?: NodeJS.WriteStream;
    /**
     * The workers' module (a default export taking a PointTask), by URL: the CLI's (which runs scenario
     * points too), or bench/sweep's worker.js (job-file points only). Given by the caller: a default beside
     * this module would be wrong once this code is bundled into a chunk elsewhere.
     */
    readonly worker: string;
  },
): Promise<SweepRunSummary> {
  refuseAnotherSweep(plan, options.out);
  ensureOutputDir(options.out);
  const counts = tally(plan.points.length, options.stderr);
  await withWorkerPool(options.worker, options.jobs, (run) =>
    Promise.all(
      plan.points.map(async (p) => {
        const task: PointTask = { file: options.file, index: p.index, out: options.out };
        const outcome = await (run(task) as Promise<PointOutcome>).catch((e: unknown): PointOutcome => ({
          index: p.index,
          id: p.id,
          status: 'failed',
          error: `its worker stopped: ${(e as Error).message}`,
        }));
        counts.add(outcome);
      }),
    ),
  );
  return counts.summary();
}

/** The points of shard `index` of `shards`: every shards-th point from `index`. */
export function shardPoints(plan: SweepPlan, index: number, shards: number): number[] {
  if (!Number.isInteger(shards) || shards < 1 || !Number.isInteger(index) || index < 0 || index >= shards)
    throw new AnvilError('ANVIL_ERR_USAGE', `shard ${index} of ${shards} does not exist; give --shards N (at least 1) and --index 0..N-1`);
  return plan.points.filter((p) => p.index % shards === index).map((p) => p.index);
}

/**
 * Runs shard `index` of `shards` into `out` (a folder, or an S3-compatible bucket as s3://BUCKET/PREFIX),
 * one point after another, in this process.
 */
export async function runShard(
  plan: SweepPlan,
  options: {
    readonly index: number;
    readonly shards: number;
    readonly out: string;
    /** How an s3:// `out` is reached (default: the AWS environment alone). */
    readonly s3?: S3Connection;
    readonly stderr?: NodeJS.WriteStream;
    /** Runs a scenario sweep's points (the CLI's, with the cluster model). */
    readonly scenarioRunner?: ScenarioRunner;
  },
): Promise<SweepRunSummary> {
  const indices = shardPoints(plan, options.index, options.shards);
  const counts = tally(indices.length, options.stderr);
  if (isS3Url(options.out)) {
    const { runPointsToBucket } = await import('./s3-results.js');
    await runPointsToBucket(plan, indices, options.out, options.s3 ?? {}, (o) => counts.add(o), options.scenarioRunner);
    return counts.summary();
  }
  refuseAnotherSweep(plan, options.out);
  ensureOutputDir(options.out);
  for (const i of indices) counts.add(await runPoint(plan, i, options.out, options.scenarioRunner));
  return counts.summary();
}

/** Writes the merged table of the points in `dirs` to `out`, as Arrow and as Parquet; returns what the folders hold. */
export async function writeMergedTable(dirs: readonly string[], out: string): Promise<SweepFolders> {
  const folders = readSweepFolders(dirs);
  ensureOutputDir(out);
  const arrow = mergedTable(folders.points);
  const parquet = await parquetOf(arrow);
  for (const [name, bytes] of [
    [SWEEP_TABLE, arrow],
    [SWEEP_PARQUET, parquet],
  ] as const) {
    try {
      writeFileSync(join(out, name), bytes);
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write ${join(out, name)}: ${(e as Error).message}`);
    }
  }
  return folders;
}
