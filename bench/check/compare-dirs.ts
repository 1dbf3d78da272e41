/**
 * `anvil compare BASELINE_DIR CURRENT_DIR`: two results folders as `anvil run --out DIR` (one run) or
 * `anvil check --out DIR` (DIR/SCENARIO/STACK/seed-N) write them (a run of several stacks is one group per
 * stack, cut by its `stack` label), paired by scenario, stack and seed, and
 * compared with the method of `anvil check --baseline` (baseline.ts): per job (each pod of a cluster
 * scenario, each job of a job file) and, where the caller knows the scenario's SLAs, per SLA. Folders
 * that do not pair (other scenarios, stacks, seeds or jobs) are refused before anything is compared.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import { slaSeries, type PairedEvidence } from './baseline.js';
import { seedRunDirs, type PairedRuns } from './baseline-report.js';
import type { JudgedSla } from './evaluate.js';
import { jobSlas, jobSubjects } from './job-slas.js';
import { readResultsEvidence, type IntervalRowKeys, type ResultsEvidence } from './results-evidence.js';

export { DEFAULT_JOB_TOLERANCE, jobSlas } from './job-slas.js';

/** One scenario (or job file) on one stack in a results folder: each seed's run folder. */
export interface StoredGroup {
  /** The scenario or job file's name without folder and extension. */
  readonly key: string;
  /** The scenario's name (its title) or the job file's name. */
  readonly scenario: string;
  /** The stack it ran on; `-` for a job file. */
  readonly stack: string;
  /** The scenario file the run was made from, as the run recorded it (absent for a job file). */
  readonly scenarioFile?: string;
  /** Seed -> run folder, in seed order. */
  readonly runs: ReadonlyMap<number, string>;
  /** Set where the folder holds several stacks' runs together (anvil run --stack hci,diy): the rows of this one. */
  readonly stackRows?: string;
}

interface RunSummary {
  anvil?: { seed?: number; jobfile?: string; scenario?: { file?: string; name?: string; stack?: string; stacks?: string[] } };
}

const RUN_FILES = 'summary.json, intervals.arrow and interval_histogram.arrow';
const EXPECTED = `${RUN_FILES} (a folder anvil run --out DIR wrote) or SCENARIO/STACK/seed-N folders of them (anvil check --out DIR)`;

/** A run's summary.json; ANVIL_ERR_COMPARE_INPUT naming it when it cannot be read or is not a JSON object. */
function readSummary(dir: string): RunSummary {
  const file = join(dir, 'summary.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_COMPARE_INPUT',
      `${file}: cannot be read as JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); anvil compare reads results folders as anvil run --out DIR writes them`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new AnvilError(
      'ANVIL_ERR_COMPARE_INPUT',
      `${file}: is not a run summary (a JSON object); anvil compare reads results folders as anvil run --out DIR writes them`,
    );
  return parsed as RunSummary;
}

/** The groups one run folder is, from its summary.json: one, or one per stack of a run of several. */
function runGroups(dir: string): StoredGroup[] {
  const a = readSummary(dir).anvil ?? {};
  const file = a.scenario?.file ?? a.jobfile ?? dir;
  const group = {
    key: basename(file, extname(file)),
    scenario: a.scenario?.name ?? basename(file),
    stack: a.scenario?.stack ?? '-',
    ...(a.scenario?.file !== undefined ? { scenarioFile: a.scenario.file } : {}),
    runs: new Map([[a.seed ?? 0, dir]]),
  };
  const stacks = a.scenario?.stacks ?? [];
  return stacks.length > 1 ? stacks.map((stack) => ({ ...group, stack, stackRows: stack })) : [group];
}

/** The rows of `rows` (indices) of every column of an interval table. */
function subset<T extends IntervalRowKeys>(t: T, rows: readonly number[]): T {
  const out: Record<string, unknown> = { rows: rows.length };
  for (const [name, v] of Object.entries(t)) {
    if (v instanceof Float64Array) out[name] = Float64Array.from(rows, (i) => v[i]!);
    else if (Array.isArray(v)) out[name] = rows.map((i) => v[i] as unknown);
  }
  out.labels = new Map([...t.labels].map(([k, col]) => [k, rows.map((i) => col[i]!)]));
  return out as unknown as T;
}

/** A several-stack run's evidence cut to one stack's rows (its `stack` label). */
function stackEvidence(e: ResultsEvidence, stack: string): ResultsEvidence {
  const mine = (t: IntervalRowKeys) => [...Array(t.rows).keys()].filter((i) => t.labels.get('stack')?.[i] === stack);
  return { ...e, intervals: subset(e.intervals, mine(e.intervals)), histograms: subset(e.histograms, mine(e.histograms)) };
}

const subfolders = (dir: string) =>
  readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isDirectory())
    .sort();

