/**
 * The comparison page as `anvil compare --out` and `anvil check --baseline --out` write it, opened in
 * headless Chromium (Debian's, through playwright-core): it loads with no script or console error, has the
 * three charts (latency CDFs, p99 per interval, the forest of changes) each with its marks, and the table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { anvilInProcess, tempDir, writeFiles } from '../cli-harness.js';
import { needs } from '../needs.js';
import { shortenedScenario } from './cluster/scenario-files.js';

const CHROMIUM = '/usr/bin/chromium';
const needChromium = needs(`Chromium at ${CHROMIUM}`, existsSync(CHROMIUM));

const JOB = '[global]\nruntime=300ms\ntime_based=1\nramp_time=50ms\n[rr]\nrw=randread\nbs=4k\niodepth=8\n';

async function anvil(args: string[], code = 0): Promise<void> {
  const r = await anvilInProcess(args);
  expect(r.code, r.stderr).toBe(code);
}

/** Opens `html`; returns the problems the page reported and, per chart, how many of each mark it drew. */
async function inspect(page: Page, html: string) {
  // Playwright's 30 s for a load or an action is a speed verdict on a loaded machine; this bound only stops a hung page.
  page.setDefaultTimeout(180_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.setContent(html);
  const charts = await page.locator('div.chart').evaluateAll((divs) =>
    divs.map((d) => ({
      plots: d.querySelectorAll('svg[class*="plot"]').length,
      lines: d.querySelectorAll('g[aria-label="line"] path').length,
      dots: d.querySelectorAll('g[aria-label="dot"] circle').length,
      bands: d.querySelectorAll('g[aria-label="rect"] rect').length,
      ticks: d.querySelectorAll('g[aria-label="tick"] line').length,
      width: d.getBoundingClientRect().width,
    })),
  );
  return { problems, charts, rows: await page.locator('tbody tr').count() };
}

describe('the comparison page', () => {
  needChromium('from anvil compare and from anvil check --baseline: three charts with their marks, no errors', async () => {
    const job = join(writeFiles({ 'rr.fio': JOB }), 'rr.fio');
    const [faster, slower, out] = [tempDir(), tempDir(), tempDir()];
    await anvil(['run', job, '--profile', 'intel-p5500-3.84tb', '--out', faster]);
    await anvil(['run', job, '--out', slower]);
    await anvil(['compare', faster, slower, '--out', out], 1);

    const scenario = shortenedScenario('noisy-neighbour', { duration: '300ms', warmup: '50ms', interval: '50ms' });
    const [baseline, checked] = [tempDir(), tempDir()];
    await anvil(['check', scenario, '--stack', 'hci', '--out', baseline]);
    await anvil(['check', scenario, '--stack', 'hci', '--baseline', baseline, '--out', checked]);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const fromCompare = await inspect(await browser.newPage(), readFileSync(join(out, 'compare.html'), 'utf8'));
      expect(fromCompare.problems).toEqual([]);
      expect(fromCompare.rows).toBe(2); // job rr: IOPS and p99
      const [cdf, p99, forest] = fromCompare.charts;
      expect(fromCompare.charts.length).toBe(3);
      for (const c of fromCompare.charts) {
        expect(c.plots).toBeGreaterThanOrEqual(1);
        expect(c.width).toBeGreaterThan(300);
      }
      expect(cdf!.lines).toBe(2); // baseline and current
      expect(p99!.bands).toBe(2);
      expect(p99!.dots).toBeGreaterThanOrEqual(2 * 5); // every 50 ms interval after the ramp, both sides
      expect([forest!.dots, forest!.ticks]).toEqual([2, 2]);

      const fromCheck = await inspect(await browser.newPage(), readFileSync(join(checked, 'compare.html'), 'utf8'));
      expect(fromCheck.problems).toEqual([]);
      expect(fromCheck.rows).toBe(4 + 3 * 2); // the scenario's SLA checks, then each of its 3 pods' IOPS and p99
      expect(fromCheck.charts.map((c) => c.plots >= 1)).toEqual([true, true, true]);
      expect(fromCheck.charts[0]!.lines).toBe(2); // oltp-latency, both sides
      expect(fromCheck.charts[2]!.dots).toBe(4 + 3 * 2);
    } finally {
      await browser.close();
    }
  });
});
