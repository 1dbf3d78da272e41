/**
 * A runs folder for `anvil serve --runs` in tests: run `fixture-run`, a scenario run of two pods reading and
 * writing over three 1 s intervals, its intervals.arrow written by the results' own Arrow writer
 * (bench/results/arrow-ipc.ts) with the columns a run's intervals table has; run `fixture-run-b`, the same
 * pods an hour later at 80% of the IOPS with an SLA check's verdicts.json (1 of 3 checks failed). Each run
 * also holds a latency histogram (two jobs of one pod, whose merged p99 is not the average of theirs) and
 * the node tables of a cluster run (nodes.arrow, drives.arrow, links.arrow). And the reports: a TCO report, a comparison page, a file that is not a report, and a link out of the folder.
 * Written once per process.
 */
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toIpc } from '../../../bench/results/arrow-ipc.js';
import type { Column } from '../../../bench/results/table-columns.js';
import { RUN_OWNER_FILE } from '../../../platform/api/run-access.js';

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

/** Run b's checks, as anvil check writes them into verdicts.json (evaluate.ts's SlaVerdict): 2 held, 1 missed. */
export const FIXTURE_VERDICTS = [
  {
    sla: 'orders-floor',
    check: 'min_iops',
    window: 'interval',
    scope: 'pod shop/orders-db',
    unit: 'IOPS',
    limit: 1000,
    tolerance: 0.02,
    allowed: 980,
    measured: 1600,
    margin: 600,
    margin_fraction: 0.6,
    status: 'pass',
    where: 'pod shop/orders-db, interval ending at 1.00 s',
  },
  {
    sla: 'orders-latency',
    check: 'max_latency_p99',
    window: 'run',
    scope: 'pod shop/orders-db',
    unit: 'ns',
    limit: 1_000_000,
    tolerance: 0,
    allowed: 1_000_000,
    measured: 1_395_000,
    margin: -395_000,
    margin_fraction: -0.395,
    status: 'fail',
    where: 'pod shop/orders-db',
    samples: 9000,
  },
  {
    sla: 'batch-bandwidth',
    check: 'min_bandwidth',
    window: 'run',
    scope: 'tenant batch',
    unit: 'bytes/s',
    limit: 4_000_000,
    tolerance: 0,
    allowed: 4_000_000,
    measured: 12_288_000,
    margin: 8_288_000,
    margin_fraction: 2.072,
    status: 'pass',
    where: 'tenant batch',
  },
] as const;

/**
 * Each run's latency_histogram.arrow: shop/orders-db's two jobs read (one fast, one slow: p99 100 us and
 * 1000 us, merged 1000 us), batch/loader's one job writes. Bucket value (ns) and count.
 */
export const FIXTURE_HISTOGRAM = [
  {
    job: 'oltp',
    pod: 'shop/orders-db',
    direction: 'read',
    buckets: [
      [100_000, 990],
      [5_000_000, 10],
    ],
  },
  {
    job: 'oltp-b',
    pod: 'shop/orders-db',
    direction: 'read',
    buckets: [
      [200_000, 90],
      [1_000_000, 10],
    ],
  },
  {
    job: 'bulk',
    pod: 'batch/loader',
    direction: 'write',
    buckets: [
      [50_000, 500],
      [400_000, 400],
      [3_000_000, 100],
    ],
  },
] as const;

/** Each run's node tables: two nodes, three drives (one a host drive with no busy time), one port. */
export const FIXTURE_NODES = [
  { node: 'node-1', cores: 40, application_cores: 6, infrastructure_cores: 2 },
  { node: 'node-2', cores: 32, application_cores: 8, infrastructure_cores: 0 },
] as const;
export const FIXTURE_DRIVES = [
  { node: 'node-1', drive: 'node-1/nvme0', ios_per_s: 1500, busy_fraction: 0.5 },
  { node: 'node-2', drive: 'node-2/nvme0', ios_per_s: 3000, busy_fraction: 0.75 },
  { node: 'node-2', drive: 'node-2/nvme1', ios_per_s: 0, busy_fraction: NaN },
] as const;
export const FIXTURE_LINKS = [{ node: 'node-1', port: 'pod0', rate_bits_per_s: 25e9, tx_utilisation: 0.1, rx_utilisation: 0.2 }] as const;

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
    JSON.stringify({
      anvil_verdicts: 1,
      anvil_version: '0',
      totals: FIXTURE_VERDICT_TOTALS,
      checks: [],
      runs: [{ scenario: 'two pods', file: 'two-pods.yaml', stack: 'hci', seed: 7, target: 'sim', verdicts: FIXTURE_VERDICTS }],
    }),
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
  writeClusterTables(dir);
}