/** The groups a results folder holds; ANVIL_ERR_FILE_NOT_FOUND or ANVIL_ERR_COMPARE_INPUT naming `dir` when it holds none. */
export function storedGroups(dir: string, side: 'baseline' | 'current'): StoredGroup[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new AnvilError('ANVIL_ERR_FILE_NOT_FOUND', `${side} ${dir} is not a folder; give a results folder: ${EXPECTED}`);
  if (existsSync(join(dir, 'summary.json'))) return runGroups(dir);
  const groups: StoredGroup[] = [];
  for (const key of subfolders(dir))
    for (const stack of subfolders(join(dir, key))) {
      const seeds = subfolders(join(dir, key, stack))
        .map((f) => /^seed-(\d+)$/.exec(f)?.[1])
        .filter((x): x is string => x !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      if (seeds.length === 0) continue;
      const first = runGroups(join(dir, key, stack, `seed-${seeds[0]!}`))[0]!;
      const runs = new Map(seeds.map((seed) => [seed, join(dir, key, stack, `seed-${seed}`)]));
      groups.push({ ...first, key, stack, runs });
    }
  if (groups.length === 0) throw new AnvilError('ANVIL_ERR_COMPARE_INPUT', `${side} ${dir} holds no results; expected ${EXPECTED}`);
  return groups;
}

const groupName = (g: StoredGroup) => (g.stack === '-' ? g.key : `${g.key} on ${g.stack}`);

/** Groups one side holds and the other does not, by name ("noisy-neighbour on hci"): not compared. */
export interface UnpairedGroups {
  readonly baselineOnly: readonly string[];
  readonly currentOnly: readonly string[];
}

/**
 * Baseline and current groups paired by scenario and stack, with the same seeds; groups only one side holds
 * are named in `unpaired` (a scenario added to or dropped from a nightly set) and not compared.
 * ANVIL_ERR_COMPARE_MISMATCH when no group is on both sides, or a pair ran different seeds.
 */
export function pairGroups(
  baselineDir: string,
  baseline: readonly StoredGroup[],
  currentDir: string,
  current: readonly StoredGroup[],
): { pairs: { baseline: StoredGroup; current: StoredGroup }[]; unpaired: UnpairedGroups } {
  const names = (gs: readonly StoredGroup[]) => gs.map(groupName).join(', ');
  const id = (g: StoredGroup) => `${g.key}/${g.stack}`;
  const both = current.filter((c) => baseline.some((b) => id(b) === id(c)));
  if (both.length === 0)
    throw new AnvilError(
      'ANVIL_ERR_COMPARE_MISMATCH',
      `baseline ${baselineDir} holds ${names(baseline)} but current ${currentDir} holds ${names(current)}; anvil compare pairs the same scenarios on the same stacks: compare two runs with at least one scenario and stack in common`,
    );
  const unpaired = {
    baselineOnly: baseline.filter((b) => !both.some((c) => id(c) === id(b))).map(groupName),
    currentOnly: current.filter((c) => !both.includes(c)).map(groupName),
  };
  const pairs = both.map((c) => {
    const b = baseline.find((x) => id(x) === id(c))!;
    const seeds = (g: StoredGroup) => [...g.runs.keys()].join(',');
    if (seeds(b) !== seeds(c))
      throw new AnvilError(
        'ANVIL_ERR_COMPARE_MISMATCH',
        `${groupName(c)}: baseline ${baselineDir} ran seeds ${seeds(b)} but current ${currentDir} ran seeds ${seeds(c)}; baseline and current pair seed by seed: run both with the same seeds (anvil check --seeds N, anvil run --seed N)`,
      );
    return { baseline: b, current: c };
  });
  return { pairs, unpaired };
}

/** Where a run's steady state starts, ns: the scenario's warm-up (a job file's ramp_time is already out of its intervals). */
function warmupOf(dir: string): number {
  const s = readSummary(dir) as { anvil?: { scenario?: { warmup_ns?: unknown } } };
  const warmup = s.anvil?.scenario?.warmup_ns;
  return typeof warmup === 'number' && Number.isFinite(warmup) ? warmup : 0;
}

export interface ComparedFolders {
  readonly baselineDir: string;
  readonly currentDir: string;
  /** Per group: its SLAs (when the caller knew them) and its jobs, each one family for Holm. */
  readonly paired: readonly PairedRuns[];
  /** Groups only one side holds: not compared. */
  readonly unpaired: UnpairedGroups;
}

/**
 * Reads both folders' runs and pairs each job's (and each SLA's, from `slasOf`) series seed by seed.
 * `slasOf` gives a group's judged SLAs (the CLI loads the scenario the run recorded), or none.
 */
export async function pairFolders(
  baselineDir: string,
  currentDir: string,
  options: { tolerance: number; slasOf: (g: StoredGroup) => Promise<readonly JudgedSla[]> },
): Promise<ComparedFolders> {
  const { pairs: groups, unpaired } = pairGroups(
    baselineDir,
    storedGroups(baselineDir, 'baseline'),
    currentDir,
    storedGroups(currentDir, 'current'),
  );
  const paired: PairedRuns[] = [];
  for (const { baseline, current } of groups) {
    const seeds = [...current.runs.keys()];
    // Each seed's run, then its confirmation rounds (seed-N.round-R, on hardware), as anvil check --baseline counts them.
    const read = (g: StoredGroup) =>
      Promise.all(
        seeds.flatMap((seed) =>
          seedRunDirs(g.runs.get(seed)!).map(async (dir) => {
            const e = await readResultsEvidence(dir);
            return g.stackRows === undefined ? e : stackEvidence(e, g.stackRows);
          }),
        ),
      );
    const [b, c] = [await read(baseline), await read(current)];
    const jobsOf = (es: readonly ResultsEvidence[]) => {
      const all = es.map(jobSubjects);
      return { label: all[0]!.label, names: [...new Set(all.flatMap((x) => x.names))].sort() };
    };
    const [bj, cj] = [jobsOf(b), jobsOf(c)];
    if (bj.label !== cj.label || bj.names.join('\n') !== cj.names.join('\n'))
      throw new AnvilError(
        'ANVIL_ERR_COMPARE_MISMATCH',
        `${groupName(current)}: baseline ${baseline.runs.get(seeds[0]!)} ran ${bj.label}s ${bj.names.join(', ')} but current ${current.runs.get(seeds[0]!)} ran ${cj.label}s ${cj.names.join(', ')}; anvil compare pairs runs of the same jobs`,
      );
    const pairsOf = (slas: readonly JudgedSla[]): PairedEvidence[] =>
      slas.map((sla) => ({ sla, seeds, baseline: b.map((e) => slaSeries(sla, e)), current: c.map((e) => slaSeries(sla, e)) }));
    const head = { key: current.key, scenario: current.scenario, stack: current.stack, baseline: baselineDir };
    const slas = await options.slasOf(current);
    if (slas.length > 0) paired.push({ ...head, of: 'slas', pairs: pairsOf(slas) });
    const from_ns = warmupOf(current.runs.get(seeds[0]!)!);
    paired.push({ ...head, of: 'jobs', pairs: pairsOf(jobSlas(cj.label, cj.names, options.tolerance, from_ns)) });
  }
  return { baselineDir, currentDir, paired, unpaired };
}
