/**
 * The results folders `anvil serve --runs DIR` knows of: each folder of DIR holding a summary.json (what
 * `anvil run ... --out DIR/NAME` writes) is a run, named by its folder; a folder of DIR holding a
 * verdicts.json (what `anvil check ... --out DIR/NAME` writes) holds its runs at NAME/SCENARIO/STACK/seed-N,
 * each named by that path and given its own SLA verdict. Read on each request, so a run written while the
 * server runs is listed at once. Only summary.json, verdicts.json and intervals.arrow are read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { AnvilError } from '../errors.js';

/** One folder name of a run's id: never `.` or `..` (it starts with a letter or digit). */
const RUN_ID_SEGMENT = '[A-Za-z0-9][A-Za-z0-9._-]{0,199}';
/** How many folders below a check's folder its runs lie (SCENARIO/STACK/seed-N). */
const CHECK_RUN_DEPTH = 3;
/**
 * A run's id as a path parameter: its folder's path from the runs folder, `/`-separated (a check's run is
 * CHECK/SCENARIO/STACK/seed-N), each part a folder name: no `.` or `..` part, no other separator.
 */
export const RUN_ID_PATTERN = `^${RUN_ID_SEGMENT}(/${RUN_ID_SEGMENT}){0,${CHECK_RUN_DEPTH}}$`;

/** A run as the list shows it (from its summary.json's anvil section). */
export interface RunListing {
  readonly id: string;
  readonly target: string;
  /** The scenario's name, or the job file for a job-file run. */
  readonly scenario: string;
  readonly stack?: string;
  readonly seed: number;
  /** Simulated (model) or measured seconds. */
  readonly duration_s?: number;
  readonly pods?: number;
  /** When the run finished: summary.json's time, ISO 8601 UTC. */
  readonly finished_at: string;
  /** The SLA verdict, when the run's folder holds a verdicts.json (anvil check --out). */
  readonly verdict?: RunVerdictSummary;
}

/** The totals of a run folder's verdicts.json: fail if a check failed, skipped if none was judged, else pass. */
export interface RunVerdictSummary {
  readonly status: 'pass' | 'fail' | 'skipped';
  readonly checks: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** The parts of a verdicts.json read here (bench/check/verdict-report.ts writes it). */
export interface VerdictsFile {
  totals?: Record<string, unknown>;
  runs?: VerdictsFileRun[];
}

/** One run of a verdicts.json: its scenario file, stack, seed and each check's verdict (evaluate.ts's SlaVerdict). */
export interface VerdictsFileRun {
  file?: unknown;
  stack?: unknown;
  seed?: unknown;
  verdicts?: ({ status?: unknown } & Record<string, unknown>)[];
}

/** `dir`'s verdicts.json, or undefined when it has none or one that is not a JSON object. */
export function verdictsFileOf(dir: string): VerdictsFile | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(dir, 'verdicts.json'), 'utf8')) as VerdictsFile;
    return typeof doc === 'object' && doc !== null ? doc : undefined;
  } catch {
    return undefined;
  }
}

function summaryOfCounts(checks: number, passed: number, failed: number, skipped: number): RunVerdictSummary {
  return { status: failed > 0 ? 'fail' : passed > 0 ? 'pass' : 'skipped', checks, passed, failed, skipped };
}

/** The verdict of `dir`'s verdicts.json (its totals), or undefined when it has none or one without its totals. */
export function verdictOf(dir: string): RunVerdictSummary | undefined {
  const totals = verdictsFileOf(dir)?.totals ?? {};
  const [checks, passed, failed, skipped] = [totals.checks, totals.passed, totals.failed, totals.skipped].map(count);
  if (checks === undefined || passed === undefined || failed === undefined || skipped === undefined) return undefined;
  return summaryOfCounts(checks, passed, failed, skipped);
}

/** The run of a check's verdicts.json kept at `scenario`/`stack`/seed-`seed` of the check's folder. */
export function checkRunOf(doc: VerdictsFile | undefined, parts: readonly string[]): VerdictsFileRun | undefined {
  const [scenario, stack, seedFolder] = parts;
  return doc?.runs?.find(
    (r) =>
      typeof r.file === 'string' &&
      basename(r.file, extname(r.file)) === scenario &&
      r.stack === stack &&
      `seed-${String(r.seed)}` === seedFolder,
  );
}

/** The verdict of one run of a check (`scenario`/`stack`/seed-`seed` of the check's folder), from its own checks. */
function checkRunVerdict(doc: VerdictsFile | undefined, parts: readonly string[]): RunVerdictSummary | undefined {
  const run = checkRunOf(doc, parts);
  if (!run || !Array.isArray(run.verdicts)) return undefined;
  const of = (status: string) => run.verdicts!.filter((v) => v.status === status).length;
  return summaryOfCounts(run.verdicts.length, of('pass'), of('fail'), of('skipped'));
}

/** One pod's (or job's) figures of one interval and direction. */
export interface RunInterval {
  /** End of the interval, s since the start of the run. */
  readonly time_s: number;
  /** The pod (namespace/name) of a scenario run, else the fio job. */
  readonly pod: string;
  readonly direction: string;
  readonly iops: number;
  readonly clat_p50_us: number;
  readonly clat_p99_us: number;
}

