/**
 * A run's figures beyond its intervals, for the run page: each SLA check of its verdicts.json, each pod's
 * latency CDF from the merged histogram (latency_histogram.arrow), and each node's utilisation (nodes.arrow,
 * drives.arrow, links.arrow). Read on each request from the run's folder (run-folders.ts finds it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../errors.js';
import { checkLabel, formatFigure, formatMargin, type FigureUnit } from '../../sim/core/figure-text.js';
import { checkRunOf, verdictsFileOf, type VerdictsFile } from './run-folders.js';

/**
 * One SLA check as verdicts.json holds it: bench/check/evaluate.ts's SlaVerdict, which writes it (the API
 * reads the file and may not import bench; a test holds the two the same).
 */
export interface SlaCheckVerdict {
  readonly sla: string;
  readonly check: string;
  readonly window: 'run' | 'interval';
  readonly scope: string;
  readonly unit: FigureUnit;
  readonly measured: number | null;
  readonly limit: number;
  readonly tolerance: number;
  readonly allowed: number;
  readonly margin: number | null;
  readonly margin_fraction: number | null;
  readonly status: 'pass' | 'fail' | 'skipped';
  readonly where: string;
  readonly samples?: number;
  readonly note?: string;
}

/** One SLA check of a run, as its verdicts.json holds it, with the texts the run page shows. */
export interface RunCheckVerdict extends SlaCheckVerdict {
  /** The check as a person reads it: `p99 latency`, `IOPS per interval`. */
  readonly check_text: string;
  /** The measured figure in its unit (`20.0k IOPS`), or `-` where none was measured. */
  readonly measured_text: string;
  /** The limit and its tolerance: `>= 20.0k IOPS (tolerance 2%)`. */
  readonly limit_text: string;
  /** The margin as a signed percentage of the limit, or `-`. */
  readonly margin_text: string;
  /** Why the verdict is what it is, in a sentence. */
  readonly reason: string;
}

/** A run's SLA verdicts: every check of verdicts.json for this run; none, with why, for a run not checked. */
export interface RunVerdicts {
  /** The verdicts.json read (relative to the runs folder), or null when the run has none. */
  readonly source: string | null;
  readonly note?: string;
  readonly verdicts: readonly RunCheckVerdict[];
}

const isFloor = (check: string) => check.startsWith('min_');

function limitText(v: SlaCheckVerdict): string {
  const tolerance = v.tolerance > 0 ? ` (tolerance ${+(v.tolerance * 100).toFixed(1)}%)` : '';
  return `${isFloor(v.check) ? '>=' : '<='} ${formatFigure(v.limit, v.unit)}${tolerance}`;
}

function reasonOf(v: SlaCheckVerdict): string {
  const note = v.note !== undefined ? `; ${v.note}` : '';
  if (v.status === 'skipped' || v.measured === null) return `not judged: ${v.note ?? 'nothing was measured'}`;
  const measured = formatFigure(v.measured, v.unit);
  const allowed = formatFigure(v.allowed, v.unit);
  const floor = isFloor(v.check);
  const at = v.where ? ` (${v.where})` : '';
  if (v.status === 'fail') return `missed: ${measured}${at} is ${floor ? 'below' : 'above'} the ${allowed} allowed${note}`;
  return `held: ${measured}${at} is ${floor ? 'at or above' : 'at or below'} the ${allowed} allowed${note}`;
}

/** A verdicts.json entry read as an SLA verdict, its fields in SlaCheckVerdict's order; one lacking a check's fields is left out. */
function asVerdict(raw: Record<string, unknown>): SlaCheckVerdict | undefined {
  const text = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const num = (k: string) => (typeof raw[k] === 'number' ? (raw[k] as number) : undefined);
  const orNull = (k: string) => num(k) ?? null;
  const [sla, check, window, scope, unit, status, where] = ['sla', 'check', 'window', 'scope', 'unit', 'status', 'where'].map(text);
  const [limit, allowed] = [num('limit'), num('allowed')];
  if ([sla, check, window, scope, unit, status, where, limit, allowed].includes(undefined)) return undefined;
  const [samples, note] = [num('samples'), text('note')];
  return {
    sla: sla!,
    check: check!,
    window: window as SlaCheckVerdict['window'],
    scope: scope!,
    unit: unit as SlaCheckVerdict['unit'],
    limit: limit!,
    tolerance: num('tolerance') ?? 0,
    allowed: allowed!,
    measured: orNull('measured'),
    margin: orNull('margin'),
    margin_fraction: orNull('margin_fraction'),
    status: status as SlaCheckVerdict['status'],
    where: where!,
    ...(samples !== undefined ? { samples } : {}),
    ...(note !== undefined ? { note } : {}),
  };
}

