/**
 * Totals from cost lines: per year and category, month-by-month cumulative cost, net present value, and
 * the month the appliance breaks even against an alternative. Conventions (as in Forrester's TEI):
 * upfront lines fall at the start of their year (year 0's undiscounted), spread lines at the end of
 * their year; month by month, an upfront line falls at the month its year starts (month 12y, where
 * month 0 is the day of purchase) and a spread line one twelfth at the end of each of its months.
 */
import { CATEGORIES, type Category, type CostLine } from './cashflow.js';

/** Present value of `lines` at a yearly `rate`. */
export function presentValue_usd(lines: readonly CostLine[], rate: number): number {
  let pv = 0;
  for (const l of lines) pv += l.cost_usd / (1 + rate) ** (l.timing === 'upfront' ? l.year : l.year + 1);
  return pv;
}

/** The discount factor of a line (what one dollar of it is worth today). */
export function discountFactor(line: Pick<CostLine, 'year' | 'timing'>, rate: number): number {
  return 1 / (1 + rate) ** (line.timing === 'upfront' ? line.year : line.year + 1);
}

/** Cumulative cost at the end of each month 0..12 x horizon (month 0 holds what is paid on day one). */
export function cumulativeByMonth_usd(lines: readonly CostLine[], horizon_years: number): Float64Array {
  const months = 12 * horizon_years;
  const flow = new Float64Array(months + 1);
  for (const l of lines) {
    if (l.timing === 'upfront') flow[12 * l.year] = flow[12 * l.year]! + l.cost_usd;
    else for (let m = 12 * l.year + 1; m <= 12 * l.year + 12; m++) flow[m] = flow[m]! + l.cost_usd / 12;
  }
  for (let m = 1; m <= months; m++) flow[m] = flow[m]! + flow[m - 1]!;
  return flow;
}

/**
 * The first month from which the appliance's cumulative cost stays at or below the alternative's to
 * the end of the horizon; 0 when it is never above; null when it is still above at the end.
 */
export function breakEvenMonth(appliance: ArrayLike<number>, alternative: ArrayLike<number>): number | null {
  const last = appliance.length - 1;
  if (appliance[last]! > alternative[last]! + 1e-6) return null;
  let month = last;
  while (month > 0 && appliance[month - 1]! <= alternative[month - 1]! + 1e-6) month--;
  return month;
}

/** Sum of lines per year and category: `[year][category]`. */
export function costByYearAndCategory_usd(lines: readonly CostLine[], horizon_years: number): Record<Category, number>[] {
  const years = Array.from({ length: horizon_years }, () => Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>);
  for (const l of lines) years[l.year]![l.category] += l.cost_usd;
  return years;
}

export function total_usd(lines: readonly CostLine[]): number {
  let t = 0;
  for (const l of lines) t += l.cost_usd;
  return t;
}
