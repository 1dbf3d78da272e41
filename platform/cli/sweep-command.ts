/**
 * `anvil sweep SWEEP.yaml` and its shard commands: the verbs only; the engine is bench/sweep. A local
 * sweep runs its points on a pool of worker threads and writes the merged table; `run-shard` runs one
 * shard's points (the Kubernetes Indexed Job's pods run it) and `merge` gathers shards' folders.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { flagSweepText, isSweepFile } from '../../bench/sweep/flag-sweep.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import { AnvilError } from '../errors.js';
import { dnsLabel, loadSweep } from '../../bench/sweep/plan.js';
import { defaultJobs, runShard, runSweepLocally, writeMergedTable, type SweepRunSummary } from '../../bench/sweep/run-sweep.js';
import { refuseAnotherSweep, SWEEP_TABLE, type SweepFolders } from '../../bench/sweep/merge.js';
import { isS3Url, parseS3Url, type S3Connection } from '../../bench/sweep/s3-bucket.js';
import { readWholeNumber, wholeNumber } from './arguments.js';
import { cliIo } from './cli-io.js';
import { cliWorkerUrl } from './cli-modules.js';

const parseJobs = wholeNumber(1, 1024, '--jobs 4');
const parseShards = wholeNumber(1, 100_000, '--shards 8');
const parseIndex = wholeNumber(0, 99_999, '--index 0');

const collect = (value: string, previous: string[]) => [...previous, value];

function parseSeedList(value: string): number[] {
  const seeds = value.split(',').map((v) => readWholeNumber(v.trim(), 0, 2 ** 32 - 1));
  if (seeds.some((s) => s === undefined))
    throw new InvalidArgumentError('seeds: whole numbers 0..4294967295, comma-separated, e.g. --seeds 1,2,3');
  return seeds as number[];
}

/**
 * The sweep file to run: `given` itself, or, for a job file with --axis flags, a sweep file written from
 * the flags into the results folder (the record of what ran).
 */
function sweepFileOf(given: string, opts: SweepFlags): string {
  const quick = opts.axis.length > 0 || opts.seeds !== undefined || opts.profile !== undefined || opts.zip === true;
  if (isSweepFile(given)) {
    if (quick)
      throw new AnvilError(
        'ANVIL_ERR_USAGE',
        `${given} is a sweep file: its axes, seeds and profile are in it; --axis, --seeds, --profile and --zip are for a job file`,
      );
    return given;
  }
  if (opts.axis.length === 0)
    throw new AnvilError(
      'ANVIL_ERR_USAGE',
      `${given} is not a sweep file (kind: Sweep); to sweep a job file, give its axes, e.g. --axis iodepth=1,4,16`,
    );
  const text = flagSweepText(given, {
    axes: opts.axis,
    ...(opts.seeds !== undefined ? { seeds: opts.seeds } : {}),
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
    ...(opts.zip === true ? { zip: true } : {}),
  });
  const out = opts.out ?? defaultOut(dnsLabel(basename(given).replace(/\.[^.]*$/, '')));
  ensureOutputDir(out);
  // Checked before sweep.yaml is written: a folder holding another sweep keeps that sweep's file too.
  const draft = join(out, '.sweep-draft.yaml');
  writeFileSync(draft, text);
  try {
    refuseAnotherSweep(loadSweep(draft), out);
  } catch (e) {
    rmSync(draft, { force: true });
    throw e;
  }
  const file = join(out, 'sweep.yaml');
  renameSync(draft, file);
  return file;
}

/** Where a sweep's results go unless --out says. */
function defaultOut(name: string): string {
  return `sweeps/${name}`;
}

function report(what: string, summary: SweepRunSummary, out: string): void {
  const { stdout } = cliIo();
  stdout.write(
    `${what}: ${summary.ran} point${summary.ran === 1 ? '' : 's'} run, ${summary.skipped} unchanged (not run again), ${summary.failed.length} failed, in ${summary.wall_s.toFixed(1)} s; results in ${out}\n`,
  );
}

