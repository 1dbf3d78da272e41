/**
 * Issue 18: one code path for charts. Every chart is a function from data to Plot options, drawn by the
 * reports' one server renderer (reports/charts/plot-svg.ts, the only source importing jsdom) or by Plot in
 * the dashboard's page; no report keeps a jsdom path of its own (the validation page had one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

it('only the reports renderer imports jsdom', () => {
  const importers = ['sim', 'bench', 'platform', 'reports']
    .flatMap(sources)
    .filter((file) => /from 'jsdom'|import\('jsdom'\)/.test(readFileSync(file, 'utf8')));
  expect(importers).toEqual([join('reports', 'charts', 'plot-svg.ts')]);
});
