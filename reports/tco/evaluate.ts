/**
 * One evaluation of the TCO method: figures in, sizing, cost lines and totals out for every stack, with
 * the appliance's savings and break-even against each alternative. Pure and cheap (no model runs: the
 * drive figures come in ready), so Monte Carlo and the tornado call it thousands of times.
 */
import { stackCashflows, type CostLine } from './cashflow.js';
import { breakEvenMonth, cumulativeByMonth_usd, presentValue_usd, total_usd } from './finance.js';
import type { FigureValues } from './figures.js';
import type { Scenario } from './scenario-schema.js';
import { sizeStacks, type DriveFacts, type StackSizing } from './sizing.js';

export interface StackOutcome {
  readonly id: string;
  readonly sizing: StackSizing;
  readonly lines: readonly CostLine[];
  /** Undiscounted cost over the horizon. */
  readonly total_usd: number;
  /** Present value of the costs at the scenario's discount rate. */
  readonly npv_usd: number;
  /** Cumulative cost at the end of months 0..12 x horizon. */
  readonly cumulative_usd: Float64Array;
}

export interface Comparison {
  /** The alternative stack's id. */
  readonly against: string;
  /** Alternative's total minus the appliance's (positive: the appliance costs less). */
  readonly savings_usd: number;
  /** Savings as a share of the alternative's total. */
  readonly savings_fraction: number;
  readonly npvSavings_usd: number;
  readonly npvSavings_fraction: number;
  /** See `breakEvenMonth`: 0 cheaper from day one, null never within the horizon. */
  readonly breakEvenMonth: number | null;
}

export interface Evaluation {
  readonly stacks: readonly StackOutcome[];
  /** The appliance stack's id (the first stack of kind appliance). */
  readonly appliance: string;
  readonly comparisons: readonly Comparison[];
}

export function evaluate(scenario: Scenario, figures: FigureValues, drives: DriveFacts): Evaluation {
  const sizings = sizeStacks(scenario, figures, drives);
  const stacks = sizings.map((sizing): StackOutcome => {
    const lines = stackCashflows(sizing, scenario, figures, drives.capacity_tb);
    return {
      id: sizing.stack.id,
      sizing,
      lines,
      total_usd: total_usd(lines),
      npv_usd: presentValue_usd(lines, scenario.discount_rate),
      cumulative_usd: cumulativeByMonth_usd(lines, scenario.horizon_years),
    };
  });
  const appliance = stacks.find((s) => s.sizing.stack.kind === 'appliance')!;
  const comparisons = stacks
    .filter((s) => s !== appliance)
    .map((alt): Comparison => ({
      against: alt.id,
      savings_usd: alt.total_usd - appliance.total_usd,
      savings_fraction: (alt.total_usd - appliance.total_usd) / alt.total_usd,
      npvSavings_usd: alt.npv_usd - appliance.npv_usd,
      npvSavings_fraction: (alt.npv_usd - appliance.npv_usd) / alt.npv_usd,
      breakEvenMonth: breakEvenMonth(appliance.cumulative_usd, alt.cumulative_usd),
    }));
  return { stacks, appliance: appliance.id, comparisons };
}
