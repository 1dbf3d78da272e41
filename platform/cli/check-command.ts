/**
 * `anvil check SCENARIO|DIR...`: runs each cluster scenario (a folder: every cluster scenario in it) through
 * the same code as `anvil run` on each stack and seed, writes each run's results, judges every SLA on
 * those results (bench/check, which never knows what ran them), prints the verdict table, and writes
 * verdicts.json and JUnit XML (with --baseline, compare.html too). Exit code 0 when every SLA held, 1 when
 * one failed (ANVIL_ERR_SLA_FAILED), 2 when the input could not be checked (any other error; main.ts maps it).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { anvilVersion } from '../../bench/package-root.js';
import { evaluateSlas } from '../../bench/check/evaluate.js';
import {
  checkBaselineDir,
  comparePaired,
  comparisonMessage,
  comparisonTable,
  pairWithBaseline,
  roundDir,
  type CheckedRuns,
  type PairedRuns,
  type StackComparison,
} from '../../bench/check/baseline-report.js';
import { appendHistory } from '../../bench/check/history.js';
import { junitCommit, junitXml } from '../../bench/check/junit.js';
import { readResultsEvidence, type ResultsEvidence } from '../../bench/check/results-evidence.js';
import { judgedSlas } from '../../bench/check/sla-scopes.js';
import { verdictsDocument, verdictTable, type RunVerdicts } from '../../bench/check/verdict-report.js';
import { verdictMessage } from '../../bench/check/junit.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import { runTimestamp } from '../../bench/results/run-output.js';
import { loadClusterScenario } from '../../bench/scenario/load.js';
import { STACKS } from '../../bench/scenario/schema.js';
import { DEFAULT_MAX_IOS } from '../../bench/targets/run-cost.js';
import type { StorageSchedulerKind } from '../../sim/qos/storage-qos.js';
import { AnvilError } from '../errors.js';
import { wholeNumber } from './arguments.js';
import { confirmInconclusive, DEFAULT_CONFIRM_ROUNDS, MAX_CONFIRM_ROUNDS } from './check-confirm.js';
import { runCheckRuns, type CheckRunTask } from './check-runs.js';
import { expandSweepArgs } from './check-sweep.js';
import { cliIo } from './cli-io.js';
import { writeCompareHtml, writeOutput } from './compare-command.js';
import { scenarioMembers } from './scenario-members.js';
import { isClusterScenarioFile, parseStack, storageSchedulerOption } from './run-command.js';
import { addHostRunOptions, hostRunChoicesOf, refuseHostRunOptionsOff } from './host-run-options.js';
import type { HostDeviceChoice } from '../cluster/host-plan-of.js';
import type { SriovPfChoice } from './sriov-options.js';

/** Most seeds one check runs per scenario and stack: far above what a CI job affords, far below a typo's 1e9. */
export const MAX_CHECK_SEEDS = 1000;

const parseSeeds = wholeNumber(1, MAX_CHECK_SEEDS, '--seeds 5');
const parseMaxIos = wholeNumber(1, Number.MAX_SAFE_INTEGER, '--max-ios 200000000');
const parseJobs = wholeNumber(1, 1024, '--jobs 4');
const parseConfirmRounds = wholeNumber(0, MAX_CONFIRM_ROUNDS, '--confirm-rounds 3');

export interface CheckOptions {
  readonly target: string;
  readonly stack?: string;
  readonly seeds: number;
  readonly junit?: string;
  readonly out?: string;
  readonly maxIos?: number;
  /** A folder an earlier check wrote with --out: each scenario, stack and seed compared with it. */
  readonly baseline?: string;
  /** An inconclusive comparison fails the check too. */
  readonly strict?: boolean;
  /** Judge the runs a folder an earlier check wrote with --out holds, instead of running. */
  readonly results?: string;
  /** Append each scenario and stack's figures to DIR/SCENARIO.STACK.csv (Apache Otava's CSV). */
  readonly history?: string;
  /** The scheduler behind hci's storage QoS (default mclock; fifo: a declared broken QoS). */
  readonly storageScheduler?: StorageSchedulerKind;
  /** Runs at a time on the sweep's worker pool (default 1: one after another in this process). */
  readonly jobs?: number;
  /** With --target host and --baseline: most confirmation rounds of inconclusive comparisons (default DEFAULT_CONFIRM_ROUNDS; 0 none). */
  readonly confirmRounds?: number;
  /** With --target host: volumes on the user's own block devices (`--host-device`), and those fio may write over. */
  readonly hostDevice?: readonly HostDeviceChoice[];
  readonly destroyDataOn?: readonly string[];
  /** With --target host: pods on SR-IOV VFs of these PFs (`--sriov-pf`). */
  readonly sriovPf?: readonly SriovPfChoice[];
}

