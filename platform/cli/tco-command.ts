/**
 * `anvil tco SCENARIO [--out DIR] [--format html,pdf]`: the three-year TCO report of a scenario. The verb
 * only: the analysis (reports/tco) and the renderer (reports/render) load only when the command runs.
 */
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ReportFormat } from '../../reports/render/write-report.js';
import { scenarioHelp } from '../../reports/tco/scenario-help.js';
import { seed as parseSeed, wholeNumber } from './arguments.js';

function parseFormats(value: string): ReportFormat[] {
  const formats = value
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const bad = formats.filter((f) => f !== 'html' && f !== 'pdf' && f !== 'summary-pdf');
  if (bad.length > 0 || formats.length === 0)
    throw new InvalidArgumentError(
      `formats are html, pdf and summary-pdf (the first page alone), comma-separated (e.g. --format html,pdf,summary-pdf); got ${value}`,
    );
  return formats as ReportFormat[];
}

const parseSamples = wholeNumber(1, 1_000_000, '--samples 10000');

export interface TcoCommandOptions {
  out: string;
  format: ReportFormat[];
  samples?: number;
  seed?: number;
  cache: string;
  customer?: string;
  preparedBy?: string;
  date?: string;
  logo?: string;
}

/** A report date: a real day written YYYY-MM-DD. */
function parseDate(value: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
    new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
  )
    throw new InvalidArgumentError(`a date is a real day written YYYY-MM-DD (e.g. --date 2026-03-31); got ${value}`);
  return value;
}

/** A name shown on the report: 1 to 200 characters. */
function parseName(value: string): string {
  const name = value.trim();
  if (name.length === 0 || name.length > 200) throw new InvalidArgumentError(`a name is 1 to 200 characters; got ${JSON.stringify(value)}`);
  return name;
}

/** Runs the analysis and writes the report; returns the HTML's path (and the PDF's when asked). */
export async function tcoCommand(
  scenarioFile: string,
  opts: TcoCommandOptions,
  out: { write(text: string): unknown } = process.stdout,
): Promise<{ html: string; pdf?: string; summaryPdf?: string }> {
  const { analyseFile } = await import('../../reports/tco/tco.js');
  const { writeReport } = await import('../../reports/render/write-report.js');
  const { anvilVersion } = await import('../../bench/package-root.js');
  const { loadScenario } = await import('../../reports/tco/scenario.js');
  const { resolveBranding } = await import('../../reports/render/branding.js');
  // Branding first (a missing logo is reported before the minutes of analysis), flags over the scenario's fields.
  const branding = resolveBranding(loadScenario(scenarioFile).report, scenarioFile, {
    ...(opts.customer !== undefined ? { customer: opts.customer } : {}),
    ...(opts.preparedBy !== undefined ? { preparedBy: opts.preparedBy } : {}),
    ...(opts.date !== undefined ? { date: opts.date } : {}),
    ...(opts.logo !== undefined ? { logo: opts.logo } : {}),
  });
  const analysis = analyseFile(scenarioFile, {
    cacheDir: opts.cache,
    ...(opts.samples ? { samples: opts.samples } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  const written = writeReport(analysis, opts.out, opts.format, anvilVersion(), branding);
  out.write(`TCO report: ${written.html}\n`);
  if (written.pdf) out.write(`PDF: ${written.pdf}\n`);
  if (written.summaryPdf) out.write(`one-page summary: ${written.summaryPdf}\n`);
  out.write(`data: ${written.json}, ${written.arrow}\n`);
  return {
    html: written.html,
    ...(written.pdf ? { pdf: written.pdf } : {}),
    ...(written.summaryPdf ? { summaryPdf: written.summaryPdf } : {}),
  };
}

/** Adds the `tco` command to the CLI. */
export function registerTcoCommand(cli: Command): void {
  cli
    .command('tco')
    .description(
      'three-year TCO of the appliance against DIY Kubernetes stacks, sized from performance: HTML report, tco.json, cash flows as Arrow',
    )
    .argument('<scenario>', 'TCO scenario YAML (e.g. reports/scenarios/reference.yaml)')
    .option('--out <dir>', 'where the report goes', join('out', 'tco'))
    .option(
      '--format <formats>',
      'html, pdf, summary-pdf (the one-page summary), comma-separated (PDFs need headless Chromium)',
      parseFormats,
      ['html'] as ReportFormat[],
    )
    .option('--samples <n>', "Monte Carlo samples, instead of the scenario's", parseSamples)
    .option('--seed <n>', "seed of the model runs and Monte Carlo draws, instead of the scenario's", parseSeed)
    .option('--customer <name>', "customer the report is prepared for, instead of the scenario's report.customer", parseName)
    .option('--prepared-by <name>', "who prepared the report, instead of the scenario's report.prepared_by", parseName)
    .option('--date <yyyy-mm-dd>', 'date shown on the report (default today, UTC, or SOURCE_DATE_EPOCH when set)', parseDate)
    .option('--logo <file>', 'logo for the first page: PNG, JPEG or SVG, at most 1 MiB, embedded in the report')
    .option('--cache <dir>', 'cache of NVMe model results, keyed by a hash of their inputs', join('.anvil-cache', 'tco'))
    .addHelpText('after', () => scenarioHelp())
    .action(async (scenario: string, opts: TcoCommandOptions) => {
      await tcoCommand(scenario, opts);
    });
}
