/**
 * A report is never written with a figure that is not a number: JSON would print NaN and Infinity as
 * null, the HTML as "NaN". Inputs within their schema ranges should never get here; this is the last
 * guard, naming the first figures that went wrong.
 */
import { AnvilError } from '../../platform/errors.js';

/** JSON-pointer paths of every number in `value` that is NaN or infinite. */
export function nonFiniteFigures(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path || '/'];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFiniteFigures(v, `${path}/${i}`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => nonFiniteFigures(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  return [];
}

/** Throws ANVIL_ERR_TCO_SCENARIO naming up to five figures of `data` that are not finite numbers. */
export function requireFiniteFigures(data: unknown, scenarioFile: string, what: string): void {
  const bad = nonFiniteFigures(data);
  if (bad.length === 0) return;
  const shown = bad.slice(0, 5).map((p) => `${what} ${p}`);
  throw new AnvilError(
    'ANVIL_ERR_TCO_SCENARIO',
    `${scenarioFile}: the analysis gives ${bad.length} figure${bad.length > 1 ? 's' : ''} that ${bad.length > 1 ? 'are' : 'is'} not a finite number (the scenario's numbers are too large to compute with); no report was written. Bring the workload figures (sizes, IOPS, counts) to real values`,
    bad.length > 5 ? [...shown, `... and ${bad.length - 5} more`] : shown,
  );
}