/** The seeds of the runs `dir` (DIR/SCENARIO/STACK) holds as seed-N folders, in order. */
function storedSeeds(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^seed-(\d+)$/.exec(f)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The stacks and seeds a stored check holds of scenario `key`; an ANVIL_ERR_CHECK_RESULTS when none. */
function storedRuns(root: string, key: string, only: readonly string[] | undefined): { stack: string; seeds: number[] }[] {
  const folder = join(root, key);
  const found = STACKS.filter((stack) => (only ?? STACKS).includes(stack))
    .map((stack) => ({ stack: stack as string, seeds: storedSeeds(join(folder, stack)) }))
    .filter((x) => x.seeds.length > 0);
  if (found.length === 0)
    throw new AnvilError(
      'ANVIL_ERR_CHECK_RESULTS',
      `${folder}: no runs of scenario ${key}${only ? ` on ${only.join(', ')}` : ''} (${key}/STACK/seed-N folders); --results takes a folder an earlier anvil check --out DIR wrote`,
    );
  return found;
}

/** The cluster scenario files the arguments name: a file as given, a folder's *.yaml/*.yml cluster scenarios in name order. */
export function scenarioFiles(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    let isDir: boolean;
    try {
      isDir = statSync(arg).isDirectory();
    } catch (e) {
      throw new AnvilError(
        'ANVIL_ERR_FILE_NOT_FOUND',
        `cannot read ${arg}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give cluster scenario files or folders of them, e.g. bench/scenarios`,
      );
    }
    if (!isDir) {
      if (!isClusterScenarioFile(arg))
        throw new AnvilError(
          'ANVIL_ERR_CHECK_INPUT',
          `${arg} is not a cluster scenario (no kind: ClusterScenario line); anvil check judges the SLAs of cluster scenarios, e.g. bench/scenarios/noisy-neighbour.yaml`,
        );
      files.push(arg);
      continue;
    }
    const found = readdirSync(arg)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(arg, f))
      .filter((f) => statSync(f).isFile() && isClusterScenarioFile(f));
    if (found.length === 0)
      throw new AnvilError(
        'ANVIL_ERR_CHECK_INPUT',
        `${arg} holds no cluster scenario (*.yaml with kind: ClusterScenario); give a folder of them, e.g. bench/scenarios`,
      );
    files.push(...found);
  }
  return files;
}

/** `stderr` that says each note once: every seed's run of a scenario gives the same notes. */
function notesOnce(stderr: NodeJS.WriteStream): NodeJS.WriteStream {
  const said = new Set<string>();
  return new Proxy(stderr, {
    get(target, key, receiver) {
      if (key !== 'write') return Reflect.get(target, key, receiver) as unknown;
      return (text: string | Uint8Array, ...rest: unknown[]) => {
        const line = String(text);
        if (line.startsWith('note: ') && said.has(line)) return true;
        said.add(line);
        return (target.write as (...a: unknown[]) => boolean).call(target, text, ...rest);
      };
    },
  });
}

