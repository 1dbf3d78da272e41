/**
 * `anvil run --target host` with the installed fio on a small file: fio's own JSON on stdout, the same
 * result files as the model's (read back by Polars), nothing left in the temporary folder, and a coded
 * error for each thing a user can get wrong. Needs fio: runs in CI (which installs it), skips only on a
 * machine without it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { which } from '../../../bench/targets/host/bounded-process.js';
import { parseFioVersion } from '../../../bench/targets/host/fio-binary.js';
import { runHorizon_ns, withAdditions } from '../../../bench/targets/host/host-job-file.js';
import { anvilRun, tempDir } from '../../cli-harness.js';
import { needs } from '../../needs.js';

const hasFio = which('fio') !== undefined;
const needFio = needs('fio', hasFio);
const JOB = '[global]\nioengine=psync\nsize=16m\nbs=4k\nruntime=1\ntime_based\n\n[rr]\nrw=randrw\nrwmixread=70\n';

type Doc = {
  'fio version': string;
  jobs: {
    jobname: string;
    read: { total_ios: number; iops: number; io_bytes: number; clat_ns: { bins?: Record<string, number>; N: number } };
    write: { total_ios: number };
  }[];
};

describe('anvil run --target host', () => {
  let scratch: string;
  let previousTmp: string | undefined;
  beforeAll(() => {
    // fio's work folder goes under a TMPDIR of our own, so the test can see it is removed.
    scratch = tempDir('anvil-host-test-');
    mkdirSync(join(scratch, 'tmp'));
    previousTmp = process.env.TMPDIR;
    process.env.TMPDIR = join(scratch, 'tmp');
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true }); // fio's data files
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
  });

  needFio("prints fio's own json+ and writes the model's result files, read back by Polars", async () => {
    const out = join(scratch, 'out');
    const data = join(scratch, 'data.bin');
    const { stdout, run } = await anvilRun(JOB, { target: 'host', outputFormat: 'json+', out, filename: data });
    const doc = JSON.parse(stdout) as Doc;
    expect(doc['fio version']).toMatch(/^fio-3\./);
    const job = doc.jobs[0]!;
    expect(job.jobname).toBe('rr');
    expect(job.read.total_ios).toBeGreaterThan(100);
    expect(Object.values(job.read.clat_ns.bins!).reduce((a, b) => a + b, 0)).toBe(job.read.clat_ns.N);
    expect(run.jobs[0]!.measured.read.total_ios).toBe(job.read.total_ios);
    expect(existsSync(data)).toBe(true);

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Doc & { anvil: Record<string, unknown> };
    expect(summary.jobs).toEqual(doc.jobs);
    expect(summary.anvil).toMatchObject({ target: 'host', schema_version: 1, filename: data });
    const intervals = pl.readIPC(readFileSync(join(out, 'intervals.arrow')));
    const reads = intervals.filter(pl.col('direction').eq(pl.lit('read')));
    expect(Number(reads.getColumn('ios').sum())).toBe(job.read.total_ios);
    // fio logs an entry once 100 ms or more have passed, so a loaded machine gives fewer, longer rows:
    // the rows must still be several, in time order, and tile the run without gaps or overlaps.
    expect(reads.height).toBeGreaterThanOrEqual(2);
    const ends = reads.getColumn('time_ns').toArray().map(Number);
    const lengths = reads.getColumn('interval_ns').toArray().map(Number);
    for (let i = 1; i < ends.length; i++) expect(ends[i]! - ends[i - 1]!).toBe(lengths[i]);
    expect(ends.at(-1)!).toBeGreaterThanOrEqual(900e6);
    const hist = pl.readIPC(readFileSync(join(out, 'latency_histogram.arrow')));
    expect(
      Number(
        hist
          .filter(pl.col('direction').eq(pl.lit('read')))
          .getColumn('count')
          .sum(),
      ),
    ).toBe(job.read.total_ios);
    const jobs = pl.readIPC(readFileSync(join(out, 'jobs.arrow')));
    expect(
      Number(
        jobs
          .filter(pl.col('direction').eq(pl.lit('read')))
          .getColumn('iops')
          .toArray()[0],
      ),
    ).toBeCloseTo(job.read.iops, 3);
    expect(readdirSync(join(scratch, 'tmp')).filter((n) => n.startsWith('anvil-host-'))).toEqual([]);
  });

  needFio('prints json without bins, and the text summary', async () => {
    const data = join(scratch, 'data2.bin');
    const json = await anvilRun(JOB.replace('runtime=1', 'runtime=300ms'), { target: 'host', outputFormat: 'json', filename: data });
    expect(json.stdout).not.toContain('"bins"');
    expect((JSON.parse(json.stdout) as Doc).jobs[0]!.read.total_ios).toBeGreaterThan(0);
    const text = await anvilRun(JOB.replace('runtime=1', 'runtime=300ms'), { target: 'host', outputFormat: 'normal', filename: data });
    expect(text.stdout).toMatch(/target host, profile host \(fio-3\.\d+ on /);
    expect(text.stdout).toMatch(/read: IOPS=/);
    expect(text.stdout).not.toMatch(/simulated/);
  });

  needFio("reports fio's own error and removes the file it was to create", async () => {
    const data = join(scratch, 'never.bin');
    await expect(
      anvilRun('[bad]\nrw=randread\nbs=4k\nsize=1m\nioengine=no-such-engine\n', { target: 'host', filename: data }),
    ).rejects.toThrow(/fio failed/);
    expect(existsSync(data)).toBe(false);
    expect(readdirSync(join(scratch, 'tmp')).filter((n) => n.startsWith('anvil-host-'))).toEqual([]);
  });

  needFio('stops fio at its time bound and removes what it created', async () => {
    const data = join(scratch, 'slow.bin');
    const slow = JOB.replace('runtime=1', 'runtime=30');
    await expect(anvilRun(slow, { target: 'host', filename: data, timeout: 1 })).rejects.toMatchObject({
      code: 'ANVIL_ERR_TIMEOUT',
      message: expect.stringMatching(/fio ran past its bound of 1 s/),
    });
    expect(existsSync(data)).toBe(false);
    expect(readdirSync(join(scratch, 'tmp')).filter((n) => n.startsWith('anvil-host-'))).toEqual([]);
  });

  needFio('lays out the file --filename names at the size plain fio gives the same job (issue 11, point 15)', async () => {
    const job = '[global]\nioengine=psync\nrw=write\nbs=1m\nsize=8m\n\n[w]\n';
    const viaAnvil = join(scratch, 'sized-anvil.bin');
    const viaFio = join(scratch, 'sized-fio.bin');
    await anvilRun(job, { target: 'host', outputFormat: 'json', filename: viaAnvil });
    const plain = join(scratch, 'plain.fio');
    writeFileSync(plain, job.replace('[w]\n', `[w]\nfilename=${viaFio}\n`));
    const r = spawnSync(which('fio')!, ['--output-format=json', plain], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(statSync(viaFio).size).toBe(8 * 1024 * 1024);
    expect(statSync(viaAnvil).size).toBe(statSync(viaFio).size);
  });

  it('refuses a path it cannot write, naming the path and what to do', async () => {
    await expect(anvilRun(JOB, { target: 'host', filename: join(scratch, 'missing', 'x.bin') })).rejects.toThrow(
      /folder .*missing does not exist/,
    );
    await expect(anvilRun(JOB, { target: 'host', filename: scratch })).rejects.toThrow(/is a directory/);
  });

  it('says how to install fio when there is none, or an old one', async () => {
    const bin = join(scratch, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'old-fio'), '#!/bin/sh\necho fio-2.2.10\n');
    chmodSync(join(bin, 'old-fio'), 0o755);
    const saved = process.env.ANVIL_FIO;
    try {
      process.env.ANVIL_FIO = 'no-such-fio-binary';
      await expect(anvilRun(JOB, { target: 'host' })).rejects.toMatchObject({
        code: 'ANVIL_ERR_FIO_MISSING',
        message: expect.stringMatching(/apt-get install fio/),
      });
      process.env.ANVIL_FIO = join(bin, 'no-such-dir', 'fio'); // a path that does not exist: spawn fails, no output at all
      await expect(anvilRun(JOB, { target: 'host' })).rejects.toMatchObject({
        code: 'ANVIL_ERR_FIO_MISSING',
        message: expect.stringMatching(/ENOENT.*apt-get install fio/),
      });
      process.env.ANVIL_FIO = join(bin, 'old-fio');
      await expect(anvilRun(JOB, { target: 'host' })).rejects.toMatchObject({
        code: 'ANVIL_ERR_FIO_MISSING',
        message: expect.stringMatching(/fio-2\.2\.10.*3\.0 or later/),
      });
    } finally {
      if (saved === undefined) delete process.env.ANVIL_FIO;
      else process.env.ANVIL_FIO = saved;
    }
  });
});

describe('the job file fio gets', () => {
  it("is the user's, with logs appended to every section and --filename once in each job section, replacing the file's own", () => {
    const text = '[global]\nbs=4k\nfilename=/dev/theirs\n\n[a]\nrw=read\n[b] ; second\nrw=write\n  filename = /dev/other ; theirs too\n';
    const out = withAdditions(text, { filename: '/tmp/x', logPrefix: '/tmp/w/anvil', interval_ms: 100 });
    const sections = out.split(/^(?=\[)/m);
    expect(sections).toHaveLength(3);
    for (const s of sections) expect(s).toMatch(/write_hist_log=\/tmp\/w\/anvil\nlog_hist_msec=100\nlog_hist_coarseness=0/);
    // fio adds a file for every filename= a job sees ([global]'s and its own): exactly one per job.
    expect(sections[0]).not.toMatch(/^filename=/m);
    for (const s of sections.slice(1)) expect(s.match(/^filename=.*$/gm)).toEqual(['filename=/tmp/x']);
    expect(out).toMatch(/^; filename=\/dev\/theirs/m);
    expect(out).toMatch(/^; filename = \/dev\/other/m);
    expect(out).toContain('rw=read\n');
  });

  it("leaves a job file's own filename alone without --filename", () => {
    const out = withAdditions('[global]\nfilename=/dev/theirs\n[a]\nrw=read\n', { logPrefix: '/w/anvil', interval_ms: 10 });
    expect(out.match(/^filename=.*$/gm)).toEqual(['filename=/dev/theirs']);
  });

  it('escapes colons in --filename, which fio would read as several files', () => {
    expect(
      withAdditions('[a]\n', { filename: '/dev/disk/by-path/pci-0000:3b:00.0-nvme-1', logPrefix: '/w/anvil', interval_ms: 10 }),
    ).toContain('filename=/dev/disk/by-path/pci-0000\\:3b\\:00.0-nvme-1\n');
  });

  it("bounds the run by the jobs' ramp and runtime, summed over sections", () => {
    expect(runHorizon_ns('[global]\nruntime=2\n[a]\n[b]\nruntime=500ms\nramp_time=1\n')).toBe(2e9 + 1.5e9);
    expect(runHorizon_ns('[a]\nsize=1g\n')).toBe(Infinity);
  });

  it("reads fio's version", () => {
    expect(parseFioVersion('fio-3.33\n')).toEqual({ version: 'fio-3.33', major: 3, minor: 33 });
    expect(parseFioVersion('fio-3.36-12-gabcdef')?.minor).toBe(36);
    expect(parseFioVersion('bash: fio: not found')).toBeUndefined();
  });
});
