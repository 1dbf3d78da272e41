/**
 * A check's runs against a stored baseline (`anvil check --baseline DIR`): per SLA limit, the statistic of
 * the whole steady state (IOPS or bandwidth over the run, the percentile of the merged interval histograms)
 * on both sides, the relative change and its confidence interval from a paired hierarchical block bootstrap
 * over the seeds both share and their intervals (bootstrap.ts; unpaired where one side holds more runs:
 * confirmation rounds on hardware), and a three-way verdict: a regression only
 * when the whole interval of the change lies beyond the SLA's regression tolerance (and Holm's adjusted
 * p-value across the comparison's checks is below alpha), OK when it lies inside, inconclusive otherwise.
 * Identical evidence reports identical. Outages are judged against their limit only, not compared.
 */
import { figures, intervalGrid, minSamplesForPercentile, type JudgedSla } from './evaluate.js';
import { DEFAULT_RESAMPLES, drawBlocks, hashSeed, holm, quantileSorted, seededRandom, type Draw } from './bootstrap.js';
import type { ResultsEvidence } from './results-evidence.js';

/** Family-wise error rate of one comparison, one-sided. */
export const COMPARISON_ALPHA = 0.05;

/** Per-interval evidence of one SLA on one run, all its subjects together; intervals in time order. */
export interface SlaSeries {
  /** End of each interval, ns from the start of the run. */
  readonly ends_ns: readonly number[];
  readonly lengths_ns: readonly number[];
  readonly ios: readonly number[];
  readonly bytes: readonly number[];
  /** Completion-latency bucket counts per interval: bucket value (ns) -> I/Os. */
  readonly latency: readonly ReadonlyMap<number, number>[];
}

export function slaSeries(j: JudgedSla, e: ResultsEvidence): SlaSeries {
  const grid = intervalGrid(e.intervals, j);
  const ends = [...grid.keys()];
  const ios = ends.map(() => 0);
  const bytes = ends.map(() => 0);
  const latency = ends.map(() => new Map<number, number>());
  for (const s of j.subjects) {
    const f = figures(e, s, j, grid);
    ends.forEach((end, i) => {
      ios[i]! += f.ios.get(end)!;
      bytes[i]! += f.bytes.get(end)!;
      for (const [v, c] of f.latencyByInterval.get(end) ?? []) latency[i]!.set(v, (latency[i]!.get(v) ?? 0) + c);
    });
  }
  return { ends_ns: ends, lengths_ns: [...grid.values()], ios, bytes, latency };
}

export type ComparisonVerdict = 'identical' | 'ok' | 'regression' | 'inconclusive' | 'skipped';

export interface BaselineComparison {
  readonly sla: string;
  /** min_iops, min_bandwidth, max_latency_pNN: the SLA limit whose statistic is compared (over the run). */
  readonly check: string;
  readonly unit: 'IOPS' | 'bytes/s' | 'ns';
  /** The seeds both sides ran, paired. */
  readonly seeds: readonly number[];
  /** Set where the sides hold different numbers of runs (confirmation rounds): compared unpaired. */
  readonly runs?: { readonly baseline: number; readonly current: number };
  readonly baseline: number | null;
  readonly current: number | null;
  /** current / baseline - 1; positive is more IOPS or more latency. */
  readonly change: number | null;
  /** Confidence interval of the change at `confidence`. */
  readonly ci: readonly [number, number] | null;
  readonly confidence: number;
  /**
   * Family-wise alpha this comparison was judged at: COMPARISON_ALPHA, or with confirmation rounds its
   * share per look (sequential.ts); `confidence` is 1 - alpha / (the family's checks).
   */
  readonly alpha: number;
  /** The change in the worse direction the SLA lets pass (its regression_tolerance). */
  readonly tolerance: number;
  /** One-sided bootstrap p-value of "no worse than the tolerance", and Holm's adjustment across the comparison. */
  readonly p_value: number | null;
  readonly p_holm: number | null;
  readonly verdict: ComparisonVerdict;
  readonly note?: string;
}

/**
 * Both sides' series of one SLA: one run per shared seed, paired by index. On hardware a side may hold
 * more runs (confirmation rounds: a seed does not repeat a host run); then the sides are drawn unpaired.
 */
export interface PairedEvidence {
  readonly sla: JudgedSla;
  readonly seeds: readonly number[];
  readonly baseline: readonly SlaSeries[];
  readonly current: readonly SlaSeries[];
}

/** A statistic of a side under a draw (undefined: the full series). */
type Statistic = (side: readonly SlaSeries[], draw?: Draw) => { value: number; n: number };