interface Summary {
  timestamp_ms?: number;
  anvil?: {
    target?: string;
    seed?: number;
    jobfile?: string;
    simulated_ns?: number;
    scenario?: { name?: string; stack?: string; pods?: unknown[] };
  };
}

function summaryOf(dir: string): Summary | undefined {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
    return typeof s === 'object' && s !== null && typeof s.anvil === 'object' ? s : undefined;
  } catch {
    return undefined;
  }
}

function listingOf(id: string, dir: string, verdict: RunVerdictSummary | undefined): (RunListing & { at: number }) | undefined {
  const s = summaryOf(dir);
  if (!s?.anvil) return undefined;
  const a = s.anvil;
  const at = s.timestamp_ms ?? statSync(join(dir, 'summary.json')).mtimeMs;
  return {
    id,
    target: a.target ?? 'unknown',
    scenario: a.scenario?.name ?? a.jobfile ?? '-',
    ...(a.scenario?.stack !== undefined ? { stack: a.scenario.stack } : {}),
    seed: a.seed ?? 0,
    ...(a.simulated_ns !== undefined ? { duration_s: a.simulated_ns / 1e9 } : {}),
    ...(a.scenario?.pods !== undefined ? { pods: a.scenario.pods.length } : {}),
    finished_at: new Date(at).toISOString(),
    ...(verdict !== undefined ? { verdict } : {}),
    at,
  };
}

const isFolder = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
const segment = new RegExp(`^${RUN_ID_SEGMENT}$`);
const foldersOf = (dir: string) => readdirSync(dir).filter((n) => segment.test(n) && isFolder(join(dir, n)));

/** The runs of `folder`, newest first; a folder without a readable summary.json is not a run. */
export function listRuns(folder: string): RunListing[] {
  const runs: (RunListing & { at: number })[] = [];
  for (const id of foldersOf(folder)) {
    const dir = join(folder, id);
    const run = listingOf(id, dir, verdictOf(dir));
    if (run) {
      runs.push(run);
      continue;
    }
    // A check's folder (anvil check --out): its runs at SCENARIO/STACK/seed-N, each with its own verdict.
    if (!existsSync(join(dir, 'verdicts.json'))) continue;
    const doc = verdictsFileOf(dir);
    for (const scenario of foldersOf(dir))
      for (const stack of foldersOf(join(dir, scenario)))
        for (const seed of foldersOf(join(dir, scenario, stack))) {
          const parts = [scenario, stack, seed];
          const checked = listingOf([id, ...parts].join('/'), join(dir, ...parts), checkRunVerdict(doc, parts));
          if (checked) runs.push(checked);
        }
  }
  return runs.sort((x, y) => y.at - x.at || x.id.localeCompare(y.id)).map(({ at: _at, ...run }) => run);
}

/** The folder of run `id`, or ANVIL_ERR_OBJECT_NOT_FOUND naming the list. */
export function runDir(folder: string, id: string): string {
  // The route's pattern holds every part of the id to a folder name; checked again for any other caller.
  if (!new RegExp(RUN_ID_PATTERN).test(id))
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `run id ${JSON.stringify(id)}: a run's id is its folder's path in the runs folder`);
  const dir = join(folder, ...id.split('/'));
  if (!existsSync(join(dir, 'summary.json')))
    throw new AnvilError('ANVIL_ERR_OBJECT_NOT_FOUND', `no run ${id} in the runs folder; list them with GET /apis/anvil.dev/v1/runs`);
  return dir;
}

const numberOf = (v: unknown) => (typeof v === 'bigint' ? Number(v) : (v as number));

/** Each interval's IOPS and latency percentiles per pod (or job) and direction, in time order. */
export async function runIntervals(dir: string, id: string): Promise<RunInterval[]> {
  const { tableFromIPC } = await import('apache-arrow');
  let table;
  try {
    table = tableFromIPC(readFileSync(join(dir, 'intervals.arrow')));
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_RUN_UNREADABLE',
      `run ${id}: intervals.arrow cannot be read as an Arrow IPC file (${(e as Error).message}); the run was written without its tables or is damaged`,
    );
  }
  const column = (name: string) => table.getChild(name);
  const [time, job, pod, direction, iops, p50, p99] = ['time_ns', 'job', 'pod', 'direction', 'iops', 'clat_p50_ns', 'clat_p99_ns'].map(
    column,
  );
  if (!time || !job || !direction || !iops || !p50 || !p99)
    throw new AnvilError('ANVIL_ERR_RUN_UNREADABLE', `run ${id}: intervals.arrow lacks the columns of a run's intervals table`);
  const rows: RunInterval[] = [];
  for (let i = 0; i < table.numRows; i++) {
    rows.push({
      time_s: numberOf(time.get(i)) / 1e9,
      pod: (pod?.get(i) as string | null) || (job.get(i) as string),
      direction: direction.get(i) as string,
      iops: numberOf(iops.get(i)),
      clat_p50_us: numberOf(p50.get(i)) / 1e3,
      clat_p99_us: numberOf(p99.get(i)) / 1e3,
    });
  }
  return rows;
}
