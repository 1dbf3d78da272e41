/**
 * `anvil check --baseline DIR`: the baseline's results found beside the current runs' (a folder an earlier
 * `anvil check --out DIR` wrote: DIR/SCENARIO/STACK/seed-N), paired by seed, compared (baseline.ts), and
 * the comparison as a table and as JUnit test cases (a regression is a `<failure type="Regression">`).
 */
import { textTable } from './text-table.js';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import { COMPARISON_ALPHA, compareWithBaseline, slaSeries, type BaselineComparison, type PairedEvidence } from './baseline.js';
import type { JudgedSla } from './evaluate.js';
import { DEFAULT_JOB_TOLERANCE, jobSlas, jobSubjects } from './job-slas.js';
import { readResultsEvidence, type ResultsEvidence } from './results-evidence.js';
import { formatFigure } from './verdict-report.js';

/** One scenario on one stack as the check ran it: its SLAs and each seed's evidence. */
export interface CheckedRuns {
  /** The scenario file's name without folder and extension: its folder in DIR. */
  readonly key: string;
  readonly scenario: string;
  readonly stack: string;
  readonly slas: readonly JudgedSla[];
  /** Where the scenario's steady state starts, ns: each pod is compared from there. */
  readonly warmup_ns: number;
  readonly bySeed: ReadonlyMap<number, ResultsEvidence>;
  /** Confirmation rounds (on hardware): each seed's further runs, in round order (rounds 2, 3, ...). */
  readonly rounds?: ReadonlyMap<number, readonly ResultsEvidence[]>;
}

/** Folder of confirmation round `round` (2, 3, ...) of the run in `seedDir` (DIR/SCENARIO/STACK/seed-N): its sibling seed-N.round-R. */
export function roundDir(seedDir: string, round: number): string {
  return `${seedDir}.round-${round}`;
}

/** The run folders of one seed in a stored check: seed-N, then its confirmation rounds seed-N.round-2, -3, ... while they exist. */
export function seedRunDirs(seedDir: string): string[] {
  const dirs = [seedDir];
  for (let round = 2; existsSync(roundDir(seedDir, round)); round++) dirs.push(roundDir(seedDir, round));
  return dirs;
}

/** A scenario and stack compared with its baseline. */
export interface StackComparison {
  readonly key: string;
  readonly scenario: string;
  readonly stack: string;
  /** Where the baseline's runs were, as given. */
  readonly baseline: string;
  /** Absent for the scenario's SLAs; `jobs` for each job compared on its own (anvil compare). */
  readonly of?: 'jobs';
  readonly comparisons: readonly BaselineComparison[];
}

/** Refuses a baseline (or stored results) that is not a folder, before anything runs. */
export function checkBaselineDir(dir: string, what = 'baseline'): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new AnvilError(
      'ANVIL_ERR_FILE_NOT_FOUND',
      `${what} ${dir} is not a folder; give the folder an earlier anvil check --out DIR wrote (DIR/SCENARIO/STACK/seed-N)`,
    );
}

/** One scenario on one stack, each SLA's series on both sides over the seeds they share: what is compared and charted. */
export interface PairedRuns {
  readonly key: string;
  readonly scenario: string;
  readonly stack: string;
  /** Where the baseline's runs were, as given. */
  readonly baseline: string;
  /** `slas`: the scenario's SLAs; `jobs`: each job (or pod) on its own (anvil compare). Each is one family for Holm. */
  readonly of: 'slas' | 'jobs';
  readonly pairs: readonly PairedEvidence[];
}

/**
 * Pairs each scenario and stack with the baseline's runs of the same seeds (seeds the baseline lacks are
 * left out): its SLAs, and each pod on its own (IOPS and p99, the default job tolerance) as anvil compare.
 */
export async function pairWithBaseline(runs: readonly CheckedRuns[], baselineDir: string): Promise<PairedRuns[]> {
  const out: PairedRuns[] = [];
  for (const r of runs) {
    const folder = join(baselineDir, r.key, r.stack);
    const seeds = [...r.bySeed.keys()].filter((seed) => existsSync(join(folder, `seed-${seed}`)));
    // Each side: every seed's first run, then its confirmation rounds (a baseline an earlier check confirmed has them too).
    const baseline = await Promise.all(seeds.flatMap((seed) => seedRunDirs(join(folder, `seed-${seed}`)).map(readResultsEvidence)));
    const current = seeds.flatMap((seed) => [r.bySeed.get(seed)!, ...(r.rounds?.get(seed) ?? [])]);
    const pairsOf = (slas: readonly JudgedSla[]): PairedEvidence[] =>
      slas.map((sla) => ({
        sla,
        seeds,
        baseline: baseline.map((e) => slaSeries(sla, e)),
        current: current.map((e) => slaSeries(sla, e)),
      }));
    const head = { key: r.key, scenario: r.scenario, stack: r.stack, baseline: folder };
    out.push({ ...head, of: 'slas', pairs: pairsOf(r.slas) });
    // Each pod on its own too, as anvil compare compares them: its own family for Holm.
    const pods = current.map(jobSubjects);
    const names = [...new Set(pods.flatMap((x) => x.names))].sort();
    if (seeds.length > 0 && names.length > 0)
      out.push({ ...head, of: 'jobs', pairs: pairsOf(jobSlas(pods[0]!.label, names, DEFAULT_JOB_TOLERANCE, r.warmup_ns)) });
  }
  return out;
}