function withTexts(v: SlaCheckVerdict): RunCheckVerdict {
  return {
    ...v,
    check_text: checkLabel(v.check, v.window),
    measured_text: v.measured === null ? '-' : formatFigure(v.measured, v.unit),
    limit_text: limitText(v),
    margin_text: v.margin === null ? '-' : formatMargin(v.margin, v.margin_fraction, v.unit),
    reason: reasonOf(v),
  };
}

/**
 * Each SLA check of run `id` (folder `dir` of runs folder `folder`): a run folder's own verdicts.json (every
 * run it judged), or for a check's run (CHECK/SCENARIO/STACK/seed-N) the check's verdicts.json, its own run's.
 */
export function runVerdicts(folder: string, dir: string, id: string): RunVerdicts {
  const parts = id.split('/');
  const checkDir = parts.length > 1 ? join(folder, parts[0]!) : dir;
  const source = parts.length > 1 ? `${parts[0]}/verdicts.json` : `${id}/verdicts.json`;
  if (!existsSync(join(checkDir, 'verdicts.json')))
    return {
      source: null,
      note: `run ${id} holds no verdicts.json: only anvil check --out judges a run against its SLAs (anvil run --out writes none)`,
      verdicts: [],
    };
  const doc: VerdictsFile | undefined = verdictsFileOf(checkDir);
  if (doc === undefined)
    throw new AnvilError('ANVIL_ERR_RUN_UNREADABLE', `run ${id}: ${source} cannot be read as JSON; write it again with anvil check --out`);
  const runs = parts.length > 1 ? [checkRunOf(doc, parts.slice(1))].filter((r) => r !== undefined) : (doc.runs ?? []);
  const verdicts = runs.flatMap((r) => (Array.isArray(r.verdicts) ? r.verdicts : [])).map(asVerdict);
  return {
    source,
    ...(runs.length === 0 ? { note: `${source} judged no run at ${parts.slice(1).join('/') || id}` } : {}),
    verdicts: verdicts.filter((v) => v !== undefined).map(withTexts),
  };
}

/** The Arrow table `file` of run `id`, or undefined when the folder has none; a damaged one is ANVIL_ERR_RUN_UNREADABLE. */
export async function runTable(dir: string, id: string, file: string) {
  const path = join(dir, file);
  if (!existsSync(path)) return undefined;
  const { tableFromIPC } = await import('apache-arrow');
  try {
    return tableFromIPC(readFileSync(path));
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_RUN_UNREADABLE',
      `run ${id}: ${file} cannot be read as an Arrow IPC file (${(e as Error).message}); the run was written without its tables or is damaged`,
    );
  }
}

const numberOf = (v: unknown) => (typeof v === 'bigint' ? Number(v) : (v as number));

/** The fractions a latency CDF is given at: each percent to 99%, then 99.1..99.9, 99.91..99.99, 99.991..99.999, 100%. */
export const CDF_FRACTIONS: readonly number[] = [
  ...Array.from({ length: 99 }, (_, k) => (k + 1) / 100),
  ...[1e3, 1e4, 1e5].flatMap((scale) => Array.from({ length: 9 }, (_, k) => 1 - (10 - (k + 1)) / scale)),
  1,
];
/** Series (pod and direction) a CDF answer holds at most: those with the most I/Os. */
export const MAX_CDF_SERIES = 32;

