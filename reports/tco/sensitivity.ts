/**
 * One-at-a-time sensitivity for the tornado: each figure with a range is set to its low and then its
 * high end, all others at their point values, and the change of the appliance's NPV savings against one
 * alternative is recorded. Sorted by swing, widest first.
 */
import type { Catalogue } from './catalogue-schema.js';
import { evaluate } from './evaluate.js';
import { REQUIRED_FIGURES, pointValues, type FigureId, type FigureValues } from './figures.js';
import type { Scenario } from './scenario-schema.js';
import type { DriveFacts } from './sizing.js';

export interface TornadoBar {
  readonly figure: FigureId;
  readonly description: string;
  readonly low: number;
  readonly high: number;
  /** NPV savings with the figure at its low and at its high end, USD. */
  readonly atLow_usd: number;
  readonly atHigh_usd: number;
  /** |atHigh - atLow|. */
  readonly swing_usd: number;
}

export interface Tornado {
  /** The alternative the savings are measured against. */
  readonly against: string;
  /** NPV savings with every figure at its point value, USD. */
  readonly base_usd: number;
  readonly bars: readonly TornadoBar[];
}

export function tornado(scenario: Scenario, catalogue: Catalogue, drives: DriveFacts, against: string): Tornado {
  const point = pointValues(catalogue);
  const savings = (values: FigureValues) => {
    const c = evaluate(scenario, values, drives).comparisons.find((x) => x.against === against);
    if (!c) throw new Error(`no comparison against ${against}`);
    return c.npvSavings_usd;
  };
  const bars: TornadoBar[] = [];
  for (const id of REQUIRED_FIGURES) {
    const f = catalogue.get(id)!;
    if (!f.range) continue;
    const atLow_usd = savings({ ...point, [id]: f.range[0] });
    const atHigh_usd = savings({ ...point, [id]: f.range[1] });
    bars.push({
      figure: id,
      description: f.description,
      low: f.range[0],
      high: f.range[1],
      atLow_usd,
      atHigh_usd,
      swing_usd: Math.abs(atHigh_usd - atLow_usd),
    });
  }
  bars.sort((a, b) => b.swing_usd - a.swing_usd || a.figure.localeCompare(b.figure));
  return { against, base_usd: savings(point), bars };
}
