/**
 * `npm run bench`: the project's own figures, each against its target or a baseline measured in the
 * same run. Prints a table (or JSON with `--json`); progress goes to stderr. A figure below its
 * target prints BELOW and still exits 0: benchmarks report, tests assert. Non-zero only when a section
 * crashed or the command line is wrong.
 *
 * To add a section, write a module exporting a `BenchSection` (see `section.ts`) and list it below.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { kernelMicroSection } from './kernel-micro-section.js';
import { kernelMm1Section } from './kernel-mm1-section.js';
import { nvmeModelSection } from './nvme-model-section.js';
import { clusterSection } from './cluster-section.js';
import { tcoReportSection } from './tco-report-section.js';
import { hostFioSection } from './host-fio-section.js';
import { hostCalibrationSection } from './host-calibration-section.js';
import { schedulerSection } from './scheduler-section.js';
import { controlPlaneSection } from './control-plane-section.js';
import { apiSection } from './api-section.js';
import { extenderSection } from './extender-section.js';
import { listSection } from './list-section.js';
import { sweepSection } from './sweep-section.js';
import type { BenchSection, Row, Verdict } from './section.js';
import { formatValue, verdictOf } from './section.js';

/** In the order they run. The M/M/1 runs first: its JS side runs in workers, but its C++ side likes a quiet machine. */
const SECTIONS: readonly BenchSection[] = [
  kernelMm1Section,
  kernelMicroSection,
  nvmeModelSection,
  clusterSection,
  sweepSection,
  tcoReportSection,
  hostFioSection,
  hostCalibrationSection,
  schedulerSection,
  controlPlaneSection,
  apiSection,
  extenderSection,
  listSection,
];

const USAGE = `usage: npm run bench -- [--json] [--quick] [--only SECTION[,SECTION...]]

  --json    print the figures as JSON on stdout (progress still on stderr)
  --quick   small runs, to check that the bench works; figures not comparable
  --only    run only these sections: ${SECTIONS.map((s) => s.name).join(', ')}
`;

interface SectionResult {
  name: string;
  description: string;
  seconds: number;
  rows: (Row & { verdict?: Verdict })[];
  error?: string;
}

function anvilVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function environment(quick: boolean) {
  const cpu = cpus();
  return {
    anvilVersion: anvilVersion(),
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    cpu: { model: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length },
    quick,
  };
}

function targetText(row: Row): string {
  const t = row.target;
  if (!t) return '';
  return [t.min !== undefined ? `>= ${formatValue(t.min, row.unit)}` : '', t.max !== undefined ? `<= ${formatValue(t.max, row.unit)}` : '']
    .filter((s) => s !== '')
    .join(', ');
}

/** One aligned table for all sections; notes last so that long ones do not push the columns about. */
function renderTable(results: readonly SectionResult[]): string {
  const header = ['section', 'measure', 'value', 'unit', 'target', 'verdict', 'note'];
  const lines: string[][] = [];
  for (const section of results) {
    for (const row of section.rows) {
      lines.push([section.name, row.name, formatValue(row.value, row.unit), row.unit, targetText(row), row.verdict ?? '', row.note ?? '']);
    }
    if (section.error) lines.push([section.name, '(crashed)', '-', '', '', '', section.error]);
  }
  const rightAligned = new Set([2]);
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n');
}

async function main(): Promise<void> {
  let values: { json?: boolean; quick?: boolean; only?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const quick = values.quick ?? false;
  let sections = SECTIONS;
  if (values.only !== undefined) {
    const wanted = values.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = wanted.filter((name) => !SECTIONS.some((s) => s.name === name));
    if (unknown.length > 0) {
      process.stderr.write(`unknown section ${unknown.join(', ')}; sections are ${SECTIONS.map((s) => s.name).join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    sections = SECTIONS.filter((s) => wanted.includes(s.name));
  }

  const log = (message: string) => process.stderr.write(`  ${message}\n`);
  const env = environment(quick);
  const results: SectionResult[] = [];
  for (const section of sections) {
    process.stderr.write(`${section.name}: ${section.description}\n`);
    const start = process.hrtime.bigint();
    let rows: Row[] = [];
    let error: string | undefined;
    try {
      rows = await section.run({ quick, log });
    } catch (caught) {
      error = caught instanceof Error ? (caught.stack ?? caught.message) : String(caught);
      process.exitCode = 1;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    results.push({
      name: section.name,
      description: section.description,
      seconds,
      rows: rows.map((row) => {
        const verdict = verdictOf(row);
        return verdict ? { ...row, verdict } : row;
      }),
      ...(error ? { error } : {}),
    });
  }

  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...env, sections: results }, null, 2)}\n`);
    return;
  }
  const title =
    `Anvil ${env.anvilVersion} bench, ${env.date.slice(0, 19).replace('T', ' ')} UTC: node ${env.node}, ` +
    `${env.cpu.model} x${env.cpu.cores}${quick ? ' (--quick: figures not comparable)' : ''}`;
  process.stdout.write(`\n${title}\n\n${renderTable(results)}\n`);
}

await main();
