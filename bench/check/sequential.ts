/**
 * The level each look of a sequential comparison is judged at. `anvil check --target host --baseline DIR
 * --confirm-rounds N` compares once, then again after each confirmation round: up to N + 1 looks at
 * growing evidence. Testing every look at the family's alpha inflates the chance of a false verdict
 * somewhere along the way (Armitage, McPherson & Rowe 1969, J. R. Stat. Soc. A 132:235-244: five looks
 * at a nominal 5% err 14% of the time; Jennison & Turnbull 2000, Group Sequential Methods with
 * Applications to Clinical Trials, Table 1.1).
 *
 * The correction is Bonferroni over the planned looks: each look gets alpha / (N + 1), so by the union
 * bound the chance that any look's verdict is wrong stays at most alpha whatever the looks' dependence
 * (Jennison & Turnbull 2000, section 1.3 and chapter 2, as the conservative bound on repeated testing).
 * Pocock's (1977, Biometrika 64:191-199) and O'Brien & Fleming's (1979, Biometrics 35:549-556)
 * boundaries, and Lan & DeMets' spending functions, spend less but are computed for statistics whose
 * looks have the canonical joint distribution (normal increments, correlation sqrt(t_i / t_j) from known
 * information fractions). A confirmation round has none of that: only the current side grows (the
 * baseline is the same at every look), the statistic is a bootstrap interval of a ratio of percentiles,
 * and a round reruns only the inconclusive scenarios. The union bound needs no such assumption; its
 * price is some power at the later looks, and at 0 rounds (one look) the family's alpha is unchanged.
 *
 * It covers both conclusive verdicts: a regression (the interval of the change wholly beyond the
 * tolerance) and OK (wholly inside) are each wrong only where the look's two-sided interval at
 * 1 - alpha_look / m misses the true change, which over every look and check happens with probability at
 * most alpha.
 */

/** The alpha each of the planned looks is judged at: `familyAlpha` split evenly over `plannedRounds` + 1 looks. */
export function lookAlpha(familyAlpha: number, plannedRounds: number): number {
  if (!Number.isInteger(plannedRounds) || plannedRounds < 0)
    throw new RangeError(`planned rounds must be a whole number >= 0, not ${plannedRounds}`);
  return familyAlpha / (plannedRounds + 1);
}
