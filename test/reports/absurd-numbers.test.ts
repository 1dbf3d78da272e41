/**
 * Issue 11, point 10 (TCO): a scenario with `size_tb: 1e308` wrote a report with 900 nulls and exited 0.
 * Now every scenario number has a maximum (refused with its line, path and range), an override is bounded
 * by its figure's domain, and a report whose analysis still yields a non-finite figure is refused before
 * any file is written, naming the figures.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nonFiniteFigures } from '../../reports/render/finite-figures.js';
import { writeReport } from '../../reports/render/write-report.js';
import { applyOverrides } from '../../reports/tco/catalogue.js';
import { parseScenario } from '../../reports/tco/scenario.js';
import { analyse } from '../../reports/tco/tco.js';
import { caughtAnvilError } from '../caught.js';
import { tempDir } from '../cli-harness.js';
import { catalogue, REFERENCE, reference } from './fixtures.js';

const scenario = (database: string, extra = '') => `name: s
databases:
  - { name: db, cores: 4, memory_gib: 32, ${database} }
stacks:
  - { id: a, label: A, kind: appliance, database: open-source }
  - { id: b, label: B, kind: diy-db-outside, database: commercial }
${extra}`;

describe('absurd numbers in a TCO scenario', () => {
  it('refuses size_tb 1e308, iops 1e300 and a node of 1e6 cores with line, path and range', () => {
    const e = caughtAnvilError(() => parseScenario(scenario('size_tb: 1e308, iops: 1e300', 'node: { cores: 1000000 }\n'), 's.yaml'));
    expect(e.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    expect([...e.details].sort()).toEqual([
      expect.stringMatching(/^s\.yaml:3: \/databases\/0\/iops: Expected number to be less or equal to 1000000000 /),
      expect.stringMatching(/^s\.yaml:3: \/databases\/0\/size_tb: Expected number to be less or equal to 100000 /),
      expect.stringMatching(/^s\.yaml:7: \/node\/cores: Expected integer to be less or equal to 1024 /),
    ]);
  });

  it('refuses an override of 1e308 naming the figure and its range', () => {
    const e = caughtAnvilError(() => applyOverrides(catalogue(), { nvme_usd_per_tb: 1e308 }, 'sc.yaml'));
    expect(e.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    expect(e.details.join('\n')).toContain(
      'sc.yaml: /overrides/nvme_usd_per_tb: 1e+308 is not a possible nvme_usd_per_tb (USD/TB), allowed: a number from 0 to 1e12',
    );
  });

  it('finds non-finite figures at any depth', () => {
    expect(nonFiniteFigures({ a: 1, b: [2, Number.NaN, { 'c/d': Number.POSITIVE_INFINITY }], e: null, f: 'x' })).toEqual([
      '/b/1',
      '/b/2/c~1d',
    ]);
  });

  it('writes no report when the analysis gives a non-finite figure, and says which', () => {
    // Past the schema (as a caller of analyse() could): the last guard must still hold.
    const s = structuredClone(reference());
    s.databases[0]!.size_tb = 1e308;
    const analysis = analyse(REFERENCE, s, { samples: 20, cacheDir: tempDir('anvil-tco-cache-') });
    const out = join(tempDir('anvil-tco-'), 'report');
    const e = caughtAnvilError(() => writeReport(analysis, out, ['html'], 'test'));
    expect(e.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    expect(e.message).toMatch(/figures? that (is|are) not a finite number .*no report was written/);
    expect(e.details[0]).toMatch(/^tco\.json \/stacks\/\d+\//);
    expect(existsSync(out)).toBe(false);
  });
});