/** Runs the check; returns the runs' verdicts and, where a baseline is given, their comparison (the caller decides the exit code). */
export async function checkScenarios(
  args: readonly string[],
  options: CheckOptions,
): Promise<{ runs: RunVerdicts[]; compared?: StackComparison[]; paired?: PairedRuns[] }> {
  const io = cliIo();
  const runStderr = notesOnce(io.stderr);
  const files = scenarioFiles(args);
  // Every scenario is read before anything runs: a bad one stops the check at once.
  const scenarios = files.map((f) => loadClusterScenario(f));
  if (options.baseline !== undefined) checkBaselineDir(options.baseline);
  // Where verdicts go is checked before the runs, not found unwritable after them.
  if (options.out !== undefined) ensureOutputDir(options.out);
  if (options.junit !== undefined) ensureOutputDir(dirname(options.junit));
  if (options.history !== undefined) ensureOutputDir(options.history);
  if (options.results !== undefined) checkBaselineDir(options.results, '--results');
  if (options.results !== undefined && options.storageScheduler !== undefined)
    throw new AnvilError(
      'ANVIL_ERR_CHECK_INPUT',
      `--storage-scheduler ${options.storageScheduler} says how the runs run, and --results judges runs already made; give one or the other`,
    );
  const { chooseStacks } = await import('../cluster/compare.js');
  // Stored runs: the stacks and seeds the folder holds (--stack picks among them); else the scenario's stacks and --seeds.
  const plans = scenarios.map((s) => {
    const key = basename(s.file, extname(s.file));
    if (options.results !== undefined) return storedRuns(options.results, key, options.stack?.split(','));
    // A host realises the hci stack: a scenario naming both is checked on hci there (the run says so).
    const stacks =
      options.target === 'host' && options.stack === undefined && s.stacks.includes('hci')
        ? ['hci' as const]
        : chooseStacks(s, options.stack);
    return stacks.map((stack) => ({ stack, seeds: Array.from({ length: options.seeds }, (_, k) => s.seed + k) }));
  });
  const resultsRoot = options.results ?? options.out ?? mkdtempSync(join(tmpdir(), 'anvil-check-'));
  const temporary = options.results === undefined && options.out === undefined;
  const runs: RunVerdicts[] = [];
  const checked: CheckedRuns[] = [];
  const runDir = (file: string, stack: string, seed: number) => join(resultsRoot, basename(file, extname(file)), stack, `seed-${seed}`);
  const runTask = (file: string, stack: string, seed: number): CheckRunTask => ({
    kind: 'check-run',
    file,
    target: options.target,
    stack,
    seed,
    out: runDir(file, stack, seed),
    maxIos: options.maxIos ?? DEFAULT_MAX_IOS,
    ...(options.storageScheduler !== undefined ? { storageScheduler: options.storageScheduler } : {}),
    ...hostRunChoicesOf(options),
  });
  try {
    if (options.results === undefined) {
      // Every run first (on --jobs workers), then every verdict in order: the verdicts do not depend on N.
      const tasks = scenarios.flatMap((s, i) => plans[i]!.flatMap(({ stack, seeds }) => seeds.map((seed) => runTask(s.file, stack, seed))));
      await runCheckRuns(tasks, options.jobs ?? 1, runStderr);
    }
    for (const [i, s] of scenarios.entries()) {
      if (s.slas.length === 0) io.stderr.write(`note: ${s.file} has no slas; nothing of it to judge\n`);
      const slas = judgedSlas(s, await scenarioMembers(s));
      for (const { stack, seeds } of plans[i]!) {
        const bySeed = new Map<number, ResultsEvidence>();
        checked.push({ key: basename(s.file, extname(s.file)), scenario: s.spec.name, stack, slas, warmup_ns: s.warmup_ns, bySeed });
        for (const seed of seeds) {
          const dir = runDir(s.file, stack, seed);
          const evidence = await readResultsEvidence(dir);
          bySeed.set(seed, evidence);
          const verdicts = evaluateSlas(slas, evidence);
          runs.push({ scenario: s.spec.name, file: s.file, stack, seed, target: evidence.target, verdicts });
          const failed = verdicts.filter((v) => v.status === 'fail').length;
          io.stderr.write(`checked ${s.file} on ${stack}, seed ${seed}: ${verdicts.length} checks, ${failed} failed\n`);
        }
      }
    }
    if (options.baseline !== undefined) {
      const baselineDir = options.baseline;
      // On hardware an inconclusive comparison runs its scenarios again (the model repeats a seed exactly: more seeds there).
      if (options.target !== 'host' || options.results !== undefined) {
        const paired = await pairWithBaseline(checked, baselineDir);
        return { runs, compared: comparePaired(paired), paired };
      }
      let paired: PairedRuns[] = [];
      const rounds = new Map<string, Map<number, ResultsEvidence[]>>();
      const { compared } = await confirmInconclusive({
        bound: options.confirmRounds ?? DEFAULT_CONFIRM_ROUNDS,
        compare: async (alpha) => {
          paired = await pairWithBaseline(
            checked.map((c) => ({ ...c, rounds: rounds.get(`${c.key}/${c.stack}`) })),
            baselineDir,
          );
          return comparePaired(paired, undefined, alpha);
        },
        runRound: async (groups, round) => {
          for (const g of groups) {
            const c = checked.find((x) => x.key === g.key && x.stack === g.stack)!;
            const file = scenarios.find((s) => basename(s.file, extname(s.file)) === g.key)!.file;
            const mine = rounds.get(`${g.key}/${g.stack}`) ?? new Map<number, ResultsEvidence[]>();
            rounds.set(`${g.key}/${g.stack}`, mine);
            for (const seed of c.bySeed.keys()) {
              const out = roundDir(runDir(file, g.stack, seed), round);
              await runCheckRuns([{ ...runTask(file, g.stack, seed), out }], 1, runStderr);
              mine.set(seed, [...(mine.get(seed) ?? []), await readResultsEvidence(out)]);
            }
          }
        },
        say: (line) => io.stderr.write(line + '\n'),
      });
      return { runs, compared, paired };
    }
  } finally {
    if (temporary) rmSync(resultsRoot, { recursive: true, force: true });
  }
  return { runs };
}

