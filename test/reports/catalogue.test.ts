import { writeFileSync, copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { tempDir } from '../cli-harness.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverrides, builtInCatalogueDir, loadCatalogue, parseCatalogueFile } from '../../reports/tco/catalogue.js';
import { REQUIRED_FIGURES } from '../../reports/tco/figures.js';
import { catalogue } from './fixtures.js';
import { caughtAnvilError } from '../caught.js';

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
    const e = caughtAnvilError(() => parseCatalogueFile(text, 'costs.yaml'));
    expect(e.code).toBe('ANVIL_ERR_TCO_CATALOGUE');
    const details = e.details.join('\n');
    expect(details).toContain('costs.yaml:2: /no_source/source: Expected required property');
    expect(details).toContain('costs.yaml:4: /typo/sorce: not a known field, allowed: description|value|unit|range|source|year|judgement');
    expect(e.details.length).toBe(2); // one line per path, though typebox reports the missing source twice
    // Range problems are checked once the shape is right.
    const e2 = caughtAnvilError(() =>
      parseCatalogueFile('bad_range: { description: d, value: 5, unit: u, source: s, year: 2024, range: [6, 9] }', 'r.yaml'),
    );
    expect(e2.details.join('\n')).toContain('r.yaml:1: /bad_range/range: [6, 9] must satisfy low <= value (5) <= high');
  });

  it('a figure defined twice or a required one missing is an error naming both', () => {
    const dir = tempDir('anvil-cat-');
    for (const f of readdirSync(builtInCatalogueDir())) copyFileSync(join(builtInCatalogueDir(), f), join(dir, f));
    writeFileSync(join(dir, 'zz-extra.yaml'), 'pue: { description: d, value: 1.2, unit: ratio, source: s, year: 2024 }\n');
    const e = caughtAnvilError(() => loadCatalogue(dir));
    expect(e.details.join('\n')).toMatch(/zz-extra\.yaml: \/pue: already defined in .*facilities\.yaml/);
    const dir2 = tempDir('anvil-cat-');
    copyFileSync(join(builtInCatalogueDir(), 'staff.yaml'), join(dir2, 'staff.yaml'));
    expect(caughtAnvilError(() => loadCatalogue(dir2)).details.join('\n')).toContain('figure server_base_usd is missing');
  });

  it('scenario overrides replace values, keep or drop ranges, and reject unknown ids', () => {
    const c = catalogue();
    const o = applyOverrides(
      c,
      { pue: 1.4, server_power_w: 900, nvme_usd_per_tb: { value: 100, range: [90, 110], source: 'quote Q-1', year: 2026 } },
      'sc.yaml',
    );
    expect(o.get('pue')!.value).toBe(1.4);
    expect(o.get('pue')!.range).toEqual(c.get('pue')!.range); // 1.4 is inside the catalogue's range
    expect(o.get('pue')!.source).toContain('sc.yaml');
    expect(o.get('server_power_w')!.range).toBeUndefined(); // 900 W is outside 250-600: a point
    expect(o.get('nvme_usd_per_tb')!.range).toEqual([90, 110]);
    expect(o.get('nvme_usd_per_tb')!.overridden).toBe(true);
    expect(c.get('pue')!.value).toBe(1.58); // the catalogue itself is untouched
    const e = caughtAnvilError(() =>
      applyOverrides(c, { no_such_figure: 1, sds_io_latency_us: { value: 400, range: [300, 500] } }, 'sc.yaml'),
    );
    expect(e.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    expect(e.details.join('\n')).toContain('sc.yaml: /overrides/no_such_figure: no catalogue figure has this id');
    expect(e.details.join('\n')).toContain('sc.yaml: /overrides/sds_io_latency_us: decides which model runs are made');
  });

  it("overrides outside a figure's domain are coded errors naming the field and what is allowed", () => {
    const c = catalogue();
    const e = caughtAnvilError(() =>
      applyOverrides(
        c,
        {
          nvme_usd_per_tb: -100,
          pue: 0.5,
          commercial_db_discount: { value: 0.5, range: [0.1, 1.4] },
          sds_replication: 2.5,
          control_plane_nodes: 0,
          server_base_usd: { value: 5000, range: [6000, 9000] },
        },
        'sc.yaml',
      ),
    );
    expect(e.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    const text = e.details.join('\n');
    expect(text).toContain(
      'sc.yaml: /overrides/nvme_usd_per_tb: -100 is not a possible nvme_usd_per_tb (USD/TB), allowed: a number from 0 to 1e12',
    );
    expect(text).toContain('sc.yaml: /overrides/pue: 0.5 is not a possible pue (ratio), allowed: a number from 1 to 1e12');
    expect(text).toContain(
      'sc.yaml: /overrides/commercial_db_discount/range: [0.1, 1.4] is not a possible range of commercial_db_discount (fraction), allowed: both ends a fraction from 0 to 1',
    );
    expect(text).toContain(
      'sc.yaml: /overrides/sds_replication: 2.5 is not a possible sds_replication (copies), allowed: a whole number from 1 to 1000000',
    );
    expect(text).toContain('/overrides/control_plane_nodes: 0 is not a possible');
    expect(text).toContain('sc.yaml: /overrides/server_base_usd/range: [6000, 9000] must satisfy low <= value (5000) <= high');
    expect(e.details.length).toBe(6);
    // Values at the edges of their domains are accepted.
    const ok = applyOverrides(c, { nvme_usd_per_tb: 0, commercial_db_discount: 1, pue: 1, sds_replication: 1 }, 'sc.yaml');
    expect(ok.get('nvme_usd_per_tb')!.value).toBe(0);
  });

  it("the built-in catalogue fits every figure's domain, and a catalogue file outside it is a coded error", () => {
    expect(() => loadCatalogue()).not.toThrow();
    const dir = tempDir('anvil-cat-');
    for (const f of readdirSync(builtInCatalogueDir())) copyFileSync(join(builtInCatalogueDir(), f), join(dir, f));
    writeFileSync(
      join(dir, 'facilities.yaml'),
      readFileSync(join(dir, 'facilities.yaml'), 'utf8').replace('value: 1.58', 'value: 0.9').replace('[1.3, 1.8]', '[0.8, 1.8]'),
    );
    const e = caughtAnvilError(() => loadCatalogue(dir));
    expect(e.code).toBe('ANVIL_ERR_TCO_CATALOGUE');
    expect(e.details.join('\n')).toMatch(
      /facilities\.yaml: \/pue\/value: 0\.9 is not a possible pue \(ratio\), allowed: a number from 1 to 1e12/,
    );
  });
});
