/**
 * The executive summary agrees with itself and with tco.json: its figures, read back from the rendered
 * page (the DOM, by their data-figure tags), equal the headline table's and tco.json's; the saving is the
 * difference of the NPVs shown; the P50 is never called "expected"; the summary is a lead and at most five
 * bullets; the explanation of a most-likely estimate outside its band is given once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { tcoCommand } from '../../platform/cli/tco-command.js';
import { formatUsd } from '../../reports/charts/plot-svg.js';
import { tempDir } from '../cli-harness.js';
import { REFERENCE } from './fixtures.js';

interface Band {
  p10: number;
  p50: number;
  p90: number;
}
interface TcoJson {
  stacks: { id: string; npv_usd_band: Band; npv_headline: { median_usd: number; explanation: string | null } }[];
  comparisons: { against: string; bands: { npvSavings_usd: Band; applianceCheaperShare: number } }[];
}

let doc: Document;
let json: TcoJson;

beforeAll(async () => {
  const out = tempDir('anvil-tco-summary-');
  await tcoCommand(REFERENCE, { out, format: ['html'], samples: 200, cache: tempDir('anvil-tco-cache-') }, { write: () => true });
  doc = new JSDOM(readFileSync(join(out, 'tco.html'), 'utf8')).window.document;
  json = JSON.parse(readFileSync(join(out, 'tco.json'), 'utf8')) as TcoJson;
});

/** figure id -> every text shown for it inside `root`. */
function figuresIn(root: Element): Map<string, string[]> {
  const shown = new Map<string, string[]>();
  for (const el of root.querySelectorAll('[data-figure]')) {
    const id = el.getAttribute('data-figure')!;
    shown.set(id, [...(shown.get(id) ?? []), el.textContent ?? '']);
  }
  return shown;
}

describe('executive summary', () => {
  it('shows the same figures as the headline table and tco.json, and the saving is the difference of the NPVs shown', () => {
    const summary = figuresIn(doc.querySelector('.summary')!);
    const table = figuresIn(doc.querySelector('table.headline')!);
    expect(summary.size).toBeGreaterThanOrEqual(8);
    const appliance = json.stacks.find((s) => s.id === 'appliance')!;
    const expectedText = (id: string): string => {
      const [what, stack] = id.split(':') as [string, string];
      const s = json.stacks.find((x) => x.id === stack);
      const c = json.comparisons.find((x) => x.against === stack);
      switch (what) {
        case 'npv-p50':
          return formatUsd(s!.npv_headline.median_usd);
        case 'npv-p10':
          return formatUsd(s!.npv_usd_band.p10);
        case 'npv-p90':
          return formatUsd(s!.npv_usd_band.p90);
        case 'saving-p50':
          return formatUsd(s!.npv_headline.median_usd - appliance.npv_headline.median_usd);
        case 'saving-p10':
          return formatUsd(c!.bands.npvSavings_usd.p10);
        case 'saving-p90':
          return formatUsd(c!.bands.npvSavings_usd.p90);
        case 'cheaper-share':
          return `${(c!.bands.applianceCheaperShare * 100).toFixed(0)}%`;
        default:
          throw new Error(`unknown figure ${id}`);
      }
    };
    for (const [id, texts] of summary) {
      for (const t of texts) expect(t, id).toBe(expectedText(id));
      // Every summary figure is also in the table, printed the same.
      expect(table.get(id), id).toEqual([expectedText(id)]);
    }
    // Read back as numbers: each saving is the difference of the medians, and the lead's saving the difference of
    // the two NPVs it shows (to their rounding to $0.1M).
    const usd = (text: string) => Number(text.replace(/[$,]/g, '').replace(/M$/, 'e6').replace(/k$/, 'e3'));
    const savingIds = [...summary.keys()].filter((id) => id.startsWith('saving-p50:'));
    expect(savingIds.length).toBe(json.comparisons.length);
    for (const id of savingIds) {
      const stack = id.split(':')[1]!;
      const alt = json.stacks.find((s) => s.id === stack)!.npv_headline.median_usd;
      expect(Math.abs(usd(summary.get(id)![0]!) - (alt - appliance.npv_headline.median_usd))).toBeLessThanOrEqual(0.05e6);
    }
    const closest = savingIds.map((id) => id.split(':')[1]!).find((id) => summary.has(`npv-p50:${id}`))!;
    const shownDifference = usd(summary.get(`npv-p50:${closest}`)![0]!) - usd(summary.get('npv-p50:appliance')![0]!);
    expect(Math.abs(usd(summary.get(`saving-p50:${closest}`)![0]!) - shownDifference)).toBeLessThanOrEqual(0.15e6);
  });

  it('is a lead and at most five bullets, says its basis once, and never calls the P50 "expected"', () => {
    const summary = doc.querySelector('.summary')!;
    expect(summary.querySelectorAll('p').length).toBe(1);
    expect(summary.querySelectorAll('li').length).toBeLessThanOrEqual(5);
    expect(summary.textContent).toMatch(/median \(P50\)/);
    expect(summary.textContent!.match(/discount rate/g)?.length).toBe(1);
    const page = doc.body.textContent!;
    expect(page).not.toMatch(/expected[^.]{0,40}P50|P50[^.]{0,20}expected/i);
    // The explanation of a most-likely estimate outside its band appears once on the page, not in the summary.
    const explained = json.stacks.filter((s) => s.npv_headline.explanation !== null);
    expect(explained.length).toBeGreaterThan(0);
    for (const s of explained) {
      expect(page.split(s.npv_headline.explanation!).length - 1).toBe(1);
      expect(summary.textContent).not.toContain(s.npv_headline.explanation!);
    }
  });
});