/** Adds `anvil check` to the CLI. */
export function registerCheckCommand(cli: Command): void {
  const command = cli
    .command('check')
    .description(
      'run cluster scenarios and judge their SLAs: a verdict table, verdicts.json (with --out) and JUnit XML (--junit); exit 0 every SLA held, 1 one failed, 2 the input could not be checked',
    )
    .argument(
      '<scenario...>',
      'cluster scenario files (kind: ClusterScenario), folders (every cluster scenario in them), or sweeps of a scenario (kind: Sweep: every point checked)',
    )
    .addOption(
      new Option(
        '--target <target>',
        'where the scenarios run: sim (the model) or host (realised on this Linux host as root: namespaces, bridge, tc, cgroups, loop devices)',
      ).default('sim'),
    )
    .option('--stack <stack>', 'the stack to check, hci, diy, or hci,diy for both (default: the stack(s) each scenario names)', parseStack)
    .addOption(storageSchedulerOption())
    .option(
      '--seeds <n>',
      `run each scenario and stack with N seeds, the scenario's seed and the N-1 after it (1 to ${MAX_CHECK_SEEDS})`,
      parseSeeds,
      1,
    )
    .option('--junit <file>', 'write JUnit XML here: one test case per SLA check and seed, the figures in each failure')
    .option(
      '--out <dir>',
      "write each run's results (DIR/SCENARIO/STACK/seed-N) and verdicts.json here (default: results in a temporary folder, removed after)",
    )
    .option(
      '--baseline <dir>',
      'compare with the results an earlier anvil check --out DIR wrote, seed by seed: a regression fails the check (with --out, DIR/compare.html shows the comparison)',
    )
    .option('--strict', 'with --baseline: an inconclusive comparison fails the check too')
    .option(
      '--confirm-rounds <n>',
      `with --target host and --baseline: run the scenarios of an inconclusive comparison again, up to N more rounds, until every comparison is conclusive, each comparison judged at alpha 0.05 / (N + 1) (0 to ${MAX_CONFIRM_ROUNDS}, 0: none; default ${DEFAULT_CONFIRM_ROUNDS})`,
      parseConfirmRounds,
    )
    .option(
      '--results <dir>',
      'judge the runs an earlier anvil check --out DIR kept (DIR/SCENARIO/STACK/seed-N) instead of running: new or changed SLAs on old results',
    )
    .option(
      '--history <dir>',
      "append each scenario and stack's figures to DIR/SCENARIO.STACK.csv, a history Apache Otava reads for change points",
    )
    .option('--max-ios <n>', `stop a run once its drives have served this many I/Os (default ${DEFAULT_MAX_IOS})`, parseMaxIos)
    .option(
      '--jobs <n>',
      "runs at a time (scenarios, stacks, seeds, a sweep's points), one worker thread each, as anvil sweep runs them (default 1)",
      parseJobs,
    )
    .action(async (args: string[], opts: CheckOptions) => {
      refuseHostRunOptionsOff(opts, opts.target, true);
      if (opts.jobs !== undefined && opts.results !== undefined)
        throw new AnvilError(
          'ANVIL_ERR_USAGE',
          '--jobs says how many runs run at a time, and --results judges runs already made; give one or the other',
        );
      // A host run realises the platform on this machine (its bridge, cgroups, loop devices): one at a time.
      if (opts.jobs !== undefined && opts.jobs > 1 && opts.target === 'host')
        throw new AnvilError('ANVIL_ERR_USAGE', `--jobs ${opts.jobs} with --target host: runs on this host go one at a time; drop --jobs`);
      if (opts.confirmRounds !== undefined && (opts.target !== 'host' || opts.results !== undefined))
        throw new AnvilError(
          'ANVIL_ERR_USAGE',
          opts.results !== undefined
            ? '--confirm-rounds runs scenarios again, and --results judges runs already made; give one or the other'
            : `--confirm-rounds runs scenarios again on a host, and --target ${opts.target} repeats a seed's run exactly; on the model give more --seeds`,
        );
      const sweeps = expandSweepArgs(args, opts.out);
      let checked: Awaited<ReturnType<typeof checkScenarios>>;
      try {
        checked = await checkScenarios(sweeps.args, opts);
      } finally {
        sweeps.cleanup();
      }
      const { compared, paired } = checked;
      const runs = sweeps.label(checked.runs);
      const version = anvilVersion();
      const doc = { ...verdictsDocument(runs, version), ...(compared ? { baseline: compared } : {}) };
      cliIo().stdout.write(verdictTable(doc));
      if (compared) cliIo().stdout.write(comparisonTable(compared));
      if (opts.out !== undefined) writeOutput(join(opts.out, 'verdicts.json'), JSON.stringify(doc, null, 2) + '\n', 'verdicts');
      if (opts.out !== undefined && compared && paired)
        await writeCompareHtml(opts.out, { baseline: opts.baseline!, current: opts.out, paired, compared });
      const commit = junitCommit();
      if (opts.junit !== undefined)
        writeOutput(
          opts.junit,
          junitXml(
            runs,
            { timestamp_s: runTimestamp(), hostname: hostname(), version, ...(commit !== undefined ? { commit } : {}) },
            compared,
            opts.strict === true,
          ),
          'JUnit XML',
        );
      if (opts.history !== undefined) appendHistory(opts.history, doc.checks, { epoch_s: runTimestamp(), version });
      const failed = runs.flatMap((r) => r.verdicts.filter((v) => v.status === 'fail').map((v) => ({ r, v })));
      const worse = (compared ?? []).flatMap((s) =>
        s.comparisons
          .filter((c) => c.verdict === 'regression' || (opts.strict === true && c.verdict === 'inconclusive'))
          .map((c) => ({ s, c })),
      );
      if (failed.length > 0 || worse.length > 0)
        throw new AnvilError(
          'ANVIL_ERR_SLA_FAILED',
          `${failed.length} of ${doc.totals.checks} SLA checks failed${compared ? `, ${worse.length} comparison${worse.length === 1 ? '' : 's'} with the baseline ${opts.strict === true ? 'regressed or were inconclusive' : 'regressed'}` : ''}; the tables above give the figures`,
          [
            ...failed.map(({ r, v }) => `${v.sla} (${basename(r.file)}, ${r.stack}, seed ${r.seed}): ${verdictMessage(v)}`),
            ...worse.map(({ s, c }) => `${c.verdict} (${s.key}, ${s.stack}): ${comparisonMessage(c)}`),
          ],
        );
    });
  // Last in the help, as the host-only flags they are.
  addHostRunOptions(command);
}
