/**
 * The results folders `anvil serve --runs DIR` knows of: each folder of DIR holding a summary.json (what
 * `anvil run ... --out DIR/NAME` writes) is a run, named by its folder. Read on each request, so a run
 * written while the server runs is listed at once. Only summary.json, verdicts.json (anvil check --out) and intervals.arrow are read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../errors.js';

/** A run's folder name as a path parameter: no separator, never `.` or `..`. */
export const RUN_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$';

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

/** The verdict of `dir`'s verdicts.json, or undefined when it has none or one without its totals. */
export function verdictOf(dir: string): RunVerdictSummary | undefined {
  let totals: Record<string, unknown>;
  try {
    totals = (JSON.parse(readFileSync(join(dir, 'verdicts.json'), 'utf8')) as { totals?: Record<string, unknown> }).totals ?? {};
  } catch {
    return undefined;
  }
  const [checks, passed, failed, skipped] = [totals.checks, totals.passed, totals.failed, totals.skipped].map(count);
  if (checks === undefined || passed === undefined || failed === undefined || skipped === undefined) return undefined;
  return { status: failed > 0 ? 'fail' : passed > 0 ? 'pass' : 'skipped', checks, passed, failed, skipped };
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

/** The runs of `folder`, newest first; a folder without a readable summary.json is not a run. */
export function listRuns(folder: string): RunListing[] {
  const runs: (RunListing & { at: number })[] = [];
  for (const id of readdirSync(folder).filter((n) => new RegExp(RUN_ID_PATTERN).test(n))) {
    const dir = join(folder, id);
    if (!statSync(dir).isDirectory()) continue;
    const s = summaryOf(dir);
    if (!s?.anvil) continue;
    const a = s.anvil;
    const at = s.timestamp_ms ?? statSync(join(dir, 'summary.json')).mtimeMs;
    const verdict = verdictOf(dir);
    runs.push({
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
    });
  }
  return runs.sort((x, y) => y.at - x.at || x.id.localeCompare(y.id)).map(({ at: _at, ...run }) => run);
}

/** The folder of run `id`, or ANVIL_ERR_OBJECT_NOT_FOUND naming the list. */
export function runDir(folder: string, id: string): string {
  const dir = join(folder, id);
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
