/**
 * `anvil sweep` (issue 21), the compiled CLI as a user runs it: a sweep over queue depth of a 4K random
 * read on the P4510 profile gives, for every point, the bytes of `anvil run` on that point alone (with
 * SOURCE_DATE_EPOCH), whatever --jobs is; its shards run as separate processes (JOB_COMPLETION_INDEX)
 * and merged give the local run's merged table, also after a shard was killed and run again; a failed
 * point is reported, the others run, and the exit code says so; an unchanged point is not run again.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli-harness.js';
import { anvil, BIN, filesOf, QD_SWEEP, SWEEP_ENV } from './sweep-harness.js';

const QDS = [1, 4, 16, 64, 256];

let dir: string;
beforeAll(() => {
  dir = tempDir('anvil-sweep-');
  writeFileSync(join(dir, 'qd.yaml'), QD_SWEEP);
  for (const jobs of [1, 2]) {
    const r = anvil(['sweep', 'qd.yaml', '--out', `jobs${jobs}`, '--jobs', `${jobs}`], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
});

describe('anvil sweep over queue depth, 4K random read on the P4510', () => {
  it("gives each point the bytes of that point's run alone, with --jobs 1 and --jobs 2", () => {
    const points = readdirSync(join(dir, 'jobs1', 'points')).sort();
    expect(points).toEqual(['p00000', 'p00001', 'p00002', 'p00003', 'p00004']);
    for (const [i, id] of points.entries()) {
      const pointDir = join(dir, 'jobs1', 'points', id);
      expect(readFileSync(join(pointDir, 'job.fio'), 'utf8')).toContain(`iodepth=${QDS[i]}`);
      const manifest = JSON.parse(readFileSync(join(pointDir, 'point.json'), 'utf8')) as { command: string };
      const alone = join(dir, `alone-${id}`);
      // The command the manifest records, run in the point's folder, results elsewhere.
      const args = manifest.command
        .replace(/^anvil /, '')
        .replace(/ --out \.$/, '')
        .split(' ');
      const r = anvil([...args, '--out', alone], pointDir);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(readFileSync(join(pointDir, 'output.txt'), 'utf8'));
      const aloneFiles = filesOf(alone);
      expect([...aloneFiles.keys()].sort()).toEqual([
        'interval_histogram.arrow',
        'intervals.arrow',
        'jobs.arrow',
        'latency_histogram.arrow',
        'summary.json',
      ]);
      for (const [name, bytes] of aloneFiles) {
        expect(readFileSync(join(pointDir, name)).equals(bytes), `${id}/${name} as run alone`).toBe(true);
        expect(readFileSync(join(dir, 'jobs2', 'points', id, name)).equals(bytes), `${id}/${name} with --jobs 2`).toBe(true);
      }
    }
    expect(readFileSync(join(dir, 'jobs1', 'sweep.arrow')).equals(readFileSync(join(dir, 'jobs2', 'sweep.arrow')))).toBe(true);
  });

  it('writes one merged row per point and job direction, with the axis as a column, IOPS rising with the queue depth', () => {
    const table = tableFromIPC(readFileSync(join(dir, 'jobs1', 'sweep.arrow')));
    expect(table.numRows).toBe(QDS.length * 2);
    expect(table.schema.fields.map((f) => f.name).slice(0, 5)).toEqual(['point', 'iodepth', 'seed', 'job', 'clones']);
    // Indexes Int32, the seed and the jobs' counts and ns times Int64, as in each point's jobs.arrow.
    const typeOf = (name: string) => String(table.schema.fields.find((f) => f.name === name)!.type);
    expect(['point', 'seed', 'clones', 'runtime_ns', 'total_ios', 'io_bytes', 'iops'].map(typeOf)).toEqual([
      'Int32',
      'Int64',
      'Int32',
      'Int64',
      'Int64',
      'Int64',
      'Float64',
    ]);
    const reads = table.toArray().filter((r: { direction: string }) => r.direction === 'read') as { iodepth: number; iops: number }[];
    expect(reads.map((r) => r.iodepth)).toEqual(QDS);
    for (let i = 1; i < reads.length; i++) expect(reads[i]!.iops).toBeGreaterThan(reads[i - 1]!.iops);
  });

  it('runs no point again whose inputs and version are unchanged, and reruns those that changed', () => {
    const before = filesOf(join(dir, 'jobs1'));
    const r = anvil(['sweep', 'qd.yaml', '--out', 'jobs1', '--jobs', '1'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/0 points run, 5 unchanged/);
    expect(filesOf(join(dir, 'jobs1'))).toEqual(before);
    writeFileSync(join(dir, 'qd-more.yaml'), QD_SWEEP.replace('[1, 4, 16, 64, 256]', '[1, 4, 16, 64, 128]'));
    cpSync(join(dir, 'jobs1'), join(dir, 'changed'), { recursive: true });
    const more = anvil(['sweep', 'qd-more.yaml', '--out', 'changed', '--jobs', '1'], dir);
    expect(more.stdout).toMatch(/1 point run, 4 unchanged/);
  });
});

describe('shards of a sweep', () => {
  it('run as separate processes with JOB_COMPLETION_INDEX, then merged, give the local merged table', () => {
    for (const index of [0, 1, 2]) {
      const r = anvil(['sweep', 'run-shard', 'qd.yaml', '--shards', '3', '--out', `shard${index}`], dir, {
        ...SWEEP_ENV,
        JOB_COMPLETION_INDEX: `${index}`,
      });
      expect(r.status).toBe(0);
      expect(readdirSync(join(dir, `shard${index}`, 'points')).sort()).toEqual(
        ['p00000', 'p00001', 'p00002', 'p00003', 'p00004'].filter((_, i) => i % 3 === index),
      );
    }
    const merged = anvil(['sweep', 'merge', 'shard0', 'shard1', 'shard2', '--out', 'merged'], dir);
    expect(merged.status).toBe(0);
    expect(merged.stdout).toMatch(/merged 5 of 5 points/);
    const local = readFileSync(join(dir, 'jobs2', 'sweep.arrow'));
    expect(readFileSync(join(dir, 'merged', 'sweep.arrow')).equals(local)).toBe(true);
    // The same Parquet file, holding the same rows.
    const parquet = readFileSync(join(dir, 'merged', 'sweep.parquet'));
    expect(parquet.equals(readFileSync(join(dir, 'jobs2', 'sweep.parquet')))).toBe(true);
    const fromParquet = tableFromIPC(readParquet(parquet).intoIPCStream());
    // Int64 columns (counts, ns times) come back as bigint, which JSON cannot hold as is.
    const rowText = (row: unknown) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    expect(fromParquet.toArray().map(rowText)).toEqual(tableFromIPC(local).toArray().map(rowText));
    // The same summary page too: charts of IOPS and p99 against the queue depth, the knee marked.
    const page = readFileSync(join(dir, 'merged', 'summary.html'), 'utf8');
    expect(page).toBe(readFileSync(join(dir, 'jobs2', 'summary.html'), 'utf8'));
    expect(page.match(/<svg/g)).toHaveLength(2);
    expect(page).toMatch(/knee iodepth=\d+/);
  });

  it('merged without one shard say which points are missing and exit 1', () => {
    const r = anvil(['sweep', 'merge', 'shard0', 'shard1', '--out', 'partial'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ANVIL_ERR_SWEEP_POINTS_FAILED: no point failed; 1 is missing/);
    expect(r.stderr).toMatch(/point 2: missing/);
  });

  it('killed mid-way and run again leave no duplicate or missing point', async () => {
    const out = join(dir, 'killed');
    const child = spawn(process.execPath, [BIN, 'sweep', 'run-shard', 'qd.yaml', '--index', '0', '--shards', '1', '--out', out], {
      cwd: dir,
      env: SWEEP_ENV,
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Killed as soon as its first point is in place (a point in flight is then in its temporary folder).
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    while (!existsSync(join(out, 'points', 'p00000', 'point.json')) && child.exitCode === null) await pause(5);
    child.kill('SIGKILL');
    await exited;
    // Whatever the kill left, as a kill between writing a point and its rename would: a partial temporary folder.
    const partial = join(out, 'points', '.tmp-p00004');
    if (!existsSync(partial)) {
      mkdirSync(partial, { recursive: true });
      writeFileSync(join(partial, 'summary.json'), '{"truncated":');
    }
    const again = anvil(['sweep', 'run-shard', 'qd.yaml', '--index', '0', '--shards', '1', '--out', out], dir);
    expect(again.status).toBe(0);
    expect(readdirSync(join(out, 'points')).sort()).toEqual(['p00000', 'p00001', 'p00002', 'p00003', 'p00004']);
    const merged = anvil(['sweep', 'merge', out, '--out', join(dir, 'merged-killed')], dir);
    expect(merged.status).toBe(0);
    expect(readFileSync(join(dir, 'merged-killed', 'sweep.arrow')).equals(readFileSync(join(dir, 'jobs1', 'sweep.arrow')))).toBe(true);
  });

  it('reads a missing index as a usage error naming JOB_COMPLETION_INDEX', () => {
    const r = anvil(['sweep', 'run-shard', 'qd.yaml', '--shards', '2'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ANVIL_ERR_USAGE: run-shard needs --index I, or JOB_COMPLETION_INDEX set/);
  });
});

describe('a failed point', () => {
  it('is reported, the other points run, the merged table holds them, and the exit code is 1', () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      QD_SWEEP.replace('option: iodepth\n    values: [1, 4, 16, 64, 256]', 'option: bs\n    values: [4k, banana, 8k]'),
    );
    const r = anvil(['sweep', 'bad.yaml', '--out', 'bad', '--jobs', '2'], dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/2 points run, 0 unchanged \(not run again\), 1 failed/);
    expect(r.stderr).toMatch(/ANVIL_ERR_SWEEP_POINTS_FAILED: 1 point failed/);
    expect(r.stderr).toMatch(/p00001: ANVIL_ERR_JOB_VALUE/);
    expect(readdirSync(join(dir, 'bad', 'points')).sort()).toEqual(['p00000', 'p00002']);
    expect(JSON.parse(readFileSync(join(dir, 'bad', 'failed', 'p00001.json'), 'utf8'))).toMatchObject({
      index: 1,
      axes: [['bs', 'banana']],
    });
    const table = tableFromIPC(readFileSync(join(dir, 'bad', 'sweep.arrow')));
    expect([...new Set(table.toArray().map((r: { bs: string }) => r.bs))]).toEqual(['4k', '8k']);
  });

  it('a point over its simulated-time budget fails alone', () => {
    writeFileSync(
      join(dir, 'budget.yaml'),
      QD_SWEEP.replace('profile: intel-p4510-4tb', 'profile: intel-p4510-4tb\nmax_ios_per_point: 1000'),
    );
    const r = anvil(['sweep', 'budget.yaml', '--out', 'budget', '--jobs', '1'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ANVIL_ERR_RUN_TOO_LARGE/);
    const failed = readdirSync(join(dir, 'budget', 'failed'));
    expect(failed.length).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'budget', 'points')).length).toBeGreaterThan(0);
    expect(failed.length + readdirSync(join(dir, 'budget', 'points')).length).toBe(5);
  });
});

describe('a quick sweep of a job file from flags', () => {
  it('sweeps an option and a profile parameter, each point with its own profile.yaml, equal to its run alone', () => {
    writeFileSync(join(dir, 'q.fio'), '[global]\nrw=randread\nbs=4k\nruntime=10ms\ntime_based\n[r]\n');
    const r = anvil(
      ['sweep', 'q.fio', '--axis', 'iodepth=1..16*16', '--axis', 'profile.controller.cores=2,4', '--seeds', '3', '--out', 'flags'],
      dir,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/sweep q: 4 points run/);
    // The flags are kept as the sweep file that ran.
    expect(readFileSync(join(dir, 'flags', 'sweep.yaml'), 'utf8')).toMatch(/- profile: controller\.cores/);
    const point = join(dir, 'flags', 'points', 'p00003');
    expect(readFileSync(join(point, 'job.fio'), 'utf8')).toMatch(/\[r\]\niodepth=16\n/);
    expect(readFileSync(join(point, 'profile.yaml'), 'utf8')).toMatch(/^ {2}cores: 4$/m);
    const manifest = JSON.parse(readFileSync(join(point, 'point.json'), 'utf8')) as { command: string };
    expect(manifest.command).toBe('anvil run job.fio --seed 3 --profile profile.yaml --out .');
    const alone = anvil(['run', 'job.fio', '--seed', '3', '--profile', 'profile.yaml', '--out', join(dir, 'flags-alone')], point);
    expect(alone.status).toBe(0);
    for (const [name, bytes] of filesOf(join(dir, 'flags-alone'))) expect(readFileSync(join(point, name)).equals(bytes), name).toBe(true);
    // Fewer cores serve fewer reads at queue depth 16: the parameter reached the model.
    const table = tableFromIPC(readFileSync(join(dir, 'flags', 'sweep.arrow')));
    const reads = table.toArray().filter((row: { direction: string }) => row.direction === 'read') as Record<string, number>[];
    const iops = (qd: number, cores: number) => reads.find((row) => row.iodepth === qd && row['profile.controller.cores'] === cores)!.iops!;
    expect(iops(16, 2)).toBeLessThan(iops(16, 4));
  });

  it('refuses a job file without axes, and axes with a sweep file', () => {
    const none = anvil(['sweep', 'q.fio'], dir);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/ANVIL_ERR_USAGE: q\.fio is not a sweep file \(kind: Sweep\); to sweep a job file, give its axes/);
    const both = anvil(['sweep', 'qd.yaml', '--axis', 'bs=4k'], dir);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/ANVIL_ERR_USAGE: qd\.yaml is a sweep file/);
  });
});