/** A table's column of `rows`' field `name`. */
function columnOf<R>(rows: readonly R[], name: keyof R & string, type: Column['type']): Column {
  return { name, type, values: rows.map((r) => r[name] as string | number), doc: name };
}

/** The histogram and the node tables of a cluster run. */
function writeClusterTables(dir: string): void {
  const meta = new Map([['target', 'sim']]);
  const buckets = FIXTURE_HISTOGRAM.flatMap((h) =>
    h.buckets.map(([value, count]) => ({
      job: h.job,
      pod: h.pod,
      direction: h.direction,
      bucket_low_ns: value - 1,
      bucket_high_ns: value + 1,
      bucket_value_ns: value,
      count,
    })),
  );
  const histogram = [
    ...(['job', 'pod', 'direction'] as const).map((n) => columnOf(buckets, n, 'utf8')),
    ...(['bucket_low_ns', 'bucket_high_ns', 'bucket_value_ns', 'count'] as const).map((n) => columnOf(buckets, n, 'i64')),
  ];
  writeFileSync(join(dir, 'latency_histogram.arrow'), toIpc(histogram, meta));
  const nodes = FIXTURE_NODES.map((n) => ({ stack: 'hci', ...n }));
  const nodeColumns = [
    columnOf(nodes, 'stack', 'utf8'),
    columnOf(nodes, 'node', 'utf8'),
    columnOf(nodes, 'cores', 'i32'),
    columnOf(nodes, 'application_cores', 'f64'),
    columnOf(nodes, 'infrastructure_cores', 'f64'),
  ];
  writeFileSync(join(dir, 'nodes.arrow'), toIpc(nodeColumns, meta));
  const drives = FIXTURE_DRIVES.map((d) => ({ stack: 'hci', ...d }));
  const driveColumns = [
    ...(['stack', 'node', 'drive'] as const).map((n) => columnOf(drives, n, 'utf8')),
    ...(['ios_per_s', 'busy_fraction'] as const).map((n) => columnOf(drives, n, 'f64')),
  ];
  writeFileSync(join(dir, 'drives.arrow'), toIpc(driveColumns, meta));
  const links = FIXTURE_LINKS.map((l) => ({ stack: 'hci', role: 'pods', ...l }));
  const linkColumns = [
    ...(['stack', 'node', 'port', 'role'] as const).map((n) => columnOf(links, n, 'utf8')),
    ...(['rate_bits_per_s', 'tx_utilisation', 'rx_utilisation'] as const).map((n) => columnOf(links, n, 'f64')),
  ];
  writeFileSync(join(dir, 'links.arrow'), toIpc(linkColumns, meta));
}

/**
 * A fresh runs folder of copies of `fixture-run`, each started under a tenant (null: the cluster's own) as
 * POST /runs records it; by default one under tenant a, one under b, one the cluster's.
 */
export function ownedRunsFolder(
  owners: readonly (readonly [id: string, tenant: string | null])[] = [
    ['a-run', 'a'],
    ['b-run', 'b'],
    ['cluster-run', null],
  ],
): string {
  const owned = mkdtempSync(join(tmpdir(), 'anvil-owned-runs-'));
  for (const [id, tenant] of owners) {
    cpSync(join(fixtureRunsFolder(), FIXTURE_RUN), join(owned, id), { recursive: true });
    writeFileSync(join(owned, id, RUN_OWNER_FILE), JSON.stringify({ started_by: 'someone', tenant }));
  }
  return owned;
}