function drawnIntervals(side: readonly SlaSeries[], draw: Draw | undefined, visit: (s: SlaSeries, i: number) => void): void {
  if (!draw) {
    for (const s of side) for (let i = 0; i < s.lengths_ns.length; i++) visit(s, i);
    return;
  }
  for (const d of draw) {
    const s = side[d.seed]!;
    // Both sides ran the same times; where one has fewer intervals, the index wraps onto what it has.
    for (const i of d.intervals) if (s.lengths_ns.length > 0) visit(s, i % s.lengths_ns.length);
  }
}

function rateStatistic(field: 'ios' | 'bytes'): Statistic {
  return (side, draw) => {
    let total = 0;
    let span = 0;
    drawnIntervals(side, draw, (s, i) => {
      total += s[field][i]!;
      span += s.lengths_ns[i]!;
    });
    return { value: span > 0 ? (total * 1e9) / span : 0, n: total };
  };
}

/** Percentile `p` of the merged histograms of the drawn intervals, over a bucket index shared by `sides` for speed. */
function percentileStatistic(p: number, sides: readonly (readonly SlaSeries[])[]): Statistic {
  const values = new Set<number>();
  for (const side of sides) for (const s of side) for (const m of s.latency) for (const v of m.keys()) values.add(v);
  const sorted = [...values].sort((a, b) => a - b);
  const index = new Map(sorted.map((v, i) => [v, i]));
  const sparse = new Map<ReadonlyMap<number, number>, { idx: Int32Array; count: Float64Array }>();
  for (const side of sides)
    for (const s of side)
      for (const m of s.latency)
        sparse.set(m, { idx: Int32Array.from(m.keys(), (v) => index.get(v)!), count: Float64Array.from(m.values()) });
  const acc = new Float64Array(sorted.length);
  return (side, draw) => {
    acc.fill(0);
    let n = 0;
    drawnIntervals(side, draw, (s, i) => {
      const h = sparse.get(s.latency[i]!)!;
      for (let k = 0; k < h.idx.length; k++) {
        acc[h.idx[k]!]! += h.count[k]!;
        n += h.count[k]!;
      }
    });
    if (n === 0) return { value: 0, n };
    const target = (p / 100) * n;
    let cumulative = 0;
    for (let k = 0; k < acc.length; k++) {
      cumulative += acc[k]!;
      if (cumulative >= target && cumulative > 0) return { value: sorted[k]!, n };
    }
    return { value: sorted[sorted.length - 1]!, n };
  };
}

/**
 * Percentile `p` (ns) of one side's merged steady-state histograms, with its percentile bootstrap interval
 * at `confidence` from the same block draws the comparison makes (`resamples` of them, seeded by `label`).
 */
export function percentileWithBand(
  p: number,
  side: readonly SlaSeries[],
  label: string,
  confidence = 0.95,
  resamples = DEFAULT_RESAMPLES,
): { value: number; n: number; band: readonly [number, number] | null } {
  const statistic = percentileStatistic(p, [side]);
  const whole = statistic(side);
  if (whole.n === 0) return { ...whole, band: null };
  const random = seededRandom(hashSeed(label));
  const perSeed = side.map((s) => s.lengths_ns.length);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) values.push(statistic(side, drawBlocks(random, perSeed)).value);
  values.sort((a, b) => a - b);
  const band = [quantileSorted(values, (1 - confidence) / 2), quantileSorted(values, 1 - (1 - confidence) / 2)] as const;
  return { ...whole, band };
}

const sameSeries = (a: readonly SlaSeries[], b: readonly SlaSeries[]) =>
  JSON.stringify(a, mapsAsArrays) === JSON.stringify(b, mapsAsArrays);
function mapsAsArrays(_key: string, value: unknown): unknown {
  return value instanceof Map ? [...value] : value;
}

interface Pending {
  readonly base: Omit<BaselineComparison, 'p_holm' | 'verdict' | 'ci' | 'confidence' | 'alpha'>;
  readonly floor: boolean;
  readonly replicates?: readonly number[];
}

/** The checks one SLA compares: its rate floors and latency ceilings (outage is not compared). */
function statisticsOf(
  pair: PairedEvidence,
): { check: string; unit: BaselineComparison['unit']; floor: boolean; statistic: Statistic; need: number }[] {
  const sla = pair.sla.sla;
  const out: ReturnType<typeof statisticsOf> = [];
  if (sla.min_iops !== undefined) out.push({ check: 'min_iops', unit: 'IOPS', floor: true, statistic: rateStatistic('ios'), need: 1 });
  if (sla.min_bandwidth_bytes_per_s !== undefined)
    out.push({ check: 'min_bandwidth', unit: 'bytes/s', floor: true, statistic: rateStatistic('bytes'), need: 1 });
  for (const p of Object.keys(sla.max_latency_ns ?? {}))
    out.push({
      check: `max_latency_p${p}`,
      unit: 'ns',
      floor: false,
      statistic: percentileStatistic(Number(p), [pair.baseline, pair.current]),
      need: minSamplesForPercentile(Number(p)),
    });
  return out;
}

