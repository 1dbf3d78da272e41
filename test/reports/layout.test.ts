/**
 * The report as a customer sees it: rendered by headless Chromium at 1024 and 1440 px and printed on A4,
 * measured in the laid-out page (not the HTML string): nothing wider than the page, no cell narrower than
 * its longest word, no word broken inside, chart labels whole and inside their chart, the headline table
 * within one screen, every page of a long
 * table with its header. Screenshots, the PDF and its pages (pdftoppm) are kept as artefacts under
 * $ANVIL_TEST_ARTEFACTS (default out/test-artefacts/tco-layout) for a person to look at.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect } from 'vitest';
import { tcoCommand } from '../../platform/cli/tco-command.js';
import { findChromium, QUIET_CHROMIUM_FLAGS } from '../../reports/render/pdf.js';
import { tempDir } from '../cli-harness.js';
import { needs } from '../needs.js';
import { REFERENCE } from './fixtures.js';

const ARTEFACTS = resolve(process.env.ANVIL_TEST_ARTEFACTS ?? join('out', 'test-artefacts'), 'tco-layout');
const chromium = findChromium();
const pdftotext = spawnSync('pdftotext', ['-v']).error === undefined;
const browserTest = needs('headless Chromium', chromium !== undefined);
const pdfTest = needs('headless Chromium and poppler-utils (pdftotext, pdftoppm)', chromium !== undefined && pdftotext);

/** A4 less the report's 12 mm side margins (@page), in CSS px at 96 per inch. */
const A4_CONTENT_WIDTH_PX = Math.floor(((210 - 2 * 12) / 25.4) * 96);

let html: string;
let cache: string;

beforeAll(async () => {
  const out = tempDir('anvil-tco-layout-');
  cache = tempDir('anvil-tco-cache-');
  await tcoCommand(REFERENCE, { out, format: ['html'], samples: 200, cache }, { write: () => true });
  html = join(out, 'tco.html');
  mkdirSync(ARTEFACTS, { recursive: true });
});

/** What is wrong with the laid-out page, in words; empty when nothing is. Runs inside the page. */
function layoutProblems(): string[] {
  const problems: string[] = [];
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth > width) problems.push(`the page scrolls sideways: ${root.scrollWidth} px wide in ${width} px`);
  for (const el of document.querySelectorAll('h1, h2, p, table, figure, figure svg')) {
    const box = el.getBoundingClientRect();
    const what = el.tagName === 'TABLE' ? `table "${el.querySelector('th')?.textContent ?? ''}"` : el.tagName;
    if (box.right > width + 0.5) problems.push(`${what} reaches ${Math.round(box.right)} px of ${width}`);
  }
  // Chart labels fit their chart whole: inside the SVG's box, never cut with an ellipsis.
  for (const text of document.querySelectorAll('figure svg text')) {
    const svg = text.closest('figure svg')!.getBoundingClientRect();
    const box = text.getBoundingClientRect();
    const label = (text.textContent ?? '').slice(0, 40);
    if (box.width === 0) continue;
    if (box.left < svg.left - 1 || box.right > svg.right + 1 || box.top < svg.top - 1 || box.bottom > svg.bottom + 1)
      problems.push(`chart label outside its chart: "${label}"`);
    if (/…|\.\.\./.test(text.textContent ?? '')) problems.push(`chart label cut: "${label}"`);
  }
  for (const cell of document.querySelectorAll('th, td')) {
    const text = (cell.textContent ?? '').trim().slice(0, 40);
    if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`cell narrower than its content: "${text}"`);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      // A word is what lies between spaces; a break after a hyphen ("open-/source") is a break between words.
      for (const m of node.data.matchAll(/[^\s-]+-?/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) problems.push(`word broken inside: "${m[0]}" in "${text}"`);
      }
    }
  }
  return problems;
}

async function withPage<T>(width: number, height: number, run: (page: import('playwright-core').Page) => Promise<T>): Promise<T> {
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: chromium ?? '/usr/bin/chromium', args: QUIET_CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width, height } });
    // Playwright's 30 s for a load or an action is a speed verdict on a loaded machine; this bound only stops a hung page.
    page.setDefaultTimeout(180_000);
    await page.goto(`file://${html}`, { waitUntil: 'load' });
    return await run(page);
  } finally {
    await browser.close();
  }
}

