/**
 * Trims in the result tables: fio reports them (json+ `trim`, log direction 2); the tables carry them as
 * rows with direction "trim", in the same columns as the model's tables. fio cannot trim a regular file
 * (error 25), so the committed fixture and the live run use a loop device over a file, which needs root:
 * the live run runs in CI (root), and skips only on a user's machine without root or fio.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrowTables } from '../../../bench/results/arrow-tables.js';
import { normalText } from '../../../bench/results/normal-text.js';
import { which, type Background } from '../../../bench/targets/host/bounded-process.js';
import { ALL_CLIENTS, documentJobs } from '../../../bench/targets/host/fio-document.js';
import { anvilRun, tempDir } from '../../cli-harness.js';
import { loadFixture } from './fixtures.js';
import { startFioServers } from './fio-servers.js';
import { inCI, needs } from '../../needs.js';

const haveLoop = which('fio') !== undefined && which('losetup') !== undefined && process.getuid?.() === 0;
const needLoop = needs('root, fio and losetup', haveLoop);
// In CI the live run always runs (and fails if something is missing).
const canLoop = haveLoop || inCI;

const tables = (run: Parameters<typeof arrowTables>[0]) => {
  const files = arrowTables(run, { version: 'test', jobfile: 'job.fio' });
  const read = (name: string) => pl.readIPC(Buffer.from(files.get(name)!));
  return { intervals: read('intervals.arrow'), histogram: read('latency_histogram.arrow'), jobs: read('jobs.arrow') };
};

const trimRows = (df: pl.DataFrame) => df.filter(pl.col('direction').eq(pl.lit('trim')));
const sum = (df: pl.DataFrame, col: string) => Number(df.getColumn(col).sum());

describe('trims in the tables', () => {
  it("a real randtrim run (fixture) gives trim rows that add up to fio's trim totals", () => {
    const { document, run } = loadFixture('randtrim-loop');
    const trim = documentJobs(document)[0]!.trim!;
    expect(trim.total_ios).toBeGreaterThan(1000);
    const t = tables(run);
    expect(sum(trimRows(t.intervals), 'ios')).toBe(trim.total_ios);
    expect(trimRows(t.intervals).height).toBeGreaterThanOrEqual(4); // 1 s in 250 ms intervals
    expect(sum(trimRows(t.histogram), 'count')).toBe(trim.total_ios);
    const job = trimRows(t.jobs);
    expect(job.height).toBe(1);
    expect(sum(job, 'total_ios')).toBe(trim.total_ios);
    expect(sum(job, 'io_bytes')).toBe(trim.io_bytes);
    expect(sum(job, 'clat_mean_ns')).toBeCloseTo(trim.clat_ns.mean, 6);
    // Reads and writes keep their rows (empty here), so the layout is the model's plus trim.
    expect(t.jobs.getColumn('direction').toArray()).toEqual(['read', 'write', 'trim']);
    // The text summary has the trim line fio's normal output has, and nothing for the empty directions.
    const text = normalText(run, { version: 'test', timestamp_s: 0 });
    expect(text).toContain(`  trim: IOPS=`);
    expect(text).toContain(`issued rwts: total=0,0,${trim.total_ios},0 `);
    expect(text).not.toMatch(/^ {2}(read|write):/m);
  });

  it("jobs that did not trim have no trim rows, and the columns are the model's", async () => {
    const { run } = loadFixture('randrw-jsonplus');
    const host = tables(run);
    expect(trimRows(host.jobs).height).toBe(0);
    expect(trimRows(host.intervals).height).toBe(0);
    const { run: sim } = await anvilRun('[rr]\nrw=randread\nsize=16m\nruntime=10ms\ntime_based\n');
    const model = tables(sim);
    const trimmed = tables(loadFixture('randtrim-loop').run);
    for (const name of ['intervals', 'histogram', 'jobs'] as const) {
      expect(host[name].columns).toEqual(model[name].columns);
      expect(trimmed[name].columns).toEqual(model[name].columns);
      expect(trimmed[name].dtypes.map(String)).toEqual(model[name].dtypes.map(String));
    }
  });
});

describe('anvil run --target host on a loop device', () => {
  let scratch: string;
  let loop = '';
  beforeAll(() => {
    if (!canLoop) return;
    scratch = tempDir('anvil-trim-test-');
    execFileSync('truncate', ['-s', '64M', join(scratch, 'disk.img')]);
    loop = execFileSync('losetup', ['-f', '--show', join(scratch, 'disk.img')], { encoding: 'utf8' }).trim();
  });
  const servers: Background[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (loop !== '') execFileSync('losetup', ['-d', loop]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  needLoop("writes trim rows from a live fio randtrim run that match fio's own JSON", async () => {
    const out = join(scratch, 'out');
    const { stdout } = await anvilRun('[tr]\nioengine=psync\nrw=randtrim\nbs=64k\nsize=32m\n', {
      target: 'host',
      outputFormat: 'json+',
      out,
      filename: loop,
    });
    const doc = JSON.parse(stdout) as { jobs: { trim: { total_ios: number } }[] };
    const total = doc.jobs[0]!.trim.total_ios;
    expect(total).toBeGreaterThan(100);
    const intervals = pl.readIPC(readFileSync(join(out, 'intervals.arrow')));
    expect(sum(trimRows(intervals), 'ios')).toBe(total);
    const hist = pl.readIPC(readFileSync(join(out, 'latency_histogram.arrow')));
    expect(sum(trimRows(hist), 'count')).toBe(total);
    const jobs = pl.readIPC(readFileSync(join(out, 'jobs.arrow')));
    expect(sum(trimRows(jobs), 'total_ios')).toBe(total);
  });

  needLoop('--hosts: each server\'s trims and fio\'s "All clients" aggregate of them', async () => {
    // Two fio servers on loopback addresses, both trimming the same loop device; one pass over 32 MiB in 64 KiB
    // trims (512 each) bounds the run by count, not time, so a loaded machine trims as many.
    // Stopped by afterAll; their bound only ends a hung one (the wait for them to answer alone may take 120 s).
    const addresses = await startFioServers(['127.0.0.2', '127.0.0.3'], servers, 900_000);
    const out = join(scratch, 'out-hosts');
    const { stdout } = await anvilRun('[tr]\nioengine=psync\nrw=randtrim\nbs=64k\nsize=32m\n', {
      target: 'host',
      outputFormat: 'json',
      out,
      filename: loop,
      hosts: addresses,
    });
    const entries = (
      JSON.parse(stdout) as { client_stats: { jobname: string; hostname: string; port: number; trim: { total_ios: number } }[] }
    ).client_stats;
    const jobs = trimRows(pl.readIPC(readFileSync(join(out, 'jobs.arrow'))));
    const hist = trimRows(pl.readIPC(readFileSync(join(out, 'latency_histogram.arrow'))));
    const intervals = trimRows(pl.readIPC(readFileSync(join(out, 'intervals.arrow'))));
    for (const host of [...addresses, ALL_CLIENTS]) {
      const entry = entries.find((e) =>
        host === ALL_CLIENTS ? e.jobname === ALL_CLIENTS : `${e.hostname}:${e.port}` === host && e.jobname !== ALL_CLIENTS,
      )!;
      expect(entry.trim.total_ios, host).toBeGreaterThan(100);
      const mine = (df: pl.DataFrame) => df.filter(pl.col('host').eq(pl.lit(host)));
      expect(sum(mine(jobs), 'total_ios'), host).toBe(entry.trim.total_ios);
      expect(sum(mine(hist), 'count'), host).toBe(entry.trim.total_ios);
      expect(sum(mine(intervals), 'ios'), host).toBe(entry.trim.total_ios);
    }
  });
});
