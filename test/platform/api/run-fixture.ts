/**
 * A runs folder for `anvil serve --runs` in tests: run `fixture-run`, a scenario run of two pods reading and
 * writing over three 1 s intervals, its intervals.arrow written by the results' own Arrow writer
 * (bench/results/arrow-ipc.ts) with the columns a run's intervals table has. Written once per process.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

let folder: string | undefined;

/** The runs folder (one run, and a folder without summary.json that is not a run). */
export function fixtureRunsFolder(): string {
  if (folder) return folder;
  folder = mkdtempSync(join(tmpdir(), 'anvil-runs-'));
  const dir = join(folder, FIXTURE_RUN);
  mkdirSync(dir);
  mkdirSync(join(folder, 'not-a-run'));
  const summary = {
    timestamp_ms: FIXTURE_FINISHED_MS,
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
    values: FIXTURE_ROWS.map(pick),
    doc: name,
  });
  const columns = [
    column('time_ns', 'i64', (r) => r.time_ns),
    column('interval_ns', 'i64', () => 1e9),
    column('job', 'utf8', (r) => r.job),
    column('pod', 'utf8', (r) => r.pod),
    column('direction', 'utf8', (r) => r.direction),
    column('ios', 'i64', (r) => r.iops),
    column('iops', 'f64', (r) => r.iops),
    column('bw_bytes', 'f64', (r) => r.iops * 4096),
    column('clat_mean_ns', 'f64', (r) => r.clat_p50_ns),
    column('clat_p50_ns', 'f64', (r) => r.clat_p50_ns),
    column('clat_p99_ns', 'f64', (r) => r.clat_p99_ns),
    column('clat_p999_ns', 'f64', (r) => r.clat_p99_ns),
    column('clat_max_ns', 'f64', (r) => r.clat_p99_ns),
  ];
  writeFileSync(join(dir, 'intervals.arrow'), toIpc(columns, new Map([['target', 'sim']])));
  return folder;
}
