/**
 * What an SLA is judged on, read from a results folder as `anvil run ... --out DIR` writes it for any
 * target: `intervals.arrow` (I/Os and bytes per interval, job and direction), `interval_histogram.arrow`
 * (completion-latency buckets per interval, so percentiles merge over jobs and windows) and `summary.json`
 * (outages and network flows where the run reported them). The label columns (pod, volume, tenant, ...)
 * say whose rows they are. Nothing here knows which target wrote the folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import { numberOf } from '../results/table-columns.js';

/** The columns every interval table has: whose rows (direction, labels) and when. Index i is one row. */
export interface IntervalRowKeys {
  /** End of the interval, ns since the start of the run. */
  readonly time_ns: Float64Array;
  readonly interval_ns: Float64Array;
  readonly direction: readonly string[];
  /** Label columns (job, pod, volume, tenant, node, stack, ...) by name. */
  readonly labels: ReadonlyMap<string, readonly string[]>;
  readonly rows: number;
}

/** One interval row set, columnar. */
export interface IntervalColumns extends IntervalRowKeys {
  /** I/Os completed in the interval. */
  readonly ios: Float64Array;
  /** Bytes per second over the interval. */
  readonly bw_bytes: Float64Array;
}

/** Completion-latency buckets per interval, columnar. */
export interface HistogramColumns extends IntervalRowKeys {
  /** The bucket's value (fio's json+ bin value), ns. */
  readonly bucket_value_ns: Float64Array;
  readonly count: Float64Array;
}

/** A time a pod or volume served nothing, as the run reported it (`TENANT/NAME`, ns). */
export interface ReportedOutage {
  readonly kind: 'pod' | 'volume';
  readonly name: string;
  readonly from_ns: number;
  readonly to_ns: number;
}

/** A network flow's delivered payload over the run, as the run reported it. */
export interface ReportedFlow {
  readonly from: string;
  readonly to: string;
  readonly delivered_bits_per_s: number;
}

/** A pod as the platform placed it for the run: admitted (running) or refused (pending, with the scheduler's reason). */
export interface ReportedPod {
  /** `TENANT/NAME`. */
  readonly name: string;
  readonly state: 'running' | 'pending';
  readonly reason?: string;
  /** Its performance tier, where the results say. */
  readonly tier?: string;
}

/** A volume of the run with its performance tier, as the run reported it (`TENANT/NAME`). */
export interface ReportedVolume {
  readonly name: string;
  readonly tier: string;
}

export interface ResultsEvidence {
  readonly dir: string;
  /** The target that wrote it (sim, host), for the report only: the evaluation does not read it. */
  readonly target: string;
  readonly seed: number;
  readonly intervals: IntervalColumns;
  readonly histograms: HistogramColumns;
  readonly outages: readonly ReportedOutage[];
  readonly flows: readonly ReportedFlow[];
  /** The pods the run placed, where the results say (a model run's summary); absent or empty otherwise. */
  readonly pods?: readonly ReportedPod[];
  /** The volumes with their tiers, where the results say (a model run's summary); absent or empty otherwise. */
  readonly volumes?: readonly ReportedVolume[];
}

const NEEDED = ['summary.json', 'intervals.arrow', 'interval_histogram.arrow'] as const;

function unreadable(dir: string, file: string, why: string): AnvilError {
  return new AnvilError(
    'ANVIL_ERR_CHECK_RESULTS',
    `${join(dir, file)}: ${why}; an SLA is judged on a results folder as anvil run SCENARIO --out DIR writes it (${NEEDED.join(', ')})`,
  );
}

type ArrowTable = import('apache-arrow').Table;

function numbers(t: ArrowTable, name: string, dir: string, file: string): Float64Array {
  const col = t.getChild(name);
  if (!col) throw unreadable(dir, file, `has no column ${name}`);
  // Counts and times are Int64 (bigint values); measures Float64.
  return Float64Array.from(col.toArray() as ArrayLike<unknown>, numberOf);
}

function strings(t: ArrowTable, name: string, dir: string, file: string): string[] {
  const col = t.getChild(name);
  if (!col) throw unreadable(dir, file, `has no column ${name}`);
  return Array.from(col, (v) => String(v ?? ''));
}

