/**
 * SLAs judged on a run's results (results-evidence.ts), never inside the run: the same SLA judges a model
 * run and a hardware run. Each limit of an SLA is one check (min_iops, min_bandwidth, max_latency per
 * percentile, max_outage) over each window it asks for: `run` (the whole time it is judged over, after
 * warm-up) or `interval` (every interval in it; the worst interval is the measured figure). A tier SLA
 * holds for each of its members on its own (the worst member is reported); a tenant's holds for its pods
 * together. Percentiles come from the merged interval histograms; below the samples a percentile needs
 * for a distribution-free 95% interval to exist (368 for p99, 3,688 for p99.9) a check is skipped.
 * Admission (max_admitted_pods, min_admitted_pods) counts the scope's pods the run reports placed, all
 * members of a tier together: a refusal the platform owes (a reservation no node can guarantee) is a check.
 */
import { formatDuration } from '../../sim/core/units.js';
import type { ScenarioSla } from '../scenario/load.js';
import type { HistogramColumns, IntervalColumns, ResultsEvidence } from './results-evidence.js';

/** Whose rows an SLA reads: the rows whose `label` column holds one of `values`. */
export interface SlaSubject {
  /** What it is, for the report: `pod shop/orders-db`, `volume shop/orders`, `tenant shop`. */
  readonly name: string;
  /** `job` for a job file's jobs, compared by `anvil compare` (no SLA names one). */
  readonly label: 'pod' | 'volume' | 'tenant' | 'job';
  readonly values: ReadonlySet<string>;
  /** `TENANT/NAME` of the pods and volumes whose reported outages are the subject's. */
  readonly outagePods: ReadonlySet<string>;
  readonly outageVolumes: ReadonlySet<string>;
  /** `TENANT/NAME` of the pods whose network flows are its bandwidth where it did no storage I/O. */
  readonly flowPods: ReadonlySet<string>;
  /** `TENANT/NAME` of the pods it is (none for a volume): what admission counts. */
  readonly pods: ReadonlySet<string>;
}

/** An SLA with its scope resolved to subjects and its time span to ns. */
export interface JudgedSla {
  readonly sla: ScenarioSla;
  /** The scope as the report names it: `pod shop/orders-db`, `tier high (4 members)`. */
  readonly scope: string;
  /** One for a pod, volume or tenant; each member for a tier. */
  readonly subjects: readonly SlaSubject[];
  /** Judged over intervals that start at or after `from_ns` and end by `until_ns`, ns from the start of the run. */
  readonly from_ns: number;
  readonly until_ns: number;
}

export type SlaStatus = 'pass' | 'fail' | 'skipped';

/** One limit of one SLA over one window, judged. */
export interface SlaVerdict {
  readonly sla: string;
  /** min_iops, min_bandwidth, max_latency_p99 (the percentile after the p), max_outage, max_admitted_pods, min_admitted_pods. */
  readonly check: string;
  readonly window: 'run' | 'interval';
  readonly scope: string;
  /** Unit of measured, limit, allowed and margin: IOPS, bytes/s, ns or pods (admission). */
  readonly unit: 'IOPS' | 'bytes/s' | 'ns' | 'pods';
  /** null where nothing could be measured (skipped). */
  readonly measured: number | null;
  readonly limit: number;
  /** Fraction the figure may miss the limit by, 0..1. */
  readonly tolerance: number;
  /** The limit with the tolerance applied: what the measured figure is held to. */
  readonly allowed: number;
  /** Headroom in the unit: measured - limit for a floor, limit - measured for a ceiling; negative when missed. */
  readonly margin: number | null;
  /** The margin as a fraction of the limit; null for a limit of 0. */
  readonly margin_fraction: number | null;
  readonly status: SlaStatus;
  /** Where the measured figure comes from: the subject, and per interval the worst interval's end. */
  readonly where: string;
  /** I/Os the latency figure is computed from (latency checks). */
  readonly samples?: number;
  readonly note?: string;
}

/** Fewest samples for which a two-sided distribution-free 95% interval of percentile `p` exists: p^n <= 0.025. */
export function minSamplesForPercentile(p: number): number {
  if (p >= 100) return 1;
  if (p <= 0) return 1;
  return Math.ceil(Math.log(0.025) / Math.log(p / 100));
}

