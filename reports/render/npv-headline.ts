/**
 * The NPV figure a report headlines for each stack, one definition for the summary, the tables, the
 * chart and tco.json: the median (P50) of the Monte Carlo samples, discounted. (The expected value is the
 * mean; the report does not headline it.) The point estimate (every figure at
 * its most likely value) can sit below the P10 because most ranges are skewed upward (a triangular
 * distribution's mode is below its median when its high side is the longer), so the sum of modes is
 * low. The point estimate is shown beside it, and `explanation` says in plain words why whenever it
 * lies outside the P10-P90 band.
 */
import { formatUsd } from '../charts/plot-svg.js';
import type { TcoAnalysis } from '../tco/tco.js';

export interface NpvHeadline {
  readonly stack: string;
  /** The NPV the report headlines: the median (P50) of the Monte Carlo samples, USD. */
  readonly median_usd: number;
  readonly p10_usd: number;
  readonly p90_usd: number;
  /** NPV with every figure at its point value (the mode of its range), USD. */
  readonly point_usd: number;
  /** Where the point estimate lies against the P10-P90 band. */
  readonly point_position: 'below-p10' | 'within' | 'above-p90';
  /** Why the point estimate is outside the band, in plain words; null when it is within. */
  readonly explanation: string | null;
}

export function npvHeadline(a: TcoAnalysis, stackId: string): NpvHeadline {
  const band = a.monteCarlo.stacks.find((b) => b.id === stackId)!.npv_usd;
  const point = a.point.stacks.find((s) => s.id === stackId)!.npv_usd;
  const position = point < band.p10 ? 'below-p10' : point > band.p90 ? 'above-p90' : 'within';
  const label = a.scenario.stacks.find((s) => s.id === stackId)?.label ?? stackId;
  const below = position === 'below-p10';
  const bound = below ? band.p10 : band.p90;
  // Rounded to 3 digits the two can print the same; then whole dollars show which is the lower.
  const usd = (v: number) => (formatUsd(point) === formatUsd(bound) ? `$${Math.round(v).toLocaleString('en-US')}` : formatUsd(v));
  const explanation =
    position === 'within'
      ? null
      : `${label}'s most-likely estimate, ${usd(point)}, lies ${below ? 'below its P10' : 'above its P90'}, ${usd(bound)}: ` +
        `most cost ranges stretch further ${below ? 'above' : 'below'} their most likely value than ${below ? 'below' : 'above'} it, ` +
        `so the figures drawn together rarely all sit at their most likely values and the median (P50) cost, ${formatUsd(band.p50)}, is ${below ? 'higher' : 'lower'}`;
  return {
    stack: stackId,
    median_usd: band.p50,
    p10_usd: band.p10,
    p90_usd: band.p90,
    point_usd: point,
    point_position: position,
    explanation,
  };
}

export function npvHeadlines(a: TcoAnalysis): NpvHeadline[] {
  return a.point.stacks.map((s) => npvHeadline(a, s.id));
}