/** One pod's (or job's) completion latency distribution in one direction, from its merged histogram. */
export interface LatencyCdfSeries {
  readonly pod: string;
  readonly direction: string;
  /** I/Os the histogram counts. */
  readonly ios: number;
  readonly p50_us: number;
  readonly p99_us: number;
  readonly p999_us: number;
  /** The CDF at CDF_FRACTIONS: the latency (us) at or below which `fraction` of the I/Os completed. */
  readonly points: readonly { readonly fraction: number; readonly latency_us: number }[];
}

export interface LatencyCdf {
  /** Series with I/O in the run; the answer holds the MAX_CDF_SERIES with the most I/Os. */
  readonly series_total: number;
  readonly series: readonly LatencyCdfSeries[];
  readonly note?: string;
}

/**
 * The latency at each fraction of `counts` (bucket value ns -> I/Os), fio's way: the first bucket where the
 * running count reaches the fraction of all I/Os (evaluate.ts's percentileOf), in one pass over the buckets;
 * `fractions` in rising order.
 */
export function latenciesAt(counts: ReadonlyMap<number, number>, fractions: readonly number[]): { n: number; ns: number[] } {
  const values = [...counts.keys()].sort((a, b) => a - b);
  let n = 0;
  for (const c of counts.values()) n += c;
  const ns: number[] = [];
  let k = 0;
  let cumulative = 0;
  for (const f of fractions) {
    while (k < values.length && !(cumulative >= f * n && cumulative > 0)) cumulative += counts.get(values[k++]!)!;
    ns.push(values[Math.max(0, k - 1)] ?? 0);
  }
  return { n, ns };
}

/**
 * Each pod's (the job's, for a job-file run) completion latency CDF per direction, from latency_histogram.arrow:
 * the buckets of every job of a pod added up before any percentile is read (merged, never averaged).
 */
export async function runLatencyCdf(dir: string, id: string): Promise<LatencyCdf> {
  const table = await runTable(dir, id, 'latency_histogram.arrow');
  if (table === undefined)
    return { series_total: 0, series: [], note: `run ${id} holds no latency_histogram.arrow: it was written without its tables` };
  const [job, pod, direction, value, count] = ['job', 'pod', 'direction', 'bucket_value_ns', 'count'].map((c) => table.getChild(c));
  if (!job || !direction || !value || !count)
    throw new AnvilError('ANVIL_ERR_RUN_UNREADABLE', `run ${id}: latency_histogram.arrow lacks the columns of a run's histogram table`);
  const merged = new Map<string, { pod: string; direction: string; counts: Map<number, number> }>();
  for (let i = 0; i < table.numRows; i++) {
    const name = (pod?.get(i) as string | null) || (job.get(i) as string);
    const dirName = direction.get(i) as string;
    const key = `${name}\u0000${dirName}`;
    let s = merged.get(key);
    if (!s) merged.set(key, (s = { pod: name, direction: dirName, counts: new Map() }));
    const v = numberOf(value.get(i));
    s.counts.set(v, (s.counts.get(v) ?? 0) + numberOf(count.get(i)));
  }
  const series = [...merged.values()]
    .map((s) => {
      // Fractions are walked in rising order: the three percentiles, then the CDF's points.
      const [p50, p99, p999] = latenciesAt(s.counts, [0.5, 0.99, 0.999]).ns.map((x) => x / 1e3);
      const { n, ns } = latenciesAt(s.counts, CDF_FRACTIONS);
      return {
        pod: s.pod,
        direction: s.direction,
        ios: n,
        p50_us: p50!,
        p99_us: p99!,
        p999_us: p999!,
        points: ns.map((latency_ns, k) => ({ fraction: CDF_FRACTIONS[k]!, latency_us: latency_ns / 1e3 })),
      };
    })
    .filter((s) => s.ios > 0);
  const kept = [...series].sort((a, b) => b.ios - a.ios).slice(0, MAX_CDF_SERIES);
  kept.sort((a, b) => a.pod.localeCompare(b.pod) || a.direction.localeCompare(b.direction));
  return {
    series_total: series.length,
    series: kept,
    ...(series.length > kept.length ? { note: `the ${kept.length} of ${series.length} series with the most I/Os` } : {}),
  };
}