/** Percentile `p` (0..100) of bucket counts by bucket value, fio's way: the first bucket where the running count reaches p%. */
export function percentileOf(counts: ReadonlyMap<number, number>, p: number): { value: number; n: number } {
  let n = 0;
  for (const c of counts.values()) n += c;
  if (n === 0) return { value: 0, n };
  const target = (p / 100) * n;
  let cumulative = 0;
  const values = [...counts.keys()].sort((a, b) => a - b);
  for (const v of values) {
    cumulative += counts.get(v)!;
    if (cumulative >= target && cumulative > 0) return { value: v, n };
  }
  return { value: values[values.length - 1]!, n };
}

const directionCounts = (ops: ScenarioSla['ops'], direction: string) => ops === 'all' || ops === direction;

/** Whether row `i` of a labelled table belongs to `s`. */
function ofSubject(labels: ReadonlyMap<string, readonly string[]>, s: SlaSubject, i: number): boolean {
  const col = labels.get(s.label);
  return col !== undefined && s.values.has(col[i]!);
}

function inSpan(end_ns: number, length_ns: number, j: JudgedSla): boolean {
  // Interval ends are sums of floating lengths: a nanosecond of slack.
  return end_ns - length_ns >= j.from_ns - 1 && end_ns <= j.until_ns + 1;
}

/** The intervals of the run inside the SLA's span (every job's, so an interval where the subject did nothing counts): end -> length, ns. */
export function intervalGrid(t: IntervalColumns, j: JudgedSla): Map<number, number> {
  const grid = new Map<number, number>();
  for (let i = 0; i < t.rows; i++) if (inSpan(t.time_ns[i]!, t.interval_ns[i]!, j)) grid.set(t.time_ns[i]!, t.interval_ns[i]!);
  return new Map([...grid].sort((a, b) => a[0] - b[0]));
}

export interface SubjectFigures {
  readonly subject: SlaSubject;
  /** Whether any storage row is the subject's (whatever its I/Os). */
  readonly storage: boolean;
  readonly ios: Map<number, number>;
  readonly bytes: Map<number, number>;
  readonly latencyRun: Map<number, number>;
  readonly latencyByInterval: Map<number, Map<number, number>>;
}

export function figures(e: ResultsEvidence, s: SlaSubject, j: JudgedSla, grid: ReadonlyMap<number, number>): SubjectFigures {
  const t = e.intervals;
  const ios = new Map<number, number>([...grid.keys()].map((k) => [k, 0]));
  const bytes = new Map<number, number>([...grid.keys()].map((k) => [k, 0]));
  let storage = false;
  for (let i = 0; i < t.rows; i++) {
    if (!ofSubject(t.labels, s, i)) continue;
    storage = true;
    const end = t.time_ns[i]!;
    if (!grid.has(end) || !directionCounts(j.sla.ops, t.direction[i]!)) continue;
    ios.set(end, ios.get(end)! + t.ios[i]!);
    bytes.set(end, bytes.get(end)! + (t.bw_bytes[i]! * t.interval_ns[i]!) / 1e9);
  }
  const h: HistogramColumns = e.histograms;
  const latencyRun = new Map<number, number>();
  const latencyByInterval = new Map<number, Map<number, number>>();
  for (let i = 0; i < h.rows; i++) {
    if (!ofSubject(h.labels, s, i) || !grid.has(h.time_ns[i]!) || !directionCounts(j.sla.ops, h.direction[i]!)) continue;
    const v = h.bucket_value_ns[i]!;
    const c = h.count[i]!;
    latencyRun.set(v, (latencyRun.get(v) ?? 0) + c);
    let m = latencyByInterval.get(h.time_ns[i]!);
    if (!m) latencyByInterval.set(h.time_ns[i]!, (m = new Map()));
    m.set(v, (m.get(v) ?? 0) + c);
  }
  return { subject: s, storage, ios, bytes, latencyRun, latencyByInterval };
}

/** A figure of one subject: the value, where it was found, and its sample count. */
interface Figure {
  readonly value: number;
  readonly where: string;
  readonly samples?: number;
  readonly note?: string;
}

const atInterval = (end_ns: number) => `interval ending at ${formatDuration(end_ns)}`;

/** Rate per second over the grid (run) or the worst interval's rate (interval). */
function rateFigure(
  f: SubjectFigures,
  perInterval: Map<number, number>,
  grid: ReadonlyMap<number, number>,
  window: 'run' | 'interval',
): Figure | undefined {
  if (grid.size === 0) return undefined;
  if (window === 'run') {
    let total = 0;
    let span_ns = 0;
    for (const [end, len] of grid) {
      total += perInterval.get(end)!;
      span_ns += len;
    }
    return { value: (total * 1e9) / span_ns, where: `${f.subject.name}, ${grid.size} intervals` };
  }
  let worst: Figure | undefined;
  for (const [end, len] of grid) {
    const rate = (perInterval.get(end)! * 1e9) / len;
    if (!worst || rate < worst.value) worst = { value: rate, where: `${f.subject.name}, ${atInterval(end)}` };
  }
  return worst;
}