/** Columns that are neither fixed ones of the table nor numbers: the job labels. */
function labelColumns(t: ArrowTable, fixed: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of t.schema.fields) {
    if (fixed.has(f.name) || f.name === 'direction') continue;
    if (String(f.type) !== 'Utf8') continue;
    out.set(
      f.name,
      Array.from(t.getChild(f.name)!, (v) => String(v ?? '')),
    );
  }
  return out;
}

/** The key columns of an interval table; `measures` are its number columns, which are not labels. */
function rowKeys(t: ArrowTable, dir: string, file: string, measures: readonly string[]): IntervalRowKeys {
  return {
    time_ns: numbers(t, 'time_ns', dir, file),
    interval_ns: numbers(t, 'interval_ns', dir, file),
    direction: strings(t, 'direction', dir, file),
    labels: labelColumns(t, new Set(['time_ns', 'interval_ns', ...measures])),
    rows: t.numRows,
  };
}

async function readTable(dir: string, file: string): Promise<ArrowTable> {
  const { tableFromIPC } = await import('apache-arrow');
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, file));
  } catch (e) {
    throw unreadable(dir, file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return tableFromIPC(bytes);
  } catch (e) {
    throw unreadable(dir, file, `is not an Arrow IPC file (${(e as Error).message})`);
  }
}

interface SummaryDoc {
  anvil?: {
    target?: string;
    seed?: number;
    scenario?: {
      outages?: { pods?: { name: string; from_ns: number; to_ns: number }[]; volumes?: { name: string; from_ns: number; to_ns: number }[] };
      network?: { flows?: { from: string; to: string; delivered_bits_per_s: number }[] };
      pods?: { pod: string; state: string; reason?: string; tier?: string }[];
      volumes?: { volume: string; tier?: string }[];
    };
  };
}

/** Reads the evidence of one run from `dir`; a missing or unreadable file is an ANVIL_ERR_CHECK_RESULTS naming it. */
export async function readResultsEvidence(dir: string): Promise<ResultsEvidence> {
  for (const f of NEEDED) if (!existsSync(join(dir, f))) throw unreadable(dir, f, 'is missing');
  let summary: SummaryDoc;
  try {
    summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryDoc;
  } catch (e) {
    throw unreadable(dir, 'summary.json', `is not JSON (${(e as Error).message})`);
  }
  const it = await readTable(dir, 'intervals.arrow');
  const intervals: IntervalColumns = {
    ...rowKeys(it, dir, 'intervals.arrow', ['ios', 'iops', 'bw_bytes']),
    ios: numbers(it, 'ios', dir, 'intervals.arrow'),
    bw_bytes: numbers(it, 'bw_bytes', dir, 'intervals.arrow'),
  };
  const ht = await readTable(dir, 'interval_histogram.arrow');
  const histograms: HistogramColumns = {
    ...rowKeys(ht, dir, 'interval_histogram.arrow', ['bucket_low_ns', 'bucket_high_ns', 'bucket_value_ns', 'count']),
    bucket_value_ns: numbers(ht, 'bucket_value_ns', dir, 'interval_histogram.arrow'),
    count: numbers(ht, 'count', dir, 'interval_histogram.arrow'),
  };
  const scenario = summary.anvil?.scenario;
  const outages: ReportedOutage[] = [
    ...(scenario?.outages?.pods ?? []).map((o) => ({ kind: 'pod' as const, name: o.name, from_ns: o.from_ns, to_ns: o.to_ns })),
    ...(scenario?.outages?.volumes ?? []).map((o) => ({ kind: 'volume' as const, name: o.name, from_ns: o.from_ns, to_ns: o.to_ns })),
  ];
  const flows = (scenario?.network?.flows ?? []).map((f) => ({ from: f.from, to: f.to, delivered_bits_per_s: f.delivered_bits_per_s }));
  const pods = (scenario?.pods ?? [])
    .filter((p) => p.state === 'running' || p.state === 'pending')
    .map((p) => ({
      name: p.pod,
      state: p.state as ReportedPod['state'],
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
      ...(p.tier !== undefined ? { tier: p.tier } : {}),
    }));
  const volumes = (scenario?.volumes ?? []).flatMap((v) => (v.tier !== undefined ? [{ name: v.volume, tier: v.tier }] : []));
  return {
    dir,
    target: summary.anvil?.target ?? 'unknown',
    seed: summary.anvil?.seed ?? 0,
    intervals,
    histograms,
    outages,
    flows,
    pods,
    volumes,
  };
}
