/**
 * `anvil compare BASELINE_DIR CURRENT_DIR`: two results folders (anvil run --out, anvil check --out)
 * compared per job and per SLA with the method of `anvil check --baseline` (bench/check/compare-dirs.ts,
 * baseline.ts); the table on stdout, compare.json and compare.html with --out. Exit code 0 when nothing
 * regressed, 1 on a regression (with --strict, an inconclusive comparison too: ANVIL_ERR_REGRESSION), 2
 * when the folders could not be compared (any other error; main.ts maps it).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { anvilVersion } from '../../bench/package-root.js';
import { comparePaired, comparisonMessage, comparisonTable, type StackComparison } from '../../bench/check/baseline-report.js';
import { DEFAULT_JOB_TOLERANCE, pairFolders, type StoredGroup, type UnpairedGroups } from '../../bench/check/compare-dirs.js';
import type { PairedRuns } from '../../bench/check/baseline-report.js';
import { judgedSlas } from '../../bench/check/sla-scopes.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import { loadClusterScenario } from '../../bench/scenario/load.js';
import { AnvilError } from '../errors.js';
import { decimalFrom } from './arguments.js';
import { scenarioMembers } from './scenario-members.js';
import { cliIo } from './cli-io.js';

export interface CompareOptions {
  readonly out?: string;
  readonly strict?: boolean;
  /** Regression tolerance of each job compared on its own, a fraction. */
  readonly tolerance: number;
}

/** The document compare.json holds: no time and no host in it, so the same folders give the same bytes. */
export function compareDocument(
  baseline: string,
  current: string,
  compared: readonly StackComparison[],
  version: string,
  unpaired: UnpairedGroups = { baselineOnly: [], currentOnly: [] },
) {
  return {
    anvil_compare: 1,
    anvil_version: version,
    baseline,
    current,
    comparisons: compared,
    not_compared: { baseline_only: unpaired.baselineOnly, current_only: unpaired.currentOnly },
  };
}

/** The SLAs of the scenario a run recorded, judged as anvil check judges them; none for a job file or a scenario file that is gone. */
async function recordedSlas(g: StoredGroup) {
  if (g.scenarioFile === undefined) return [];
  if (!existsSync(g.scenarioFile)) {
    cliIo().stderr.write(`note: ${g.scenarioFile} (the scenario ${g.key} ran from) is gone; its SLAs are not compared, its pods are\n`);
    return [];
  }
  const s = loadClusterScenario(g.scenarioFile);
  return judgedSlas(s, await scenarioMembers(s));
}

/** Writes compare.html of a comparison to `dir`: the table and the charts (reports/compare). */
export async function writeCompareHtml(
  dir: string,
  page: { baseline: string; current: string; paired: readonly PairedRuns[]; compared: readonly StackComparison[] },
): Promise<void> {
  const [{ compareFigures }, { compareHtml }] = await Promise.all([
    import('../../bench/check/compare-figures.js'),
    import('../../reports/compare/compare-html.js'),
  ]);
  const html = compareHtml({ ...page, version: anvilVersion(), figures: compareFigures(page.paired, page.compared) });
  writeOutput(join(dir, 'compare.html'), html, 'the comparison page');
}

export function writeOutput(file: string, text: string, what: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_OUTPUT',
      `cannot write ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give a path in a folder you can write`,
    );
  }
}

/** Compares the folders, prints the table, writes the files; throws ANVIL_ERR_REGRESSION for the exit code 1. */
export async function compareFolders(baseline: string, current: string, options: CompareOptions): Promise<StackComparison[]> {
  const io = cliIo();
  if (options.out !== undefined) ensureOutputDir(options.out);
  const { paired, unpaired } = await pairFolders(baseline, current, { tolerance: options.tolerance, slasOf: recordedSlas });
  const compared = comparePaired(paired);
  io.stdout.write(comparisonTable(compared));
  for (const [side, dir, groups] of [
    ['baseline', baseline, unpaired.baselineOnly],
    ['current', current, unpaired.currentOnly],
  ] as const)
    if (groups.length > 0) io.stderr.write(`note: only the ${side} ${dir} holds ${groups.join(', ')}: not compared\n`);
  if (options.out !== undefined) {
    const doc = compareDocument(baseline, current, compared, anvilVersion(), unpaired);
    writeOutput(join(options.out, 'compare.json'), JSON.stringify(doc, null, 2) + '\n', 'the comparison');
    await writeCompareHtml(options.out, { baseline, current, paired, compared });
  }
  const all = compared.flatMap((s) => s.comparisons.map((c) => ({ s, c })));
  const regressed = all.filter(({ c }) => c.verdict === 'regression');
  const inconclusive = all.filter(({ c }) => c.verdict === 'inconclusive');
  const line = ({ s, c }: (typeof all)[number]) =>
    `${c.verdict} (${s.key}${s.stack === '-' ? '' : `, ${s.stack}`}): ${comparisonMessage(c)}`;
  if (inconclusive.length > 0 && options.strict !== true)
    io.stderr.write(
      `warning: ${inconclusive.length} comparison${inconclusive.length === 1 ? '' : 's'} inconclusive (the interval of the change straddles the tolerance; more seeds or a longer run narrow it; --strict fails on it)\n${inconclusive.map((x) => `  ${line(x)}\n`).join('')}`,
    );
  const failing = options.strict === true ? [...regressed, ...inconclusive] : regressed;
  if (failing.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_REGRESSION',
      `${regressed.length} of ${all.length} comparisons regressed${options.strict === true ? `, ${inconclusive.length} inconclusive (--strict)` : ''}; the table above gives the figures`,
      failing.map(line),
    );
  return compared;
}

/** Adds `anvil compare` to the CLI. */
export function registerCompareCommand(cli: Command): void {
  cli
    .command('compare')
    .description(
      'compare two results folders (anvil run --out, anvil check --out) per job and per SLA, seed by seed: change, confidence interval, verdict; exit 0 no regression, 1 a regression, 2 the folders could not be compared',
    )
    .argument('<baseline_dir>', 'the results to compare against: a folder anvil run --out DIR or anvil check --out DIR wrote')
    .argument('<current_dir>', 'the results to judge: the same scenarios (or job file), stacks and seeds as the baseline')
    .option('--out <dir>', 'write compare.json and compare.html (the table and charts) here')
    .option('--strict', 'an inconclusive comparison fails too (exit 1)')
    .option(
      '--tolerance <fraction>',
      `the change of a job's IOPS or p99 latency that is not yet a regression, 0 to 10 (SLAs bring their own regression_tolerance)`,
      decimalFrom(0, 10, '0.1'),
      DEFAULT_JOB_TOLERANCE,
    )
    .action(async (baseline: string, current: string, opts: CompareOptions) => {
      await compareFolders(baseline, current, opts);
    });
}