/** One resource of a node and how busy the run kept it, 0..1 (an average over the whole run). */
export interface NodeUtilisationRow {
  readonly stack: string;
  readonly node: string;
  /** cpu, drive, link-tx or link-rx. */
  readonly kind: 'cpu' | 'drive' | 'link-tx' | 'link-rx';
  /** `CPU`, the drive (`node-1/nvme0`) or the port (`pod0 tx`). */
  readonly resource: string;
  readonly utilisation: number;
  /** What the figure is, in words: `6.02 of 40 cores`, `25.6k I/Os a second`. */
  readonly detail: string;
}

export interface NodeUtilisation {
  readonly rows: readonly NodeUtilisationRow[];
  readonly note?: string;
}

/** Each column of `table` named in `names`, or undefined when one is missing. */
function childrenOf(table: NonNullable<Awaited<ReturnType<typeof runTable>>>, names: readonly string[]) {
  const cols = names.map((n) => table.getChild(n));
  return cols.every((c) => c !== null) ? cols.map((c) => c!) : undefined;
}

/**
 * Each node's CPU, drives and links, how busy the run kept them (nodes.arrow, drives.arrow, links.arrow, which
 * the model writes for cluster scenarios: averages over the whole run, warm-up included).
 */
export async function runNodeUtilisation(dir: string, id: string): Promise<NodeUtilisation> {
  const [nodes, drives, links] = await Promise.all(['nodes.arrow', 'drives.arrow', 'links.arrow'].map((f) => runTable(dir, id, f)));
  if (nodes === undefined)
    return {
      rows: [],
      note: `run ${id} holds no nodes.arrow: the model writes node tables for cluster scenarios only, not for a job file`,
    };
  const rows: NodeUtilisationRow[] = [];
  const bad = (file: string) => new AnvilError('ANVIL_ERR_RUN_UNREADABLE', `run ${id}: ${file} lacks the columns of a run's ${file} table`);
  const n = childrenOf(nodes, ['stack', 'node', 'cores', 'application_cores', 'infrastructure_cores']);
  if (!n) throw bad('nodes.arrow');
  for (let i = 0; i < nodes.numRows; i++) {
    const [stack, node, cores, app, infra] = n.map((c) => c.get(i) as unknown);
    const used = numberOf(app) + numberOf(infra);
    const total = numberOf(cores);
    if (!(total > 0)) continue;
    rows.push({
      stack: stack as string,
      node: node as string,
      kind: 'cpu',
      resource: 'CPU',
      utilisation: used / total,
      detail: `${used.toFixed(2)} of ${total} cores`,
    });
  }
  if (drives) {
    const d = childrenOf(drives, ['stack', 'node', 'drive', 'busy_fraction', 'ios_per_s']);
    if (!d) throw bad('drives.arrow');
    for (let i = 0; i < drives.numRows; i++) {
      const [stack, node, drive, busy, ios] = d.map((c) => c.get(i) as unknown);
      // A host run has no busy time for its drives (NaN): nothing to chart.
      if (!Number.isFinite(numberOf(busy))) continue;
      rows.push({
        stack: stack as string,
        node: node as string,
        kind: 'drive',
        resource: drive as string,
        utilisation: numberOf(busy),
        detail: `${Math.round(numberOf(ios))} I/Os a second`,
      });
    }
  }
  if (links) {
    const l = childrenOf(links, ['stack', 'node', 'port', 'tx_utilisation', 'rx_utilisation', 'rate_bits_per_s']);
    if (!l) throw bad('links.arrow');
    for (let i = 0; i < links.numRows; i++) {
      const [stack, node, port, tx, rx, rate] = l.map((c) => c.get(i) as unknown);
      const line = `of ${numberOf(rate) / 1e9} Gbit/s`;
      rows.push({
        stack: stack as string,
        node: node as string,
        kind: 'link-tx',
        resource: `${port as string} tx`,
        utilisation: numberOf(tx),
        detail: line,
      });
      rows.push({
        stack: stack as string,
        node: node as string,
        kind: 'link-rx',
        resource: `${port as string} rx`,
        utilisation: numberOf(rx),
        detail: line,
      });
    }
  }
  return { rows };
}