/** summary.html beside sweep.arrow (reports/sweep): the charts of IOPS and p99 against each axis. */
async function writePage(out: string): Promise<void> {
  const { writeSummaryPage } = await import('../../reports/sweep/summary-page.js');
  try {
    writeSummaryPage(out, join(out, SWEEP_TABLE));
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write the summary page in ${out}: ${(e as Error).message}`);
  }
}

/** A sweep with failed points exits 1 (ANVIL_ERR_SWEEP_POINTS_FAILED), each failure listed. */
function failIfAny(summary: SweepRunSummary, folders?: SweepFolders): void {
  const failed = summary.failed.map((f) => `${f.id}: ${f.error ?? 'no reason given'}`);
  const missing = folders?.missing.map((i) => `point ${i}: missing (its shard has not run, or was stopped)`) ?? [];
  if (failed.length + missing.length === 0) return;
  const failedText = failed.length === 0 ? 'no point failed' : `${failed.length} point${failed.length === 1 ? '' : 's'} failed`;
  const missingText = missing.length === 0 ? '' : `; ${missing.length} ${missing.length === 1 ? 'is' : 'are'} missing`;
  throw new AnvilError(
    'ANVIL_ERR_SWEEP_POINTS_FAILED',
    `${failedText}${missingText}; the others ran. Fix the cause (or run the missing shards) and run again: finished points are not run again`,
    [...failed, ...missing],
  );
}

/** JOB_COMPLETION_INDEX, the index Kubernetes gives each pod of an Indexed Job. */
function indexFromEnvironment(): number {
  const value = process.env.JOB_COMPLETION_INDEX;
  const index = value === undefined ? undefined : readWholeNumber(value, 0, 99_999);
  if (index === undefined)
    throw new AnvilError(
      'ANVIL_ERR_USAGE',
      `run-shard needs --index I, or JOB_COMPLETION_INDEX set (as in a Kubernetes Indexed Job)${value !== undefined ? `; JOB_COMPLETION_INDEX is ${JSON.stringify(value)}, not a whole number` : ''}`,
    );
  return index;
}

interface SweepFlags {
  out?: string;
  axis: string[];
  seeds?: number[];
  profile?: string;
  zip?: boolean;
  jobs?: number;
  emit?: string;
  shards?: number;
  parallelism?: number;
  image?: string;
  resultsClaim: string;
  resultsBucket?: string;
  s3Secret: string;
  s3Endpoint?: string;
}

/** ANVIL_ERR_USAGE when --out names a bucket where a folder is needed. */
function refuseBucket(out: string, why: string): void {
  if (isS3Url(out)) throw new AnvilError('ANVIL_ERR_USAGE', `--out ${out}: ${why}`);
}

/** How an s3:// `where` is reached; --s3-endpoint given with a folder is a usage error. */
function s3Connection(where: string, endpoint: string | undefined): S3Connection {
  if (endpoint !== undefined && !isS3Url(where))
    throw new AnvilError('ANVIL_ERR_USAGE', `--s3-endpoint is for results in a bucket (s3://BUCKET/PREFIX); ${where} is a folder`);
  return endpoint !== undefined ? { endpoint } : {};
}

/** Runs `use` on `dirs` with every s3:// URL among them downloaded into a temporary folder (removed after). */
async function withDownloadedResults<T>(
  dirs: readonly string[],
  endpoint: string | undefined,
  use: (local: string[]) => Promise<T>,
): Promise<T> {
  if (endpoint !== undefined && !dirs.some(isS3Url))
    throw new AnvilError('ANVIL_ERR_USAGE', '--s3-endpoint is for results in a bucket (s3://BUCKET/PREFIX); every folder given is local');
  if (!dirs.some(isS3Url)) return use([...dirs]);
  const { downloadSweepResults } = await import('../../bench/sweep/s3-results.js');
  const temporary = mkdtempSync(join(tmpdir(), 'anvil-merge-'));
  try {
    const local: string[] = [];
    for (const [i, where] of dirs.entries()) {
      if (!isS3Url(where)) {
        local.push(where);
        continue;
      }
      const dir = join(temporary, `${i}`);
      await downloadSweepResults(where, endpoint !== undefined ? { endpoint } : {}, dir);
      local.push(dir);
    }
    return await use(local);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

/** Adds `anvil sweep` (and `run-shard`, `merge`) to the CLI. */
export function registerSweepCommands(cli: Command): void {
  const sweep = cli
    .command('sweep')
    .description(
      'run a sweep (kind: Sweep): a job file or cluster scenario over axes of options, profile parameters or scenario fields and seeds, on every core',
    )
    // Optional so that `anvil sweep` alone prints this help, as every command group does.
    .argument('[sweep]', 'sweep file (YAML, kind: Sweep)')
    .usage('[options] [command]\n       anvil sweep [options] <sweep>')
    .option('--out <dir>', 'results folder (default: sweeps/NAME)')
    .option(
      '--axis <name=values>',
      'a quick sweep of a job file: iodepth=1,4,16, iodepth=1..256*2, bs=4k,8k, profile.PARAM=...',
      collect,
      [],
    )
    .option('--seeds <list>', 'a quick sweep of a job file: seeds, e.g. 1,2,3 (default 1)', parseSeedList)
    .option('--profile <name|path>', 'a quick sweep of a job file: the device profile (default intel-p4510-4tb)')
    .option('--zip', "a quick sweep of a job file: the axes' i-th values together, not every combination")
    .option('--jobs <n>', `points run at a time, one worker thread each (default: the cores, ${defaultJobs()} here)`, parseJobs)
    .enablePositionalOptions()
    .addOption(new Option('--emit <what>', 'write a manifest instead of running: k8s-job (a batch/v1 Indexed Job)').choices(['k8s-job']))
    .option('--shards <n>', "with --emit k8s-job: the Job's completions (default 4)", parseShards)
    .option('--parallelism <n>', 'with --emit k8s-job: pods at a time (default: all shards)', parseShards)
    .option('--image <ref>', 'with --emit k8s-job: the workbench image (see Containerfile; default ghcr.io/anvil/anvil:VERSION)')
    .option('--results-claim <name>', 'with --emit k8s-job: the PersistentVolumeClaim the shards write to', 'anvil-sweep-results')
    .option('--results-bucket <s3-url>', 'with --emit k8s-job: the shards write to this bucket, s3://BUCKET/PREFIX, instead of a claim')
    .option(
      '--s3-secret <name>',
      'with --results-bucket: the Secret holding AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_REGION)',
      'anvil-sweep-s3',
    )
    .option('--s3-endpoint <url>', 'with --results-bucket: an S3-compatible store, addressed path-style (default: the AWS environment)')
    .action(async (given: string | undefined, opts: SweepFlags, command: Command) => {
      if (given === undefined) return command.help({ error: true });
      const file = sweepFileOf(given, opts);
      const plan = loadSweep(file);
      if (opts.emit !== 'k8s-job' && (opts.resultsBucket !== undefined || opts.s3Endpoint !== undefined))
        throw new AnvilError('ANVIL_ERR_USAGE', '--results-bucket and --s3-endpoint go with --emit k8s-job; a local sweep writes to --out');
      if (opts.resultsBucket !== undefined) parseS3Url(opts.resultsBucket);
      if (opts.emit === 'k8s-job') {
        const { emitK8sJob } = await import('./sweep-emit.js');
        emitK8sJob(file, plan, {
          resultsClaim: opts.resultsClaim,
          ...(opts.resultsBucket !== undefined
            ? {
                resultsBucket: {
                  url: opts.resultsBucket,
                  secret: opts.s3Secret,
                  ...(opts.s3Endpoint !== undefined ? { endpoint: opts.s3Endpoint } : {}),
                },
              }
            : {}),
          ...(opts.shards !== undefined ? { shards: opts.shards } : {}),
          ...(opts.parallelism !== undefined ? { parallelism: opts.parallelism } : {}),
          ...(opts.image !== undefined ? { image: opts.image } : {}),
        });
        return;
      }
      const out = opts.out ?? defaultOut(plan.name);
      refuseBucket(out, 'a local sweep writes its points to a folder; shards write to a bucket: anvil sweep run-shard --results s3://...');
      const summary = await runSweepLocally(plan, {
        file,
        out,
        jobs: opts.jobs ?? defaultJobs(),
        stderr: cliIo().stderr,
        // The CLI's worker: it runs scenario points too (bench/sweep's cannot reach the cluster model).
        worker: cliWorkerUrl('sweep-worker.js').href,
      });
      await writeMergedTable([out], out);
      await writePage(out);
      report(`sweep ${plan.name}`, summary, out);
      failIfAny(summary);
    });

  sweep
    .command('run-shard')
    .description("run one shard's points of a sweep (every N-th point from I), as a Kubernetes Indexed Job's pod does")
    .argument('<sweep>', 'sweep file (YAML, kind: Sweep)')
    .option('--index <i>', 'this shard, 0..N-1 (default: JOB_COMPLETION_INDEX)', parseIndex)
    .requiredOption('--shards <n>', 'how many shards the sweep is split into', parseShards)
    .option('--out <dir>', 'results folder (default: sweeps/NAME)')
    .option('--results <dir|s3-url>', 'where the results go: a folder (as --out) or an S3-compatible bucket, s3://BUCKET/PREFIX')
    .option('--s3-endpoint <url>', 'with an s3:// URL: an S3-compatible store, addressed path-style (default: the AWS environment)')
    .action(async (file: string, opts: { index?: number; shards: number; out?: string; results?: string; s3Endpoint?: string }) => {
      const plan = loadSweep(file);
      const index = opts.index ?? indexFromEnvironment();
      if (opts.out !== undefined && opts.results !== undefined)
        throw new AnvilError('ANVIL_ERR_USAGE', 'give --out DIR or --results DIR|s3://BUCKET/PREFIX, not both');
      const out = opts.results ?? opts.out ?? defaultOut(plan.name);
      const s3 = s3Connection(out, opts.s3Endpoint);
      const { runScenarioPoint } = await import('./sweep-scenario-runner.js');
      const summary = await runShard(plan, {
        index,
        shards: opts.shards,
        out,
        s3,
        stderr: cliIo().stderr,
        scenarioRunner: runScenarioPoint,
      });
      report(`shard ${index} of ${opts.shards}`, summary, out);
      failIfAny(summary);
    });

  sweep
    .command('merge')
    .description('gather sweep or shard folders into one merged table (sweep.arrow), as a local sweep writes')
    .argument('<dirs...>', 'results folders of the sweep or its shards, or s3://BUCKET/PREFIX buckets they wrote to')
    .requiredOption('--out <dir>', 'where the merged table goes')
    .option('--s3-endpoint <url>', 'with an s3:// URL: an S3-compatible store, addressed path-style (default: the AWS environment)')
    .action(async (dirs: string[], opts: { out: string; s3Endpoint?: string }) => {
      refuseBucket(opts.out, 'the merged table and page go to a folder; the shards can be read from a bucket (s3:// among the folders)');
      const folders = await withDownloadedResults(dirs, opts.s3Endpoint, (local) => writeMergedTable(local, opts.out));
      await writePage(opts.out);
      cliIo().stdout.write(
        `merged ${folders.points.length} of ${folders.total} points into ${opts.out}/${SWEEP_TABLE}; ${folders.failed.length} failed, ${folders.missing.length} missing\n`,
      );
      failIfAny({ ran: 0, skipped: 0, failed: folders.failed.map((f) => ({ ...f, status: 'failed' as const })), wall_s: 0 }, folders);
    });
}
