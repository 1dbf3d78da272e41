/**
 * The report names the customer, not the tool: customer, preparer, date and logo from the scenario's
 * `report` block or the flags (flags win); the date from SOURCE_DATE_EPOCH when set, so the bytes repeat;
 * the logo embedded as a data URI; the tool, version and seed only in the appendix. Bad dates and logos
 * are coded errors naming the field or flag.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tcoCommand, type TcoCommandOptions } from '../../platform/cli/tco-command.js';
import { MAX_LOGO_BYTES, reportDate, resolveBranding } from '../../reports/render/branding.js';
import { parseScenario } from '../../reports/tco/scenario.js';
import { caughtAnvilError } from '../caught.js';
import { tempDir } from '../cli-harness.js';
import { REFERENCE } from './fixtures.js';
import { anvilBin } from '../../bench/package-root.js';

const BIN = anvilBin();
/** A 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const EPOCH = '1700000000'; // 2023-11-14T22:13:20Z

let dir: string;
let cache: string;
let scenarioFile: string;
const savedEpoch = process.env.SOURCE_DATE_EPOCH;

/** The reference scenario with a `report` block (YAML lines, indented) inserted. */
function scenarioWith(reportLines: string): string {
  return readFileSync(REFERENCE, 'utf8').replace(/^currency: USD$/m, `report:\n${reportLines}\ncurrency: USD`);
}

async function render(file: string, opts: Partial<TcoCommandOptions> = {}): Promise<{ doc: Document; json: { report: object } }> {
  const out = tempDir('anvil-tco-brand-');
  await tcoCommand(file, { out, format: ['html'], samples: 20, cache, ...opts }, { write: () => true });
  return {
    doc: new JSDOM(readFileSync(join(out, 'tco.html'), 'utf8')).window.document,
    json: JSON.parse(readFileSync(join(out, 'tco.json'), 'utf8')) as { report: object },
  };
}

beforeAll(() => {
  process.env.SOURCE_DATE_EPOCH = EPOCH;
  dir = tempDir('anvil-tco-brand-');
  cache = tempDir('anvil-tco-cache-');
  writeFileSync(join(dir, 'acme.png'), PNG);
  scenarioFile = join(dir, 'acme.yaml');
  writeFileSync(scenarioFile, scenarioWith('  customer: ACME Bank & Trust\n  prepared_by: Jane Doe, Solutions Engineer\n  logo: acme.png'));
});

afterAll(() => {
  if (savedEpoch === undefined) delete process.env.SOURCE_DATE_EPOCH;
  else process.env.SOURCE_DATE_EPOCH = savedEpoch;
});

describe('report branding', () => {
  it("shows the scenario's customer, preparer and logo, dated from SOURCE_DATE_EPOCH; the tool and seed only in the appendix", async () => {
    const { doc, json } = await render(scenarioFile);
    const header = doc.querySelector('header.cover')!;
    expect(header.querySelector('.customer')?.textContent).toBe('ACME Bank & Trust');
    expect(header.querySelector('.prepared-by')?.textContent).toBe('Jane Doe, Solutions Engineer');
    expect(header.querySelector('time')?.getAttribute('datetime')).toBe('2023-11-14');
    expect(header.querySelector('time')?.textContent).toBe('14 November 2023');
    expect(header.querySelector('img.logo')?.getAttribute('src')).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
    expect(header.textContent).not.toMatch(/Anvil|seed/);
    // Still self-contained: the logo is the only image, and it is inside the file.
    expect(doc.documentElement.outerHTML.match(/src="[^"]{0,30}/g)?.map((m) => m.slice(0, 35))).toEqual([
      `src="data:image/png;base64,${PNG.toString('base64').slice(0, 8)}`,
    ]);
    const provenance = doc.querySelector('.provenance')!.textContent!;
    expect(provenance).toMatch(/Anvil \d+\.\d+\.\d+ from scenario .*acme\.yaml, seed 1, 20 Monte Carlo samples/);
    expect(json.report).toEqual({
      customer: 'ACME Bank & Trust',
      prepared_by: 'Jane Doe, Solutions Engineer',
      date: '2023-11-14',
      logo_file: join(dir, 'acme.png'),
    });
  });

  it('flags replace the scenario fields', async () => {
    const svg = join(dir, 'other.svg');
    writeFileSync(svg, '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    const { doc } = await render(scenarioFile, { customer: 'Globex', preparedBy: 'Sam Roe', date: '2026-03-31', logo: svg });
    const header = doc.querySelector('header.cover')!;
    expect(header.querySelector('.customer')?.textContent).toBe('Globex');
    expect(header.querySelector('.prepared-by')?.textContent).toBe('Sam Roe');
    expect(header.querySelector('time')?.getAttribute('datetime')).toBe('2026-03-31');
    expect(header.querySelector('img.logo')?.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
  });

  it('the date is today (UTC) without SOURCE_DATE_EPOCH, its day with it', () => {
    expect(reportDate()).toBe('2023-11-14');
    delete process.env.SOURCE_DATE_EPOCH;
    try {
      const before = new Date().toISOString().slice(0, 10);
      const date = reportDate();
      const after = new Date().toISOString().slice(0, 10);
      expect([before, after]).toContain(date);
    } finally {
      process.env.SOURCE_DATE_EPOCH = EPOCH;
    }
    expect(resolveBranding({}, REFERENCE)).toEqual({ date: '2023-11-14' });
  });

  it('a date that is not a real day, and a logo that is missing, too large or not an image, are coded errors naming the field', () => {
    const badDate = caughtAnvilError(() => parseScenario(scenarioWith('  date: 2026-02-30'), 'x.yaml'));
    expect(badDate.code).toBe('ANVIL_ERR_TCO_SCENARIO');
    expect(badDate.details.join('\n')).toMatch(
      /^x\.yaml:\d+: \/report\/date: "2026-02-30" is not a date; write a real day as YYYY-MM-DD$/m,
    );
    const notImage = join(dir, 'logo.txt');
    writeFileSync(notImage, 'hello');
    const big = join(dir, 'big.png');
    writeFileSync(big, Buffer.concat([PNG, Buffer.alloc(MAX_LOGO_BYTES)]));
    const cases: [string, RegExp][] = [
      [notImage, /\/report\/logo: logo .*logo\.txt is not a PNG, JPEG or SVG image/],
      [join(dir, 'none.png'), /\/report\/logo: cannot read logo .*none\.png \(ENOENT\)/],
      [big, /\/report\/logo: logo .*big\.png is \d+ bytes; a logo is at most 1048576 bytes/],
    ];
    for (const [logo, message] of cases) {
      const e = caughtAnvilError(() => resolveBranding({ logo }, scenarioFile));
      expect(e.code).toBe('ANVIL_ERR_TCO_LOGO');
      expect(e.message).toMatch(message);
    }
  });

  it('on the command line: a bad --date is a usage error, a bad --logo a coded error before any analysis', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'tco', REFERENCE, ...args], { encoding: 'utf8' });
    const date = run(['--date', '31/03/2026']);
    expect([date.status, date.stderr]).toEqual([2, expect.stringMatching(/^ANVIL_ERR_USAGE: .*a date is a real day written YYYY-MM-DD/)]);
    const out = tempDir('anvil-tco-brand-');
    const logo = run(['--out', out, '--logo', join(dir, 'none.png')]);
    expect([logo.status, logo.stderr]).toEqual([1, expect.stringMatching(/^ANVIL_ERR_TCO_LOGO: --logo: cannot read logo .*none\.png/)]);
    expect(logo.stderr).not.toMatch(/^\s+at /m);
  });
});