describe('the report laid out in headless Chromium', () => {
  for (const [width, height] of [
    [1024, 768],
    [1440, 900],
  ] as const) {
    browserTest(
      `at ${width} px: fits the width, no cell narrower than its words, no word broken, headline table within one screen`,
      async () => {
        await withPage(width, height, async (page) => {
          await page.screenshot({ path: join(ARTEFACTS, `screen-${width}.png`), fullPage: true });
          expect(await page.evaluate(layoutProblems)).toEqual([]);
          const headline = await page.$eval('table.headline', (t) => t.getBoundingClientRect().height);
          expect(headline).toBeLessThan(height);
          // The first table's stack names are readable: each column at least as wide as the longest word in it.
          const stackColumn = await page.$eval('table.headline th', (th) => th.getBoundingClientRect().width);
          const longestStackWord = await page.$$eval('table.headline td:first-child', (tds) => {
            const probe = document.createElement('span');
            probe.style.whiteSpace = 'nowrap';
            tds[0]!.appendChild(probe);
            let widest = 0;
            for (const td of tds)
              for (const word of (td.textContent ?? '').split(/\s+/)) {
                probe.textContent = word;
                widest = Math.max(widest, probe.getBoundingClientRect().width);
              }
            probe.remove();
            return widest;
          });
          expect(stackColumn).toBeGreaterThanOrEqual(longestStackWord);
        });
      },
    );
  }

  browserTest('printed on A4: the same checks in print layout at the page width', async () => {
    await withPage(A4_CONTENT_WIDTH_PX, 1000, async (page) => {
      await page.emulateMedia({ media: 'print' });
      expect(await page.evaluate(layoutProblems)).toEqual([]);
    });
  });

  pdfTest('the A4 PDF: words whole in the text, a long table repeats its header on every page it spans', async () => {
    const pdf = join(ARTEFACTS, 'tco-a4.pdf');
    const words = await withPage(1024, 768, async (page) => {
      await page.emulateMedia({ media: 'print' });
      writeFileSync(pdf, await page.pdf({ format: 'A4', preferCSSPageSize: true }));
      return page.$$eval('table.headline td:first-child, table.years td:first-child, th', (cells) => [
        ...new Set(cells.flatMap((c) => (c.textContent ?? '').split(/\s+/)).filter((w) => w.length > 0)),
      ]);
    });
    spawnSync('pdftoppm', ['-r', '60', '-png', pdf, join(ARTEFACTS, 'tco-a4-page')]);
    const pages =
      readFileSync(pdf)
        .toString('latin1')
        .match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    expect(pages).toBeGreaterThan(1);
    const text = (first: number, last = first) =>
      spawnSync('pdftotext', ['-layout', '-f', String(first), '-l', String(last), pdf, '-'], { encoding: 'utf8' }).stdout;
    const all = text(1, pages);
    const pdfWords = new Set(all.split(/\s+/));
    // Every word of the stack names and the column headers prints whole ("Stack", not "Stac k").
    const broken = words.filter((w) => !pdfWords.has(w) && !all.includes(w));
    expect(broken).toEqual([]);
    // The assumptions table spans pages: each page holding one of its rows starts with its header.
    const rowPages = Array.from({ length: pages }, (_, i) => i + 1).filter((p) => /judgement:/.test(text(p)));
    expect(rowPages.length).toBeGreaterThan(1);
    for (const p of rowPages) expect(text(p), `page ${p}`).toMatch(/Figure\s+What\s+Value\s+Range\s+Source\s+Year/);
  });

  /** The text of each page of `pdf`, by pdftotext. */
  const pdfPages = (pdf: string): string[] => {
    const pages = Number(/^Pages:\s+(\d+)/m.exec(spawnSync('pdfinfo', [pdf], { encoding: 'utf8' }).stdout)?.[1] ?? 0);
    return Array.from(
      { length: pages },
      (_, i) => spawnSync('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), pdf, '-'], { encoding: 'utf8' }).stdout,
    );
  };
  const stackLabels = () => [...readFileSync(REFERENCE, 'utf8').matchAll(/label: "([^"]+)"/g)].map((m) => m[1]!);

  pdfTest(
    'the first page stands alone on A4 and on Letter: summary, the whole headline table and the chart; the rest starts on page 2',
    async () => {
      for (const format of ['A4', 'Letter'] as const) {
        const pdf = join(ARTEFACTS, `tco-${format.toLowerCase()}-first.pdf`);
        await withPage(1024, 768, async (page) => {
          await page.emulateMedia({ media: 'print' });
          writeFileSync(pdf, await page.pdf({ format }));
        });
        const [first = '', second = ''] = pdfPages(pdf);
        expect(first, format).toMatch(/Executive summary/);
        for (const label of stackLabels()) {
          // A label may wrap inside its cell: each of its words is on page 1, in the table and the chart.
          for (const word of label.split(' ')) expect(first, `${format}: ${label}`).toContain(word);
          expect(first.replace(/\s+/g, ' '), `${format}: chart label ${label}`).toContain(label);
        }
        expect(first, format).toMatch(/NPV of cost \(USD\)/);
        expect(second, format).toMatch(/^\s*Cost by category/);
      }
    },
  );

  pdfTest('--format summary-pdf writes the first page alone as a one-page PDF', async () => {
    const out = tempDir('anvil-tco-summary-pdf-');
    const written = await tcoCommand(
      REFERENCE,
      { out, format: ['summary-pdf'], samples: 200, cache, customer: 'ACME Bank' },
      { write: () => true },
    );
    expect(written.summaryPdf).toBe(join(out, 'tco-summary.pdf'));
    writeFileSync(join(ARTEFACTS, 'tco-summary.pdf'), readFileSync(written.summaryPdf!));
    const pages = pdfPages(written.summaryPdf!);
    expect(pages.length).toBe(1);
    expect(pages[0]).toMatch(/Prepared for ACME Bank/);
    expect(pages[0]).toMatch(/Executive summary/);
    expect(pages[0]).toMatch(/NPV of cost \(USD\)/);
    expect(pages[0]).not.toMatch(/Assumptions and sources/);
  });
});