/** Compares paired runs; each entry is one family for Holm, at `alpha` (the family's; a look's share with confirmation rounds). */
export function comparePaired(paired: readonly PairedRuns[], resamples?: number, alpha?: number): StackComparison[] {
  return paired.map((p) => ({
    key: p.key,
    scenario: p.scenario,
    stack: p.stack,
    baseline: p.baseline,
    ...(p.of === 'jobs' ? { of: p.of } : {}),
    comparisons: compareWithBaseline(p.pairs, resamples, alpha),
  }));
}

/** Compares each scenario and stack with the baseline's runs of the same seeds; each is one family for Holm. */
export async function compareRuns(runs: readonly CheckedRuns[], baselineDir: string, resamples?: number): Promise<StackComparison[]> {
  return comparePaired(await pairWithBaseline(runs, baselineDir), resamples);
}

const percent = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** The change and its interval as people read it: `+12.3% [+10.1%, +14.2%]`. */
export function changeText(c: BaselineComparison): string {
  if (c.change === null) return '-';
  return c.ci ? `${percent(c.change)} [${percent(c.ci[0])}, ${percent(c.ci[1])}]` : percent(c.change);
}

const VERDICT_TEXT: Record<BaselineComparison['verdict'], string> = {
  identical: 'identical',
  ok: 'ok',
  regression: 'REGRESSION',
  inconclusive: 'inconclusive',
  skipped: 'skipped',
};

/** The comparison table: per scenario, stack, SLA and limit, both figures, the change with its interval, Holm's p, the verdict. */
export function comparisonTable(all: readonly StackComparison[]): string {
  const header = ['SCENARIO', 'STACK', 'SLA', 'STATISTIC', 'BASELINE', 'CURRENT', 'CHANGE [CI]', 'TOLERANCE', 'P (HOLM)', 'VERDICT'];
  const rows = all.flatMap((s) =>
    s.comparisons.map((c) => [
      s.key,
      s.stack,
      c.sla,
      c.check === 'min_iops' ? 'IOPS' : c.check === 'min_bandwidth' ? 'bandwidth' : `${c.check.slice('max_latency_'.length)} latency`,
      c.baseline === null ? '-' : formatFigure(c.baseline, c.unit),
      c.current === null ? '-' : formatFigure(c.current, c.unit),
      changeText(c),
      `${c.check.startsWith('min_') ? '-' : '+'}${(c.tolerance * 100).toFixed(0)}%`,
      c.p_holm === null ? '-' : c.p_holm.toPrecision(2),
      VERDICT_TEXT[c.verdict],
    ]),
  );
  // Each family (a scenario's SLAs, its jobs) has its own level: 1 - alpha / its checks.
  const levels = [...new Set(all.flatMap((s) => s.comparisons.map((c) => `${(c.confidence * 100).toFixed(1)}%`)))];
  const unpaired = all.some((s) => s.comparisons.some((c) => c.runs !== undefined));
  // Confirmation rounds judge each look at a share of the family's alpha (sequential.ts): say which.
  const alphas = [...new Set(all.flatMap((s) => s.comparisons.map((c) => c.alpha)))].filter((a) => a !== COMPARISON_ALPHA);
  const method = `paired block bootstrap over seeds and intervals${unpaired ? ' (unpaired where confirmation rounds ran)' : ''}${levels.length > 0 ? `, intervals at ${levels.join(', ')}` : ''}, Holm across each scenario's checks${alphas.length > 0 ? ` at alpha ${alphas.map((a) => a.toPrecision(3)).join(', ')} a look (${COMPARISON_ALPHA} over the confirmation rounds' looks)` : ''}`;
  return ['against the baseline: ' + method, ...textTable(header, rows)].join('\n') + '\n';
}

/** One line of a comparison, for a failure message: the figures, the change and its interval, the test and its p. */
export function comparisonMessage(c: BaselineComparison): string {
  if (c.baseline === null || c.current === null || c.change === null) return `${c.sla} ${c.check}: not compared: ${c.note ?? ''}`;
  return `${c.sla} ${c.check}: ${formatFigure(c.current, c.unit)} against ${formatFigure(c.baseline, c.unit)} in the baseline, change ${changeText(c)} at ${((c.confidence ?? 0.95) * 100).toFixed(1)}% confidence, tolerance ${(c.tolerance * 100).toFixed(0)}%, ${c.runs ? 'unpaired' : 'paired'} block bootstrap p=${c.p_value?.toPrecision(2)} (Holm ${c.p_holm?.toPrecision(2)}), seeds ${c.seeds.join(',')}${c.runs ? `, runs ${c.runs.current} against ${c.runs.baseline} in the baseline` : ''}`;
}
