/** Shared pieces of the TCO tests: the reference scenario, the built-in catalogue, drive figures without the model. */
import { join } from 'node:path';
import { loadCatalogue } from '../../reports/tco/catalogue.js';
import type { Catalogue, CatalogueFigure } from '../../reports/tco/catalogue-schema.js';
import { pointValues, type FigureValues } from '../../reports/tco/figures.js';
import { loadScenario } from '../../reports/tco/scenario.js';
import type { Scenario } from '../../reports/tco/scenario-schema.js';
import type { DriveFacts } from '../../reports/tco/sizing.js';

export const REFERENCE = join(import.meta.dirname, '..', '..', 'reports', 'scenarios', 'reference.yaml');

export function reference(): Scenario {
  return loadScenario(REFERENCE);
}

export function catalogue(): Catalogue {
  return loadCatalogue();
}

export function figures(overrides: Partial<Record<keyof FigureValues, number>> = {}): FigureValues {
  return { ...pointValues(catalogue()), ...overrides };
}

/** Drive figures of the order the model gives for a P4510 (fixed here so sizing tests need no simulation). */
export const DRIVES: DriveFacts = { capacity_tb: 4, iopsAtSla: { appliance: 90000, 'diy-db-outside': 120000, 'diy-sds': 18000 } };

/** The catalogue with every range removed: a scenario without uncertainty. */
export function withoutRanges(c: Catalogue): Catalogue {
  const out = new Map<string, CatalogueFigure>();
  for (const [id, f] of c) {
    const { range: _range, ...rest } = f;
    out.set(id, rest);
  }
  return out;
}
