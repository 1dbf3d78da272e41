/**
 * The report end to end: `anvil tco` on the reference scenario writes a self-contained, deterministic
 * HTML file, tco.json and an Arrow table of every cash flow that Polars reads and that adds up to the
 * same totals; the PDF comes from headless Chromium, with a coded error when there is none.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { findChromium, printPdf } from '../../reports/render/pdf.js';
import { tcoCommand } from '../../platform/cli/tco-command.js';
import { formatUsd } from '../../reports/charts/plot-svg.js';
import { escapeHtml } from '../../reports/render/html.js';
import { AnvilError } from '../../platform/errors.js';
import { tempDir } from '../cli-harness.js';
import { REFERENCE, catalogue } from './fixtures.js';
import { needs } from '../needs.js';
import { anvilBin } from '../../bench/package-root.js';

const BIN = anvilBin();
const SAMPLES = 200;
const quiet = { write: () => true };

interface StackDoc {
  id: string;
  total_usd: number;
  npv_usd: number;
  sizing: { year: number; servers: number; roles: { binding: string }[] }[];
}

let out: string;
let cache: string;

beforeAll(async () => {
  // The report's date is today unless SOURCE_DATE_EPOCH fixes it: fixed, two runs give the same bytes.
  process.env.SOURCE_DATE_EPOCH = '1700000000';
  out = tempDir('anvil-tco-');
  cache = tempDir('anvil-tco-cache-');
  await tcoCommand(REFERENCE, { out, format: ['html'], samples: SAMPLES, cache }, quiet);
});

describe('anvil tco report', () => {
  it('writes a self-contained HTML file: no script, stylesheet, image or link to fetch', () => {
    const html = readFileSync(join(out, 'tco.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|href=|url\(|@import/i);
    // Only the SVG namespace names a URL, and it is never fetched.
    expect(html.match(/https?:\/\/[^\s"'<>]+/g)?.filter((u) => u !== 'http://www.w3.org/2000/svg') ?? []).toEqual([]);
    // Four Plot charts (their main SVGs), the summary, the sizing table with binding constraints, the assumptions.
    expect(html.match(/<svg class="plot-[0-9a-f]+"/g)?.length).toBe(4);
    expect(html).toContain('<h2 id="summary">Executive summary</h2>');
    expect(html).toMatch(/Binding constraint by year/);
    const c = catalogue();
    // Ids carry line-break opportunities (<wbr>) after their underscores.
    for (const id of c.keys()) expect(html.replace(/<wbr>/g, ''), id).toContain(`<code>${id}</code>`);
    const judged = [...c.values()].filter((f) => f.judgement).length;
    expect(html.match(/<span class="judgement">judgement<\/span>:/g)?.length).toBe(judged);
  });

  it('the summary, the headline table and tco.json headline the same median NPV (P50), inside its band; the NPV section explains a point estimate outside it', () => {
    const html = readFileSync(join(out, 'tco.html'), 'utf8');
    const doc = JSON.parse(readFileSync(join(out, 'tco.json'), 'utf8')) as {
      stacks: {
        id: string;
        npv_usd: number;
        npv_usd_band: { p50: number };
        npv_headline: { median_usd: number; p10_usd: number; p90_usd: number; point_usd: number; explanation: string | null };
      }[];
    };
    const summary = html.slice(html.indexOf('<h2 id="summary">'), html.indexOf('<h2', html.indexOf('<h2 id="summary">') + 4));
    const npvSection = html.slice(html.indexOf('<h2 id="npv">'), html.indexOf('<h2', html.indexOf('<h2 id="npv">') + 4));
    for (const s of doc.stacks) {
      const h = s.npv_headline;
      expect(h.median_usd).toBe(s.npv_usd_band.p50);
      expect(h.point_usd).toBe(s.npv_usd);
      expect(h.p10_usd).toBeLessThanOrEqual(h.median_usd);
      expect(h.median_usd).toBeLessThanOrEqual(h.p90_usd);
      expect(summary).toContain(`data-figure="npv-p50:${s.id}">${formatUsd(h.median_usd)}<`);
      if (h.explanation !== null) expect(npvSection).toContain(escapeHtml(h.explanation));
    }
    expect(summary).toContain(`the median (P50) of ${SAMPLES} Monte Carlo samples`);
  });

  it('is deterministic: the same scenario gives the same bytes, the second time from the model cache', async () => {
    const again = tempDir('anvil-tco-');
    await tcoCommand(REFERENCE, { out: again, format: ['html'], samples: SAMPLES, cache }, quiet);
    for (const f of ['tco.html', 'tco.json', 'cashflows.arrow'])
      expect(readFileSync(join(again, f)), f).toEqual(readFileSync(join(out, f)));
  });

  it('tco.json and the Arrow cash flows (read by Polars) add up to the same totals', () => {
    const doc = JSON.parse(readFileSync(join(out, 'tco.json'), 'utf8')) as { stacks: StackDoc[]; monte_carlo: { samples: number } };
    expect(doc.monte_carlo.samples).toBe(SAMPLES);
    expect(doc.stacks.map((s) => s.id)).toEqual(['appliance', 'diy-commercial-db', 'diy-oss-db', 'diy-oss-sds']);
    const flows = pl.readIPC(readFileSync(join(out, 'cashflows.arrow')));
    expect(flows.columns).toEqual([
      'stack',
      'stack_label',
      'year',
      'category',
      'line',
      'timing',
      'cost_usd',
      'discount_factor',
      'present_value_usd',
    ]);
    const sums = flows
      .groupBy('stack')
      .agg(pl.col('cost_usd').sum().alias('total'), pl.col('present_value_usd').sum().alias('pv'))
      .sort('stack');
    const rows = sums.toRecords() as { stack: string; total: number; pv: number }[];
    expect(rows.length).toBe(4);
    for (const r of rows) {
      const s = doc.stacks.find((x) => x.id === r.stack)!;
      expect(r.total).toBeCloseTo(s.total_usd, 4);
      expect(r.pv).toBeCloseTo(s.npv_usd, 4);
    }
    // Years run 0..2 and every category is one of six.
    expect(flows.getColumn('year').unique().sort().toArray()).toEqual([0, 1, 2]);
    const categories = flows.getColumn('category').unique().toArray() as string[];
    for (const c of categories) expect(['capital', 'licences', 'support', 'power_space', 'staff', 'one_time']).toContain(c);
  });
});

const chromium = findChromium();
const browserTest = needs('headless Chromium', chromium !== undefined);

describe('the report in headless Chromium', () => {
  browserTest('opens with no console errors and no request outside the file', async () => {
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({
      executablePath: chromium ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      // Playwright's 30 s for a load or an action is a speed verdict on a loaded machine; this bound only stops a hung page.
      page.setDefaultTimeout(180_000);
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      const url = `file://${join(out, 'tco.html')}`;
      await page.goto(url, { waitUntil: 'load' });
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      // The charts laid out: each main SVG has a size.
      const sizes = await page.$$eval('svg[class^="plot-"]', (els) => els.map((e) => e.getBoundingClientRect().width));
      expect(sizes.length).toBe(4);
      for (const w of sizes) expect(w).toBeGreaterThan(300);
      expect(await page.title()).toContain('3-year TCO');
    } finally {
      await browser.close();
    }
  });

  browserTest('prints a PDF', () => {
    const pdf = join(out, 'tco.pdf');
    printPdf(join(out, 'tco.html'), pdf, chromium ?? '/usr/bin/chromium');
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('anvil tco on the command line', () => {
  const anvil = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('without Chromium, --format pdf is a coded error and the HTML is still written', () => {
    const dir = tempDir('anvil-tco-');
    const r = anvil(['tco', REFERENCE, '--out', dir, '--format', 'html,pdf', '--samples', '50', '--cache', cache], {
      ANVIL_CHROMIUM: '/nonexistent/chromium',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^ANVIL_ERR_PDF_UNAVAILABLE: PDF output needs headless Chromium: install it \(Debian: apt-get install chromium\)/,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(dir, 'tco.html'))).toBe(true);
    expect(() => printPdf(join(dir, 'tco.html'), join(dir, 'x.pdf'), null)).toThrow(AnvilError);
  });

  it('bad flags and files are coded errors', () => {
    const bad = anvil(['tco', REFERENCE, '--format', 'docx']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ANVIL_ERR_USAGE: .*formats are html, pdf and summary-pdf/);
    const missing = anvil(['tco', 'no-such-scenario.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ANVIL_ERR_FILE_NOT_FOUND: cannot read scenario no-such-scenario.yaml/);
    const badSeed = anvil(['tco', REFERENCE, '--seed', '-1']);
    expect([badSeed.code, badSeed.stderr]).toEqual([
      2,
      expect.stringMatching(/^ANVIL_ERR_USAGE: .*a seed is a whole number from 0 to 9007199254740991.*; see anvil tco --help\n$/),
    ]);
    const dir = tempDir('anvil-tco-');
    const r = anvil(['tco', REFERENCE, '--out', dir, '--samples', '20', '--seed', '7', '--cache', cache]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`TCO report: ${join(dir, 'tco.html')}`);
    const doc = JSON.parse(readFileSync(join(dir, 'tco.json'), 'utf8')) as { monte_carlo: { seed: number; samples: number } };
    expect(doc.monte_carlo).toMatchObject({ seed: 7, samples: 20 });
  });
});
