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
  const bad = formats.filter((f) => f !== 'html' && f !== 'pdf');
  if (bad.length > 0 || formats.length === 0)
    throw new InvalidArgumentError(`formats are html and pdf, comma-separated (e.g. --format html,pdf); got ${value}`);
  return formats as ReportFormat[];
}

const parseSamples = wholeNumber(1, 1_000_000, '--samples 10000');

export interface TcoCommandOptions {
  out: string;
  format: ReportFormat[];
  samples?: number;
  seed?: number;
  cache: string;
}

/** Runs the analysis and writes the report; returns the HTML's path (and the PDF's when asked). */
export async function tcoCommand(
  scenarioFile: string,
  opts: TcoCommandOptions,
  out: { write(text: string): unknown } = process.stdout,
): Promise<{ html: string; pdf?: string }> {
  const { analyseFile } = await import('../../reports/tco/tco.js');
  const { writeReport } = await import('../../reports/render/write-report.js');
  const { anvilVersion } = await import('../../bench/package-root.js');
  const analysis = analyseFile(scenarioFile, {
    cacheDir: opts.cache,
    ...(opts.samples ? { samples: opts.samples } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  const written = writeReport(analysis, opts.out, opts.format, anvilVersion());
  out.write(`TCO report: ${written.html}\n`);
  if (written.pdf) out.write(`PDF: ${written.pdf}\n`);
  out.write(`data: ${written.json}, ${written.arrow}\n`);
  return written.pdf ? { html: written.html, pdf: written.pdf } : { html: written.html };
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
    .option('--format <formats>', 'html, pdf or html,pdf (PDF needs headless Chromium)', parseFormats, ['html'] as ReportFormat[])
    .option('--samples <n>', "Monte Carlo samples, instead of the scenario's", parseSamples)
    .option('--seed <n>', "seed of the model runs and Monte Carlo draws, instead of the scenario's", parseSeed)
    .option('--cache <dir>', 'cache of NVMe model results, keyed by a hash of their inputs', join('.anvil-cache', 'tco'))
    .addHelpText('after', () => scenarioHelp())
    .action(async (scenario: string, opts: TcoCommandOptions) => {
      await tcoCommand(scenario, opts);
    });
}