function bandwidthFigure(
  e: ResultsEvidence,
  f: SubjectFigures,
  grid: ReadonlyMap<number, number>,
  window: 'run' | 'interval',
): Figure | undefined {
  if (f.storage) return rateFigure(f, f.bytes, grid, window);
  // No storage I/O: the subject's network flows, which the results give over the whole run only.
  const flows = e.flows.filter((x) => f.subject.flowPods.has(x.from));
  if (flows.length === 0) return undefined;
  const bits = flows.reduce((n, x) => n + x.delivered_bits_per_s, 0);
  return {
    value: bits / 8,
    where: `${f.subject.name}, network flows to ${flows.map((x) => x.to).join(', ')}`,
    ...(window === 'interval' ? { note: 'network flows are reported over the whole run only; judged over the run' } : {}),
  };
}

function latencyFigure(f: SubjectFigures, p: number, window: 'run' | 'interval'): Figure & { skipped?: string } {
  const need = minSamplesForPercentile(p);
  if (window === 'run') {
    const { value, n } = percentileOf(f.latencyRun, p);
    if (n < need)
      return {
        value,
        where: f.subject.name,
        samples: n,
        skipped: `p${p} needs at least ${need} I/Os; ${n} completed: run longer to judge it`,
      };
    // Judged, but a tail of fewer than 100 I/Os moves the figure by a bucket or more between runs.
    const tail = Math.floor(n * (1 - p / 100));
    if (tail < 100)
      return { value, where: f.subject.name, samples: n, note: `only ${tail} I/Os above p${p}; 100 or more make the figure firm` };
    return { value, where: f.subject.name, samples: n };
  }
  let worst: (Figure & { skipped?: string }) | undefined;
  let judged = 0;
  let left = 0;
  for (const [end, counts] of f.latencyByInterval) {
    const { value, n } = percentileOf(counts, p);
    if (n < need) {
      left++;
      continue;
    }
    judged++;
    if (!worst || value > worst.value) worst = { value, where: `${f.subject.name}, ${atInterval(end)}`, samples: n };
  }
  if (!worst)
    return {
      value: 0,
      where: f.subject.name,
      samples: 0,
      skipped: `no interval has the ${need} I/Os p${p} needs: make the intervals longer (or judge the whole run) to judge it`,
    };
  return left > 0 ? { ...worst, note: `${left} of ${judged + left} intervals had fewer than ${need} I/Os and were not judged` } : worst;
}

function outageFigure(e: ResultsEvidence, f: SubjectFigures, j: JudgedSla, grid: ReadonlyMap<number, number>): Figure {
  let worst: Figure = { value: 0, where: f.subject.name };
  for (const o of e.outages) {
    const own = o.kind === 'pod' ? f.subject.outagePods.has(o.name) : f.subject.outageVolumes.has(o.name);
    if (!own) continue;
    const len = Math.min(o.to_ns, j.until_ns) - Math.max(o.from_ns, j.from_ns);
    if (len > worst.value) worst = { value: len, where: `${o.kind} ${o.name}, out from ${formatDuration(o.from_ns)}` };
  }
  if (!f.storage) return worst;
  // Intervals without a completed I/O in a row: an outage the run did not report (a stall, a lost path).
  let run_ns = 0;
  let start = 0;
  for (const [end, len] of grid) {
    if (f.ios.get(end)! > 0) {
      run_ns = 0;
      continue;
    }
    if (run_ns === 0) start = end - len;
    run_ns += len;
    if (run_ns > worst.value) worst = { value: run_ns, where: `${f.subject.name}, no I/O completed from ${formatDuration(start)}` };
  }
  return worst;
}

/** The scope's pods the run placed (all subjects together), and which it left pending with the scheduler's reason. */
function admittedFigure(e: ResultsEvidence, j: JudgedSla): Figure | undefined {
  const mine = new Set(j.subjects.flatMap((x) => [...x.pods]));
  const reported = (e.pods ?? []).filter((p) => mine.has(p.name));
  if (reported.length === 0) return undefined;
  const admitted = reported.filter((p) => p.state === 'running');
  const pending = reported.filter((p) => p.state === 'pending');
  const where = [
    admitted.length > 0 ? `admitted ${admitted.map((p) => p.name).join(', ')}` : 'none admitted',
    ...pending.map((p) => `pending ${p.name}${p.reason !== undefined ? ` (${p.reason})` : ''}`),
  ].join('; ');
  return { value: admitted.length, where };
}

