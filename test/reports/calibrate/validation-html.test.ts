/** The validation page, opened in headless Chromium (Debian's, through playwright-core): charts and table. */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect } from 'vitest';
import { validationHtml } from '../../../reports/calibrate/validation-html.js';
import type { ValidationRow } from '../../../bench/calibrate/validate.js';
import { needs } from '../../needs.js';

const CHROMIUM = '/usr/bin/chromium';
const needChromium = needs(`Chromium at ${CHROMIUM}`, existsSync(CHROMIUM));

function row(job: string, direction: 'read' | 'write', measured: number, predicted: number): ValidationRow {
  const err = ((predicted - measured) / measured) * 100;
  return {
    job,
    direction,
    measured_iops: measured,
    predicted_iops: predicted,
    iops_error_pct: err,
    measured_clat_mean_ns: 1e9 / measured,
    predicted_clat_mean_ns: 1e9 / predicted,
    clat_mean_error_pct: -err,
    measured_clat_p99_ns: 3e9 / measured,
    predicted_clat_p99_ns: 3e9 / predicted,
    clat_p99_error_pct: -err,
  };
}

describe('validation report', () => {
  needChromium('renders three charts and one table row per job and direction, with no script errors', async () => {
    const rows = [row('qd1.fio', 'read', 10_000, 10_400), row('qd8.fio', 'read', 60_000, 52_000), row('mix.fio', 'write', 9_000, 12_000)];
    const html = validationHtml(rows, { profile: 'cal.yaml', filename: '/data/x', version: '0.1.0' });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      // Playwright's 30 s for a load or an action is a speed verdict on a loaded machine; this bound only stops a hung page.
      page.setDefaultTimeout(180_000);
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      await page.setContent(html);
      expect(await page.locator('div.chart').count()).toBe(3);
      const plotted = await page.locator('div.chart svg[class*="plot"]').count();
      expect(plotted).toBeGreaterThanOrEqual(3);
      const bars = await page.locator('div.chart').nth(0).locator('rect').count();
      expect(bars).toBeGreaterThanOrEqual(6); // measured and predicted for three rows
      expect(await page.locator('tbody tr').count()).toBe(3);
      expect(await page.locator('tbody tr').nth(2).locator('td').first().textContent()).toBe('mix.fio (write)');
      expect(await page.locator('tbody tr').nth(0).locator('td').nth(3).textContent()).toBe('4.0');
      const box = await page.locator('div.chart').nth(0).boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  needChromium('keeps every label of every chart inside its chart at 1024 and 1440 px (large IOPS, long job names)', async () => {
    // Figures as a fast drive gives them (seven digits of IOPS), and job names as users write them.
    const rows = [
      row('randread-qd256-numjobs4.fio', 'read', 1_450_000, 1_210_000),
      row('randwrite-qd32-4k-steady-state.fio', 'write', 310_000, 402_000),
      row('qd1.fio', 'read', 11_000, 10_400),
    ];
    const html = validationHtml(rows, { profile: 'cal.yaml', filename: '/data/x', version: '0.1.0' });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      for (const width of [1024, 1440]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        page.setDefaultTimeout(180_000); // a bound against a hung page only, as above
        await page.setContent(html);
        // Each text of each chart's SVG against the SVG's own box (1 px for antialiasing).
        const outside = await page.evaluate(() =>
          [...document.querySelectorAll('div.chart svg')].flatMap((svg, chart) => {
            const frame = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('text')].flatMap((t) => {
              const b = t.getBoundingClientRect();
              const inside =
                b.left >= frame.left - 1 && b.right <= frame.right + 1 && b.top >= frame.top - 1 && b.bottom <= frame.bottom + 1;
              return b.width === 0 || inside ? [] : [`chart ${chart}: "${t.textContent ?? ''}"`];
            });
          }),
        );
        expect(outside, `at ${width} px`).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
});
