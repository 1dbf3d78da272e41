/**
 * A runs folder for `anvil serve --runs` in tests: run `fixture-run`, a scenario run of two pods reading and
 * writing over three 1 s intervals, its intervals.arrow written by the results' own Arrow writer
 * (bench/results/arrow-ipc.ts) with the columns a run's intervals table has; run `fixture-run-b`, the same
 * pods an hour later at 80% of the IOPS with an SLA check's verdicts.json (1 of 3 checks failed); and the
 * reports: a TCO report, a comparison page, a file that is not a report, and a link out of the folder.
 * Written once per process.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toIpc } from '../../../bench/results/arrow-ipc.js';
import type { Column } from '../../../bench/results/table-columns.js';

export const FIXTURE_RUN = 'fixture-run';
/** When the fixture run finished (summary.json's timestamp_ms). */
export const FIXTURE_FINISHED_MS = Date.UTC(2026, 11, 1, 12, 0, 0);

/** The rows of the fixture's intervals: pod p of shop, interval k (1..3), read then write. */
export const FIXTURE_ROWS = ['shop/orders-db', 'batch/loader'].flatMap((pod, p) =>
  [1, 2, 3].flatMap((k) =>
    ['read', 'write'].map((direction, d) => ({
      time_ns: k * 1e9,
      job: p === 0 ? 'oltp' : 'bulk',
      pod,
      direction,
      iops: 1000 * (p + 1) * k + d,
      clat_p50_ns: 100_000 * (p + 1) + 1000 * k,
      clat_p99_ns: 900_000 * (p + 1) + 10_000 * k + d,
    })),
  ),
);

export const FIXTURE_RUN_B = 'fixture-run-b';
export const FIXTURE_FINISHED_B_MS = FIXTURE_FINISHED_MS + 3_600_000;
/** Run b's rows: run a's at 80% of the IOPS and 1.5 times the p99. */
export const FIXTURE_ROWS_B = FIXTURE_ROWS.map((r) => ({ ...r, iops: r.iops * 0.8, clat_p99_ns: r.clat_p99_ns * 1.5 }));
/** Run b's verdicts.json totals (anvil check --out). */
export const FIXTURE_VERDICT_TOTALS = { checks: 3, passed: 2, failed: 1, skipped: 0 };

/** The reports of the folder: a TCO report (two folders down) and run b's comparison page. */
export const FIXTURE_REPORTS = {
  tco: { path: 'tco-east/2026/tco.html', title: 'TCO east: hci against diy', body: 'five-year cost' },
  compare: { path: `${FIXTURE_RUN_B}/compare.html`, title: 'fixture-run-b against fixture-run', body: 'p99 regression' },
} as const;
/** A file beside the reports folder, and the link inside it that points at it. */
export const FIXTURE_OUTSIDE_LINK = 'link-out.html';

let folder: string | undefined;

/** The runs folder (one run, and a folder without summary.json that is not a run). */
export function fixtureRunsFolder(): string {
  if (folder) return folder;
  folder = mkdtempSync(join(tmpdir(), 'anvil-runs-'));
  mkdirSync(join(folder, 'not-a-run'));
  writeRun(join(folder, FIXTURE_RUN), FIXTURE_FINISHED_MS, FIXTURE_ROWS);
  writeRun(join(folder, FIXTURE_RUN_B), FIXTURE_FINISHED_B_MS, FIXTURE_ROWS_B);
  writeFileSync(
    join(folder, FIXTURE_RUN_B, 'verdicts.json'),
    JSON.stringify({ anvil_verdicts: 1, anvil_version: '0', totals: FIXTURE_VERDICT_TOTALS, checks: [], runs: [] }),
  );
  for (const report of Object.values(FIXTURE_REPORTS)) {
    const file = join(folder, report.path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `<!doctype html><html><head><title>${report.title}</title></head><body><h1>${report.body}</h1></body></html>`);
  }
  writeFileSync(join(folder, 'notes.txt'), 'not a report');
  const outside = mkdtempSync(join(tmpdir(), 'anvil-outside-'));
  writeFileSync(join(outside, 'secret.html'), '<title>secret</title>');
  symlinkSync(join(outside, 'secret.html'), join(folder, FIXTURE_OUTSIDE_LINK));
  return folder;
}

function writeRun(dir: string, finishedMs: number, rows: typeof FIXTURE_ROWS): void {
  mkdirSync(dir);
  const summary = {
    timestamp_ms: finishedMs,
    jobs: [],
    anvil: {
      target: 'sim',
      seed: 7,
      jobfile: 'two-pods.yaml',
      simulated_ns: 3e9,
      scenario: { name: 'two pods', stack: 'hci', pods: [{ pod: 'shop/orders-db' }, { pod: 'batch/loader' }] },
    },
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  const column = (name: string, type: Column['type'], pick: (r: (typeof FIXTURE_ROWS)[number]) => string | number): Column => ({
    name,
    type,
    values: rows.map(pick),
    doc: name,
  });
  const columns = [
    column('time_ns', 'i64', (r) => r.time_ns),
    column('interval_ns', 'i64', () => 1e9),
    column('job', 'utf8', (r) => r.job),
    column('pod', 'utf8', (r) => r.pod),
    column('direction', 'utf8', (r) => r.direction),
    column('ios', 'i64', (r) => Math.round(r.iops)),
    column('iops', 'f64', (r) => r.iops),
    column('bw_bytes', 'f64', (r) => r.iops * 4096),
    column('clat_mean_ns', 'f64', (r) => r.clat_p50_ns),
    column('clat_p50_ns', 'f64', (r) => r.clat_p50_ns),
    column('clat_p99_ns', 'f64', (r) => r.clat_p99_ns),
    column('clat_p999_ns', 'f64', (r) => r.clat_p99_ns),
    column('clat_max_ns', 'f64', (r) => r.clat_p99_ns),
  ];
  writeFileSync(join(dir, 'intervals.arrow'), toIpc(columns, new Map([['target', 'sim']])));
}
