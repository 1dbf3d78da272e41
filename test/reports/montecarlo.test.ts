import { describe, expect, it } from 'vitest';
import { evaluate } from '../../reports/tco/evaluate.js';
import { pointValues } from '../../reports/tco/figures.js';
import { monteCarlo, triangular } from '../../reports/tco/montecarlo.js';
import { tornado } from '../../reports/tco/sensitivity.js';
import { catalogue, DRIVES, reference, withoutRanges } from './fixtures.js';

describe('Monte Carlo and sensitivity', () => {
  it('triangular inverse CDF: ends at low and high, the mode at its share of the range', () => {
    expect(triangular(0, 10, 20, 40)).toBe(10);
    expect(triangular(1, 10, 20, 40)).toBeCloseTo(40, 12);
    expect(triangular(1 / 3, 10, 20, 40)).toBeCloseTo(20, 12); // (20-10)/(40-10) = 1/3 of the mass below the mode
    expect(triangular(0.5, 7, 7, 7)).toBe(7);
  });

  it('the same seed gives the same bands; another seed other bands', () => {
    const s = reference();
    const c = catalogue();
    const a = monteCarlo(s, c, DRIVES, 300, 5);
    const b = monteCarlo(s, c, DRIVES, 300, 5);
    expect(b).toEqual(a);
    const other = monteCarlo(s, c, DRIVES, 300, 6);
    expect(other.stacks[0]!.total_usd.p50).not.toBe(a.stacks[0]!.total_usd.p50);
    for (const st of a.stacks) {
      expect(st.total_usd.p10).toBeLessThan(st.total_usd.p50);
      expect(st.total_usd.p50).toBeLessThan(st.total_usd.p90);
      // The yearly bands add up roughly to the total's P50 (medians do not add exactly).
      const years = st.years_usd.reduce((t, b) => t + b.p50, 0);
      expect(Math.abs(years - st.total_usd.p50) / st.total_usd.p50).toBeLessThan(0.05);
    }
  });

  it('without ranges, P10 = P50 = P90 = the point estimate for every total', () => {
    const s = reference();
    const c = withoutRanges(catalogue());
    const mc = monteCarlo(s, c, DRIVES, 50, 1);
    const point = evaluate(s, pointValues(c), DRIVES);
    expect(mc.uncertain).toEqual([]);
    point.stacks.forEach((st, i) => {
      expect(mc.stacks[i]!.total_usd).toEqual({ p10: st.total_usd, p50: st.total_usd, p90: st.total_usd });
      expect(mc.stacks[i]!.npv_usd.p50).toBe(st.npv_usd);
    });
    point.comparisons.forEach((cmp, i) => expect(mc.comparisons[i]!.savings_usd.p50).toBe(cmp.savings_usd));
    // Every total, down to each category and year.
    point.stacks.forEach((st, i) => {
      const staff = st.lines.filter((l) => l.category === 'staff').reduce((t, l) => t + l.cost_usd, 0);
      expect(mc.stacks[i]!.categories_usd.staff.p50).toBeCloseTo(staff, 6);
      const year2 = st.lines.filter((l) => l.year === 2).reduce((t, l) => t + l.cost_usd, 0);
      expect(mc.stacks[i]!.years_usd[2]!.p10).toBeCloseTo(year2, 6);
    });
  });

  it('tornado: sorted by swing, and a dearer appliance subscription means smaller savings', () => {
    const t = tornado(reference(), catalogue(), DRIVES, 'diy-oss-db');
    for (let i = 1; i < t.bars.length; i++) expect(t.bars[i - 1]!.swing_usd).toBeGreaterThanOrEqual(t.bars[i]!.swing_usd);
    const sub = t.bars.find((b) => b.figure === 'appliance_subscription_usd_per_node_year')!;
    expect(sub.atHigh_usd).toBeLessThan(t.base_usd);
    expect(sub.atLow_usd).toBeGreaterThan(t.base_usd);
    // A figure only the commercial-DB stack uses does not move savings against an open-source stack.
    expect(t.bars.find((b) => b.figure === 'commercial_db_discount')!.swing_usd).toBe(0);
  });
});
