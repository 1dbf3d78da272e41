import { mkdtempSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnvilError } from '../../platform/errors.js';
import { applyOverrides, builtInCatalogueDir, loadCatalogue, parseCatalogueFile } from '../../reports/tco/catalogue.js';
import { REQUIRED_FIGURES } from '../../reports/tco/figures.js';
import { catalogue } from './fixtures.js';

function caught(fn: () => unknown): AnvilError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AnvilError) return e;
    throw e;
  }
  throw new Error('expected an AnvilError');
}

describe('cost catalogue', () => {
  it('the built-in catalogue defines every figure the method needs, each with a source and year', () => {
    const c = catalogue();
    for (const id of REQUIRED_FIGURES) expect(c.has(id), id).toBe(true);
    for (const f of c.values()) {
      expect(f.source.length, f.id).toBeGreaterThan(10);
      expect(f.year, f.id).toBeGreaterThanOrEqual(2000);
      if (f.range) expect(f.range[0] <= f.value && f.value <= f.range[1], f.id).toBe(true);
    }
    // Judgement is marked, not hidden: the figures no public source gives are flagged.
    expect(c.get('appliance_subscription_usd_per_node_year')!.judgement).toBe(true);
    expect(c.get('oracle_ee_usd_per_processor')!.judgement).toBe(false);
  });

  it('reports every problem of a bad file at once, with the file and the figure path', () => {
    const text = [
      'good_one: { description: d, value: 1, unit: u, source: s, year: 2024 }',
      'no_source: { description: d, value: 1, unit: u, year: 2024 }',
      'bad_range: { description: d, value: 5, unit: u, source: s, year: 2024, range: [6, 9] }',
      'typo: { description: d, value: 1, unit: u, source: s, year: 2024, sorce: x }',
    ].join('\n');
    const e = caught(() => parseCatalogueFile(text, 'costs.yaml'));
    expect(e.code).toBe('ANVIL_ERR_TCO_CATALOGUE');
    const details = e.details.join('\n');
    expect(details).toContain('costs.yaml: /no_source/source');
    expect(details).toContain('costs.yaml: /typo/sorce');
    // Range problems are checked once the shape is right.
    const e2 = caught(() => parseCatalogueFile('bad_range: { description: d, value: 5, unit: u, source: s, year: 2024, range: [6, 9] }', 'r.yaml'));
    expect(e2.details.join('\n')).toContain('r.yaml: /bad_range/range: [6, 9] must satisfy low <= value (5) <= high');
  });

  it('a figure defined twice or a required one missing is an error naming both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-cat-'));
    for (const f of readdirSync(builtInCatalogueDir())) copyFileSync(join(builtInCatalogueDir(), f), join(dir, f));
    writeFileSync(join(dir, 'zz-extra.yaml'), 'pue: { description: d, value: 1.2, unit: ratio, source: s, year: 2024 }\n');
    const e = caught(() => loadCatalogue(dir));
    expect(e.details.join('\n')).toMatch(/zz-extra\.yaml: \/pue: already defined in .*facilities\.yaml/);
    const dir2 = mkdtempSync(join(tmpdir(), 'anvil-cat-'));
    copyFileSync(join(builtInCatalogueDir(), 'staff.yaml'), join(dir2, 'staff.yaml'));
    expect(caught(() => loadCatalogue(dir2)).details.join('\n')).toContain('figure server_base_usd is missing');
  });

  it('scenario overrides replace values, keep or drop ranges, and reject unknown ids', () => {
    const c = catalogue();
    const o = applyOverrides(c, { pue: 1.4, server_power_w: 900, nvme_usd_per_tb: { value: 100, range: [90, 110], source: 'quote Q-1', year: 2026 } }, 'sc.yaml');
    expect(o.get('pue')!.value).toBe(1.4);
    expect(o.get('pue')!.range).toEqual(c.get('pue')!.range); // 1.4 is inside the catalogue's range
    expect(o.get('pue')!.source).toContain('sc.yaml');
    expect(o.get('server_power_w')!.range).toBeUndefined(); // 900 W is outside 250-600: a point
    expect(o.get('nvme_usd_per_tb')!.range).toEqual([90, 110]);
    expect(o.get('nvme_usd_per_tb')!.overridden).toBe(true);
    expect(c.get('pue')!.value).toBe(1.58); // the catalogue itself is untouched
    const e = caught(() => applyOverrides(c, { no_such_figure: 1, sds_io_latency_us: { value: 400, range: [300, 500] } }, 'sc.yaml'));
    expect(e.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    expect(e.details.join('\n')).toContain('sc.yaml: /overrides/no_such_figure: no catalogue figure has this id');
    expect(e.details.join('\n')).toContain('sc.yaml: /overrides/sds_io_latency_us: decides which model runs are made');
  });
});
