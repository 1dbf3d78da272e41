/** The validation page, opened in headless Chromium (Debian's, through playwright-core): charts and table. */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect } from 'vitest';
import { validationHtml } from '../../../bench/calibrate/validation-html.js';
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
});