/**
 * Compares each SLA's statistics between baseline and current with `resamples` paired resamples; every
 * comparison is one family for Holm's adjustment and the confidence level 1 - alpha/m of the intervals.
 * `alpha` is the family's (one look of confirmation rounds judges at its share: sequential.ts).
 */
export function compareWithBaseline(
  pairs: readonly PairedEvidence[],
  resamples = DEFAULT_RESAMPLES,
  alpha = COMPARISON_ALPHA,
): BaselineComparison[] {
  const pending: Pending[] = [];
  for (const pair of pairs) {
    const tolerance = pair.sla.sla.regression_tolerance;
    // One run a side per seed: drawn with the same indices. Otherwise (more rounds on one side) unpaired.
    const paired = pair.baseline.length === pair.current.length;
    for (const s of statisticsOf(pair)) {
      const b = s.statistic(pair.baseline);
      const c = s.statistic(pair.current);
      const base = {
        sla: pair.sla.sla.name,
        check: s.check,
        unit: s.unit,
        seeds: pair.seeds,
        ...(paired ? {} : { runs: { baseline: pair.baseline.length, current: pair.current.length } }),
        baseline: b.value,
        current: c.value,
        change: b.value > 0 ? c.value / b.value - 1 : null,
        tolerance,
        p_value: null,
      };
      if (pair.seeds.length === 0) {
        pending.push({
          base: {
            ...base,
            baseline: null,
            current: null,
            change: null,
            note: 'the baseline holds no run of this scenario on this stack with these seeds (check the baseline with the same --stack and --seeds)',
          },
          floor: s.floor,
        });
        continue;
      }
      if (b.n < s.need || c.n < s.need || base.change === null) {
        const note =
          base.change === null
            ? 'the baseline figure is 0'
            : `${s.check.slice('max_latency_'.length)} needs at least ${s.need} I/Os a side; baseline ${b.n}, current ${c.n}: run both sides longer or with more seeds (--seeds N) to judge it`;
        pending.push({ base: { ...base, change: null, note }, floor: s.floor });
        continue;
      }
      if (sameSeries(pair.baseline, pair.current)) {
        pending.push({ base: { ...base, change: 0, p_value: 1, note: 'identical evidence' }, floor: s.floor, replicates: [0] });
        continue;
      }
      const random = seededRandom(hashSeed(`${pair.sla.sla.name}/${s.check}/${pair.seeds.join(',')}`));
      const perSeed = paired
        ? pair.current.map((x, i) => Math.max(x.lengths_ns.length, pair.baseline[i]!.lengths_ns.length))
        : pair.baseline.map((x) => x.lengths_ns.length);
      const currentPerRun = pair.current.map((x) => x.lengths_ns.length);
      const replicates: number[] = [];
      let notWorse = 0;
      for (let r = 0; r < resamples; r++) {
        const draw = drawBlocks(random, perSeed);
        const bv = s.statistic(pair.baseline, draw).value;
        // Unpaired (confirmation rounds): each side's runs and intervals drawn on their own.
        const currentDraw = paired ? draw : drawBlocks(random, currentPerRun);
        const change = bv > 0 ? s.statistic(pair.current, currentDraw).value / bv - 1 : 0;
        replicates.push(change);
        if ((s.floor ? -change : change) <= tolerance) notWorse++;
      }
      pending.push({ base: { ...base, p_value: (notWorse + 1) / (resamples + 1) }, floor: s.floor, replicates });
    }
  }
  const tested = pending.filter((x) => x.base.p_value !== null);
  const adjusted = holm(tested.map((x) => x.base.p_value!));
  const m = Math.max(1, tested.length);
  const confidence = 1 - alpha / m;
  return pending.map((x) => {
    const k = tested.indexOf(x);
    if (k < 0 || !x.replicates) return { ...x.base, ci: null, confidence, alpha, p_holm: null, verdict: 'skipped' as const };
    const sorted = [...x.replicates].sort((a, b) => a - b);
    const ci = [quantileSorted(sorted, (1 - confidence) / 2), quantileSorted(sorted, 1 - (1 - confidence) / 2)] as const;
    const p_holm = adjusted[k]!;
    if (x.base.note === 'identical evidence') return { ...x.base, ci, confidence, alpha, p_holm, verdict: 'identical' as const };
    // The worse direction: less IOPS or bandwidth, more latency.
    const worse = x.floor ? ([-ci[1], -ci[0]] as const) : ci;
    const tol = x.base.tolerance;
    const verdict = worse[0] > tol && p_holm < alpha ? 'regression' : worse[1] <= tol ? 'ok' : 'inconclusive';
    return { ...x.base, ci, confidence, alpha, p_holm, verdict };
  });
}
