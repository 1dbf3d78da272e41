/**
 * The NPV a report headlines: the Monte Carlo P50, always inside its own P10-P90 band; the most-likely
 * (point) estimate beside it, with a plain explanation whenever it falls outside the band.
 */
import { describe, expect, it } from 'vitest';
import { npvHeadlines } from '../../reports/render/npv-headline.js';
import { evaluate } from '../../reports/tco/evaluate.js';
import { pointValues } from '../../reports/tco/figures.js';
import { monteCarlo } from '../../reports/tco/montecarlo.js';
import type { TcoAnalysis } from '../../reports/tco/tco.js';
import type { Catalogue } from '../../reports/tco/catalogue-schema.js';
import { catalogue, DRIVES, reference, withoutRanges } from './fixtures.js';

/** The parts of an analysis the headline reads: the point evaluation and the Monte Carlo bands. */
function analysis(c: Catalogue, samples: number): TcoAnalysis {
  const s = reference();
  return {
    scenario: s,
    point: evaluate(s, pointValues(c), DRIVES),
    monteCarlo: monteCarlo(s, c, DRIVES, samples, 3),
  } as unknown as TcoAnalysis;
}

describe('NPV headline', () => {
  it('the headlined median (P50) lies within P10-P90, and every point estimate outside the band is explained', () => {
    const heads = npvHeadlines(analysis(catalogue(), 300));
    expect(heads.length).toBe(4);
    for (const h of heads) {
      expect(h.p10_usd).toBeLessThanOrEqual(h.median_usd);
      expect(h.median_usd).toBeLessThanOrEqual(h.p90_usd);
      const outside = h.point_usd < h.p10_usd || h.point_usd > h.p90_usd;
      expect(h.point_position === 'within').toBe(!outside);
      if (outside)
        expect(h.explanation).toMatch(
          /most-likely estimate, \$[0-9,.kM]+, lies (below its P10|above its P90), \$[0-9,.kM]+: most cost ranges stretch further/,
        );
      else expect(h.explanation).toBeNull();
    }
    // With the catalogue's upward-skewed ranges the most-likely estimate sits low: at least one stack below its P10.
    expect(heads.some((h) => h.point_position === 'below-p10')).toBe(true);
  });

  it('without ranges the median is the point estimate and nothing needs explaining', () => {
    const a = analysis(withoutRanges(catalogue()), 30);
    for (const h of npvHeadlines(a)) {
      expect(h.median_usd).toBe(h.point_usd);
      expect(h.point_position).toBe('within');
      expect(h.explanation).toBeNull();
    }
  });
});
