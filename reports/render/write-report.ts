/** Writes a TCO report's files: tco.html, tco.json, cashflows.arrow, and when asked tco.pdf and the one-page tco-summary.pdf. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import type { TcoAnalysis } from '../tco/tco.js';
import { cashFlowsArrow } from './arrow-cashflows.js';
import { renderHtml } from './html.js';
import { renderSummaryHtml } from './first-page.js';
import { printPdf } from './pdf.js';
import { cashFlowRows, tcoDocument } from './report-data.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import { requireFiniteFigures } from './finite-figures.js';
import { resolveBranding, type Branding } from './branding.js';

/** html: the report (always written); pdf: it printed; summary-pdf: its first page alone, printed (tco-summary.html and .pdf). */
export type ReportFormat = 'html' | 'pdf' | 'summary-pdf';

export interface WrittenReport {
  readonly html: string;
  readonly json: string;
  readonly arrow: string;
  readonly pdf?: string;
  readonly summaryPdf?: string;
}

export function writeReport(
  a: TcoAnalysis,
  outDir: string,
  formats: readonly ReportFormat[],
  anvilVersion: string,
  branding: Branding = resolveBranding(a.scenario.report, a.scenarioFile),
): WrittenReport {
  const html = join(outDir, 'tco.html');
  const json = join(outDir, 'tco.json');
  const arrow = join(outDir, 'cashflows.arrow');
  // Every figure is checked before any file is written: a report with null or NaN figures is never left behind.
  const document = tcoDocument(a, anvilVersion, branding);
  const rows = cashFlowRows(a);
  requireFiniteFigures(document, a.scenarioFile, 'tco.json');
  requireFiniteFigures(rows, a.scenarioFile, 'cashflows');
  try {
    ensureOutputDir(outDir);
    // The HTML is always written: the PDF is printed from it.
    writeFileSync(html, renderHtml(a, { anvilVersion, branding }));
    writeFileSync(json, `${JSON.stringify(document, null, 2)}\n`);
    writeFileSync(
      arrow,
      cashFlowsArrow(rows, { anvilVersion, scenario: a.scenarioFile, seed: a.scenario.seed, discountRate: a.scenario.discount_rate }),
    );
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write the report to ${outDir}: ${(e as Error).message}; choose another --out folder`);
  }
  const written: { html: string; json: string; arrow: string; pdf?: string; summaryPdf?: string } = { html, json, arrow };
  if (formats.includes('summary-pdf')) {
    const summaryHtml = join(outDir, 'tco-summary.html');
    try {
      writeFileSync(summaryHtml, renderSummaryHtml(a, { anvilVersion, branding }));
    } catch (e) {
      throw new AnvilError(
        'ANVIL_ERR_OUTPUT',
        `cannot write the summary to ${outDir}: ${(e as Error).message}; choose another --out folder`,
      );
    }
    written.summaryPdf = join(outDir, 'tco-summary.pdf');
    printPdf(summaryHtml, written.summaryPdf);
  }
  if (formats.includes('pdf')) {
    written.pdf = join(outDir, 'tco.pdf');
    printPdf(html, written.pdf);
  }
  return written;
}
