/**
 * The figures a comparison's charts draw, from the paired evidence and its verdicts: each latency
 * subject's steady-state CDF on both sides, its p99 per interval with the bootstrap band of the whole
 * steady state's p99, and each check's change with its confidence interval and tolerance (the forest).
 * Plain data: the drawing is reports/charts' business.
 */
import { percentileWithBand, type SlaSeries } from './baseline.js';
import type { PairedRuns, StackComparison } from './baseline-report.js';
import { percentileOf } from './evaluate.js';

export type Side = 'baseline' | 'current';

/** One step of a latency CDF: the fraction of I/Os at or below `latency_us`. */
export interface CdfPoint {
  readonly subject: string;
  readonly side: Side;
  readonly latency_us: number;
  readonly fraction: number;
}

/** p99 of one interval (the seeds' histograms of that interval merged). */
export interface IntervalP99 {
  readonly subject: string;
  readonly side: Side;
  readonly end_ms: number;
  readonly p99_us: number;
}

/** The steady state's p99 on one side with its bootstrap interval, drawn over the intervals it covers. */
export interface P99Band {
  readonly subject: string;
  readonly side: Side;
  readonly from_ms: number;
  readonly to_ms: number;
  readonly p99_us: number;
  readonly low_us: number;
  readonly high_us: number;
}

/** One check's change with its interval, in percent; `tolerance_pct` is where the worse direction becomes a regression. */
export interface ForestRow {
  readonly label: string;
  readonly change_pct: number;
  readonly low_pct: number;
  readonly high_pct: number;
  readonly tolerance_pct: number;
  readonly verdict: string;
}

export interface CompareFigures {
  readonly cdf: readonly CdfPoint[];
  readonly intervals: readonly IntervalP99[];
  readonly bands: readonly P99Band[];
  readonly forest: readonly ForestRow[];
  /** The confidence levels of the forest's intervals, lowest and highest (each family has its own). */
  readonly confidence: readonly [number, number] | null;
}

const groupLabel = (p: { key: string; stack: string }) => (p.stack === '-' ? p.key : `${p.key} ${p.stack}`);

/** Merged bucket counts of every interval of every seed. */
function merged(side: readonly SlaSeries[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of side) for (const m of s.latency) addCounts(out, m);
  return out;
}

/**
 * Merged bucket counts of each interval over the seeds, index by index, in one pass (a walk of every
 * interval per interval would be quadratic: 1 ms intervals over 100 s are 1e10 steps).
 */
function mergedPerInterval(side: readonly SlaSeries[], intervals: number): Map<number, number>[] {
  const out = Array.from({ length: intervals }, () => new Map<number, number>());
  for (const s of side) for (let i = 0; i < intervals && i < s.latency.length; i++) addCounts(out[i]!, s.latency[i]!);
  return out;
}

function addCounts(into: Map<number, number>, counts: ReadonlyMap<number, number>): void {
  for (const [v, c] of counts) into.set(v, (into.get(v) ?? 0) + c);
}

function cdfOf(subject: string, side: Side, counts: ReadonlyMap<number, number>): CdfPoint[] {
  let n = 0;
  for (const c of counts.values()) n += c;
  let cumulative = 0;
  return [...counts.keys()]
    .sort((a, b) => a - b)
    .map((v) => {
      cumulative += counts.get(v)!;
      return { subject, side, latency_us: v / 1000, fraction: cumulative / n };
    });
}

/** The latency subjects charted: a group's SLAs with a latency limit, or its jobs where it has no such SLA. */
function latencyPairs(paired: readonly PairedRuns[]): { subject: string; series: Record<Side, readonly SlaSeries[]> }[] {
  const out: ReturnType<typeof latencyPairs> = [];
  const groups = [...new Set(paired.map(groupLabel))];
  for (const g of groups) {
    const mine = paired.filter((p) => groupLabel(p) === g);
    const slas = mine.filter((p) => p.of === 'slas').flatMap((p) => p.pairs.filter((x) => x.sla.sla.max_latency_ns !== undefined));
    const chosen = slas.length > 0 ? slas : mine.filter((p) => p.of === 'jobs').flatMap((p) => p.pairs);
    for (const x of chosen)
      if (x.seeds.length > 0) out.push({ subject: `${g}: ${x.sla.sla.name}`, series: { baseline: x.baseline, current: x.current } });
  }
  return out;
}

const STATISTIC_TEXT = (check: string) =>
  check === 'min_iops' ? 'IOPS' : check === 'min_bandwidth' ? 'bandwidth' : `${check.slice('max_latency_'.length)} latency`;

/** Every chart's figures; `resamples` for the p99 bands (the comparison's own count by default). */
export function compareFigures(paired: readonly PairedRuns[], compared: readonly StackComparison[], resamples?: number): CompareFigures {
  const cdf: CdfPoint[] = [];
  const intervals: IntervalP99[] = [];
  const bands: P99Band[] = [];
  for (const { subject, series } of latencyPairs(paired))
    for (const side of ['baseline', 'current'] as const) {
      const s = series[side];
      cdf.push(...cdfOf(subject, side, merged(s)));
      const ends = s[0]?.ends_ns ?? [];
      const perInterval = mergedPerInterval(s, ends.length);
      ends.forEach((end, i) => {
        const p = percentileOf(perInterval[i]!, 99);
        if (p.n > 0) intervals.push({ subject, side, end_ms: end / 1e6, p99_us: p.value / 1000 });
      });
      const whole = percentileWithBand(99, s, `${subject}/${side}`, 0.95, resamples);
      if (whole.band && ends.length > 0)
        bands.push({
          subject,
          side,
          from_ms: (ends[0]! - s[0]!.lengths_ns[0]!) / 1e6,
          to_ms: ends[ends.length - 1]! / 1e6,
          p99_us: whole.value / 1000,
          low_us: whole.band[0] / 1000,
          high_us: whole.band[1] / 1000,
        });
    }
  const forest = compared.flatMap((s) =>
    s.comparisons.flatMap((c) =>
      c.change === null || c.ci === null
        ? []
        : [
            {
              label: `${groupLabel(s)}: ${c.sla} ${STATISTIC_TEXT(c.check)}`,
              change_pct: c.change * 100,
              low_pct: c.ci[0] * 100,
              high_pct: c.ci[1] * 100,
              tolerance_pct: (c.check.startsWith('min_') ? -c.tolerance : c.tolerance) * 100,
              verdict: c.verdict,
            },
          ],
    ),
  );
  const levels = compared.flatMap((s) => s.comparisons.map((c) => c.confidence));
  const confidence = levels.length > 0 ? ([Math.min(...levels), Math.max(...levels)] as const) : null;
  return { cdf, intervals, bands, forest, confidence };
}