/** The worst figure over the subjects: lowest for a floor, highest for a ceiling. */
function worstOf<T extends Figure>(xs: readonly (T | undefined)[], floor: boolean): T | undefined {
  let worst: T | undefined;
  for (const x of xs) if (x && (!worst || (floor ? x.value < worst.value : x.value > worst.value))) worst = x;
  return worst;
}

function verdict(
  j: JudgedSla,
  check: string,
  window: 'run' | 'interval',
  unit: SlaVerdict['unit'],
  limit: number,
  floor: boolean,
  figure: (Figure & { skipped?: string }) | undefined,
): SlaVerdict {
  const tolerance = j.sla.tolerance;
  const allowed = floor ? limit * (1 - tolerance) : limit * (1 + tolerance);
  const base = { sla: j.sla.name, check, window, scope: j.scope, unit, limit, tolerance, allowed };
  if (!figure || figure.skipped !== undefined)
    return {
      ...base,
      measured: null,
      margin: null,
      margin_fraction: null,
      status: 'skipped',
      where: figure?.where ?? j.scope,
      ...(figure?.samples !== undefined ? { samples: figure.samples } : {}),
      note: figure?.skipped ?? `nothing of ${j.scope} in the results for this check`,
    };
  const margin = floor ? figure.value - limit : limit - figure.value;
  const pass = floor ? figure.value >= allowed : figure.value <= allowed;
  return {
    ...base,
    measured: figure.value,
    margin,
    margin_fraction: limit > 0 ? margin / limit : null,
    status: pass ? 'pass' : 'fail',
    where: figure.where,
    ...(figure.samples !== undefined ? { samples: figure.samples } : {}),
    ...(figure.note !== undefined ? { note: figure.note } : {}),
  };
}

/** Judges each SLA's limits over its windows on one run's evidence; verdicts in SLA order, then limit, then window. */
export function evaluateSlas(slas: readonly JudgedSla[], e: ResultsEvidence): SlaVerdict[] {
  const out: SlaVerdict[] = [];
  for (const j of slas) {
    const grid = intervalGrid(e.intervals, j);
    const subjects = j.subjects.map((s) => figures(e, s, j, grid));
    const windows: ('run' | 'interval')[] = j.sla.window === 'both' ? ['run', 'interval'] : [j.sla.window];
    for (const w of windows) {
      if (j.sla.min_iops !== undefined)
        out.push(
          verdict(
            j,
            'min_iops',
            w,
            'IOPS',
            j.sla.min_iops,
            true,
            worstOf(
              subjects.map((f) => (f.storage ? rateFigure(f, f.ios, grid, w) : undefined)),
              true,
            ),
          ),
        );
      if (j.sla.min_bandwidth_bytes_per_s !== undefined)
        out.push(
          verdict(
            j,
            'min_bandwidth',
            w,
            'bytes/s',
            j.sla.min_bandwidth_bytes_per_s,
            true,
            worstOf(
              subjects.map((f) => bandwidthFigure(e, f, grid, w)),
              true,
            ),
          ),
        );
      for (const [p, limit] of Object.entries(j.sla.max_latency_ns ?? {})) {
        const figs = subjects.map((f) => latencyFigure(f, Number(p), w));
        // A skipped member does not hide a judged one; all skipped is a skipped check.
        const judged = figs.filter((x) => x.skipped === undefined);
        out.push(verdict(j, `max_latency_p${p}`, w, 'ns', limit, false, judged.length > 0 ? worstOf(judged, false) : figs[0]));
      }
    }
    // Admission is one count for the run, whatever the window.
    if (j.sla.max_admitted_pods !== undefined || j.sla.min_admitted_pods !== undefined) {
      const admitted = admittedFigure(e, j);
      if (j.sla.max_admitted_pods !== undefined)
        out.push(verdict(j, 'max_admitted_pods', 'run', 'pods', j.sla.max_admitted_pods, false, admitted));
      if (j.sla.min_admitted_pods !== undefined)
        out.push(verdict(j, 'min_admitted_pods', 'run', 'pods', j.sla.min_admitted_pods, true, admitted));
    }
    // An outage is one figure for the span, whatever the window.
    if (j.sla.max_outage_ns !== undefined)
      out.push(
        verdict(
          j,
          'max_outage',
          'run',
          'ns',
          j.sla.max_outage_ns,
          false,
          worstOf(
            subjects.map((f) => outageFigure(e, f, j, grid)),
            false,
          ),
        ),
      );
  }
  return out;
}
