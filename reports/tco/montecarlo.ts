/**
 * Uncertainty: every figure with a range is drawn from a triangular distribution (low, mode = the point
 * value, high), independently, from its own seeded stream (`tco/figure/<id>`), so adding a figure does
 * not change the draws of the others. Each sample is a full evaluation; the bands are the 10th, 50th and
 * 90th percentiles of each total over the samples.
 */
import { quantileSorted } from 'simple-statistics';
import { RandomStreams, type RandomStream } from '../../sim/core/random.js';
import type { Catalogue } from './catalogue-schema.js';
import { CATEGORIES, type Category } from './cashflow.js';
import { evaluate } from './evaluate.js';
import { REQUIRED_FIGURES, pointValues, type FigureId, type FigureValues } from './figures.js';
import type { Scenario } from './scenario-schema.js';
import type { DriveFacts } from './sizing.js';

/** Inverse CDF of the triangular distribution on [low, high] with mode `mode`, at `u` in [0, 1). */
export function triangular(u: number, low: number, mode: number, high: number): number {
  if (high <= low) return mode;
  const split = (mode - low) / (high - low);
  return u < split ? low + Math.sqrt(u * (high - low) * (mode - low)) : high - Math.sqrt((1 - u) * (high - low) * (high - mode));
}

export interface Band {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

export interface StackBands {
  readonly id: string;
  readonly total_usd: Band;
  readonly npv_usd: Band;
  /** Cost over the horizon per category. */
  readonly categories_usd: Readonly<Record<Category, Band>>;
  /** Cost of each year of the horizon. */
  readonly years_usd: readonly Band[];
}

export interface ComparisonBands {
  readonly against: string;
  readonly savings_usd: Band;
  readonly npvSavings_usd: Band;
  /** Share of samples in which the appliance's NPV is the lower. */
  readonly applianceCheaperShare: number;
  /** Break-even month over the samples that break even within the horizon; null if none do. */
  readonly breakEvenMonth: Band | null;
}

export interface MonteCarloResult {
  readonly samples: number;
  readonly seed: number;
  /** Figures drawn (those with a range). */
  readonly uncertain: readonly FigureId[];
  readonly stacks: readonly StackBands[];
  readonly comparisons: readonly ComparisonBands[];
}

function band(values: Float64Array): Band {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  return { p10: quantileSorted(arr, 0.1), p50: quantileSorted(arr, 0.5), p90: quantileSorted(arr, 0.9) };
}

export function monteCarlo(
  scenario: Scenario,
  catalogue: Catalogue,
  drives: DriveFacts,
  samples = scenario.monte_carlo_samples,
  seed = scenario.seed,
): MonteCarloResult {
  const point = pointValues(catalogue);
  const streams = new RandomStreams(seed);
  const uncertain = REQUIRED_FIGURES.filter((id) => catalogue.get(id)!.range !== undefined);
  const draws: [FigureId, RandomStream, number, number, number][] = uncertain.map((id) => {
    const f = catalogue.get(id)!;
    return [id, streams.get(`tco/figure/${id}`), f.range![0], f.value, f.range![1]];
  });
  const stackIds = scenario.stacks.map((s) => s.id);
  const totals = stackIds.map(() => new Float64Array(samples));
  const npvs = stackIds.map(() => new Float64Array(samples));
  const categories = stackIds.map(() => CATEGORIES.map(() => new Float64Array(samples)));
  const years = stackIds.map(() => Array.from({ length: scenario.horizon_years }, () => new Float64Array(samples)));
  const categoryIndex = new Map<Category, number>(CATEGORIES.map((c, k) => [c, k]));
  let comparisonIds: string[] = [];
  let savings: Float64Array[] = [];
  let npvSavings: Float64Array[] = [];
  let breakEvens: number[][] = [];
  for (let i = 0; i < samples; i++) {
    const values: Record<FigureId, number> = { ...point };
    for (const [id, stream, low, mode, high] of draws) values[id] = triangular(stream.next(), low, mode, high);
    const e = evaluate(scenario, values as FigureValues, drives);
    if (i === 0) {
      comparisonIds = e.comparisons.map((c) => c.against);
      savings = comparisonIds.map(() => new Float64Array(samples));
      npvSavings = comparisonIds.map(() => new Float64Array(samples));
      breakEvens = comparisonIds.map(() => []);
    }
    e.stacks.forEach((s, k) => {
      totals[k]![i] = s.total_usd;
      npvs[k]![i] = s.npv_usd;
      for (const l of s.lines) {
        const byCategory = categories[k]![categoryIndex.get(l.category)!]!;
        const byYear = years[k]![l.year]!;
        byCategory[i] = byCategory[i]! + l.cost_usd;
        byYear[i] = byYear[i]! + l.cost_usd;
      }
    });
    e.comparisons.forEach((c, k) => {
      savings[k]![i] = c.savings_usd;
      npvSavings[k]![i] = c.npvSavings_usd;
      if (c.breakEvenMonth !== null) breakEvens[k]!.push(c.breakEvenMonth);
    });
  }
  return {
    samples,
    seed,
    uncertain,
    stacks: stackIds.map((id, k) => ({
      id,
      total_usd: band(totals[k]!),
      npv_usd: band(npvs[k]!),
      categories_usd: Object.fromEntries(CATEGORIES.map((c, j) => [c, band(categories[k]![j]!)])) as Record<Category, Band>,
      years_usd: years[k]!.map(band),
    })),
    comparisons: comparisonIds.map((against, k) => ({
      against,
      savings_usd: band(savings[k]!),
      npvSavings_usd: band(npvSavings[k]!),
      applianceCheaperShare: npvSavings[k]!.filter((v) => v > 0).length / samples,
      breakEvenMonth: breakEvens[k]!.length > 0 ? band(Float64Array.from(breakEvens[k]!)) : null,
    })),
  };
}
