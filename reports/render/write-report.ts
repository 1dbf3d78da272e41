/** Writes a TCO report's files: tco.html, tco.json, cashflows.arrow, and tco.pdf when asked. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import type { TcoAnalysis } from '../tco/tco.js';
import { cashFlowsArrow } from './arrow-cashflows.js';
import { renderHtml } from './html.js';
import { printPdf } from './pdf.js';
import { cashFlowRows, tcoDocument } from './report-data.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import { requireFiniteFigures } from './finite-figures.js';
import { resolveBranding, type Branding } from './branding.js';

export type ReportFormat = 'html' | 'pdf';

export interface WrittenReport {
  readonly html: string;
  readonly json: string;
  readonly arrow: string;
  readonly pdf?: string;
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
  if (!formats.includes('pdf')) return { html, json, arrow };
  const pdf = join(outDir, 'tco.pdf');
  printPdf(html, pdf);
  return { html, json, arrow, pdf };
}
