/**
 * fio's log files written by the model (write_bw_log, write_iops_log, write_lat_log, write_hist_log with
 * log_avg_msec / log_hist_msec): named and laid out as fio's HOWTO "Log File Formats" says, adding up to
 * the run's JSON, and read by fio's own readers from Debian's fio package: fio2gnuplot (bandwidth and
 * IOPS logs) and fiologparser_hist.py (the histogram log, which needs python3 with pandas and numpy).
 * Tests that need those run in CI (which installs them) and skip only on a machine without them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BUCKETS } from '../../sim/measure/latency-histogram.js';
import { anvilRun, tempDir, writeFiles } from '../cli-harness.js';
import { needs } from '../needs.js';
import { anvilBin } from '../../bench/package-root.js';

const QUEUE = 'kind: queue\nservers: 2\nservice: { dist: lognormal, mean: 40us, stddev: 30us }\n';
const BIN = anvilBin();

type Stats = { N: number; mean: number; percentile: Record<string, number> };
type Dir = { io_bytes: number; total_ios: number; bw: number; iops: number; runtime: number; clat_ns: Stats; slat_ns: Stats };
type Job = { jobname: string; read: Dir; write: Dir };

function lines(path: string): number[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(',').map((f) => Number(f.trim())));
}

async function runWithLogs(job: string, out = tempDir('anvil-logs-')): Promise<{ out: string; jobs: Job[]; stderr: string }> {
  const { stdout, stderr } = await anvilRun(job, { profileYaml: QUEUE, outputFormat: 'json', out });
  return { out, jobs: (JSON.parse(stdout) as { jobs: Job[] }).jobs, stderr };
}

const MIX = `[global]
rw=randrw
rwmixread=70
bs=4k
iodepth=16
runtime=2s
time_based
write_bw_log=mix
write_iops_log=mix
write_lat_log=mix
write_hist_log=mix
log_avg_msec=100
log_hist_msec=200

[mix]
`;

describe("fio's log files", () => {
  it("are named as fio names them, beside the results, in fio's line format, and add up to the JSON", async () => {
    const { out, jobs } = await runWithLogs(MIX);
    const names = readdirSync(out).filter((f) => f.endsWith('.log'));
    expect(names.sort()).toEqual([
      'mix_bw.1.log',
      'mix_clat.1.log',
      'mix_clat_hist.1.log',
      'mix_iops.1.log',
      'mix_lat.1.log',
      'mix_slat.1.log',
    ]);
    const job = jobs[0]!;
    // time, value, ddir, bs (0 when averaged), priority: 20 periods of 100 ms, a line per direction each.
    const bw = lines(join(out, 'mix_bw.1.log'));
    expect(bw).toHaveLength(40);
    expect(bw.every((l) => l.length === 5 && l[3] === 0 && l[4] === 0 && (l[2] === 0 || l[2] === 1))).toBe(true);
    expect(bw.filter((l) => l[2] === 0).map((l) => l[0])).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 100));
    for (const [ddir, d] of [
      [0, job.read],
      [1, job.write],
    ] as const) {
      // KiB/s over 0.1 s periods, each rounded down: within a KiB per period of the JSON's bytes.
      const kib = bw.filter((l) => l[2] === ddir).reduce((a, l) => a + l[1]! * 0.1, 0);
      expect(kib).toBeLessThanOrEqual(d.io_bytes / 1024 + 1e-6);
      expect(kib).toBeGreaterThan(d.io_bytes / 1024 - 20);
      const ios = lines(join(out, 'mix_iops.1.log'))
        .filter((l) => l[2] === ddir)
        .reduce((a, l) => a + l[1]! * 0.1, 0);
      expect(Math.round(ios)).toBe(d.total_ios);
      // The clat log's per-period means, weighted by the period's I/Os, give the JSON's mean.
      const clat = lines(join(out, 'mix_clat.1.log')).filter((l) => l[2] === ddir);
      const iopsLines = lines(join(out, 'mix_iops.1.log')).filter((l) => l[2] === ddir);
      const weighted = clat.reduce((a, l, i) => a + l[1]! * iopsLines[i]![1]!, 0) / iopsLines.reduce((a, l) => a + l[1]!, 0);
      expect(Math.abs(weighted - d.clat_ns.mean) / d.clat_ns.mean).toBeLessThan(1e-3);
    }
    // Closed loop: no submission latency, so lat = clat line for line.
    expect(lines(join(out, 'mix_slat.1.log')).every((l) => l[1] === 0)).toBe(true);
    expect(lines(join(out, 'mix_lat.1.log'))).toEqual(lines(join(out, 'mix_clat.1.log')));
    // Histogram: time, ddir, bs, then one count per fio bucket; every I/O of the run in some line.
    const hist = lines(join(out, 'mix_clat_hist.1.log'));
    expect(hist).toHaveLength(20);
    expect(hist.every((l) => l.length === 3 + BUCKETS && l[2] === 4096)).toBe(true);
    const counted = (ddir: number) => hist.filter((l) => l[1] === ddir).reduce((a, l) => a + l.slice(3).reduce((x, y) => x + y, 0), 0);
    expect(counted(0)).toBe(job.read.total_ios);
    expect(counted(1)).toBe(job.write.total_ios);
  });

  it('number every clone of every section, name bare options after the job, and follow per_job_logs and log_hist_coarseness', async () => {
    const job = `[global]
rw=randread
runtime=1s
time_based
log_avg_msec=250

[a]
numjobs=2
write_bw_log
write_hist_log=h
log_hist_msec=500
log_hist_coarseness=2

[b]
write_iops_log=shared
per_job_logs=0
`;
    const { out } = await runWithLogs(job);
    const names = readdirSync(out).filter((f) => f.endsWith('.log'));
    expect(names.sort()).toEqual(['a_bw.1.log', 'a_bw.2.log', 'h_clat_hist.1.log', 'h_clat_hist.2.log', 'shared_iops.log']);
    expect(lines(join(out, 'a_bw.2.log'))).toHaveLength(4);
    const hist = lines(join(out, 'h_clat_hist.1.log'));
    expect(hist).toHaveLength(2);
    expect(hist[0]!.length).toBe(3 + BUCKETS / 4);
  });

  it('go to the working directory without --out, as fio writes them', () => {
    const dir = writeFiles({
      'job.fio': '[w]\nrw=write\nruntime=1s\ntime_based\nwrite_bw_log=seq\nlog_avg_msec=500\n',
      'profile.yaml': QUEUE,
    });
    const r = spawnSync(process.execPath, [BIN, 'run', 'job.fio', '--profile', 'profile.yaml'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(lines(join(dir, 'seq_bw.1.log')).map((l) => [l[0], l[2]])).toEqual([
      [500, 1],
      [1000, 1],
    ]);
  });

  it('log bandwidth at bwavgtime without log_avg_msec, and latency one line per I/O, as fio does', async () => {
    const { out, jobs } = await runWithLogs('[r]\nrw=randread\niodepth=4\nruntime=2s\ntime_based\nwrite_bw_log=r\nwrite_lat_log=r\n');
    // Unaveraged samples carry the job's block size, as fio's.
    expect(lines(join(out, 'r_bw.1.log')).map((l) => [l[0], l[2], l[3]])).toEqual([500, 1000, 1500, 2000].map((t) => [t, 0, 4096]));
    const clat = lines(join(out, 'r_clat.1.log'));
    const read = jobs[0]!.read;
    expect(clat).toHaveLength(read.total_ios);
    expect(clat.every((l, i) => l.length === 5 && l[2] === 0 && l[3] === 4096 && (i === 0 || l[0]! >= clat[i - 1]![0]!))).toBe(true);
    expect(clat.at(-1)![0]).toBeLessThanOrEqual(2000);
    const mean = clat.reduce((a, l) => a + l[1]!, 0) / clat.length;
    expect(Math.abs(mean - read.clat_ns.mean)).toBeLessThan(1);
    expect(lines(join(out, 'r_lat.1.log'))).toEqual(clat);
  });

  it('carry submission latency where I/Os wait before submission (slat, and lat = slat + clat)', async () => {
    // Poisson arrivals at one I/O in flight: some wait for the one before to finish.
    const job =
      '[p]\nrw=randread\nrate_iops=15000\nrate_process=poisson\nruntime=1s\ntime_based\nwrite_lat_log=p\nwrite_iops_log=p\nlog_avg_msec=100\n';
    const { out, jobs } = await runWithLogs(job);
    const slat_ns = jobs[0]!.read.slat_ns;
    expect(slat_ns.mean).toBeGreaterThan(0);
    const slat = lines(join(out, 'p_slat.1.log'));
    const ios = lines(join(out, 'p_iops.1.log'));
    const weighted = slat.reduce((a, l, i) => a + l[1]! * ios[i]![1]!, 0) / ios.reduce((a, l) => a + l[1]!, 0);
    expect(Math.abs(weighted - slat_ns.mean) / slat_ns.mean).toBeLessThan(1e-3);
    const clat = lines(join(out, 'p_clat.1.log'));
    lines(join(out, 'p_lat.1.log')).forEach((l, i) => expect(Math.abs(l[1]! - slat[i]![1]! - clat[i]![1]!)).toBeLessThanOrEqual(1));
  });

  it('have no line for a direction without I/O in a period, as fio writes none', async () => {
    // verify: the writes, then their read-back; each direction is busy in only part of the run.
    const { out, jobs } = await runWithLogs('[v]\nrw=write\nbs=128k\nsize=64m\nverify=crc32c\nwrite_iops_log=v\nlog_avg_msec=5\n');
    const iops = lines(join(out, 'v_iops.1.log'));
    expect(iops.every((l) => l[1]! > 0)).toBe(true);
    const reads = iops.filter((l) => l[2] === 0).map((l) => l[0]!);
    const writes = iops.filter((l) => l[2] === 1).map((l) => l[0]!);
    expect(reads.length).toBeGreaterThan(0);
    expect(Math.min(...reads)).toBeGreaterThanOrEqual(Math.max(...writes));
    expect(jobs[0]!.read.total_ios).toBe(jobs[0]!.write.total_ios);
  });

  it('refuse a period too fine for the run, naming the options', async () => {
    const job = '[r]\nrw=randread\nruntime=1000s\ntime_based\nwrite_bw_log=r\nlog_avg_msec=1\n';
    await expect(runWithLogs(job)).rejects.toMatchObject({
      code: 'ANVIL_ERR_JOB_VALUE',
      message: expect.stringMatching(/log_avg_msec.*longer periods/),
    });
  });

  it('log trims as ddir 2, with the trim block size in the histogram log', async () => {
    const job =
      '[t]\nrw=randtrimwrite\nbs=4k,4k,16k\nsize=16m\nwrite_iops_log=t\nwrite_lat_log=t\nwrite_hist_log=t\nlog_avg_msec=2\nlog_hist_msec=2\n';
    const { out } = await runWithLogs(job);
    for (const name of ['t_iops.1.log', 't_clat.1.log']) {
      const ddirs = new Set(lines(join(out, name)).map((l) => l[2]));
      expect([...ddirs].sort()).toEqual([1, 2]);
    }
    const hist = lines(join(out, 't_clat_hist.1.log'));
    const trims = hist.filter((l) => l[1] === 2);
    expect(trims.length).toBeGreaterThan(0);
    expect(trims.every((l) => l[2] === 16384)).toBe(true);
    expect(hist.filter((l) => l[1] === 1).every((l) => l[2] === 4096)).toBe(true);
  });

  it('refuse a period too fine for a run bound by size alone, from its I/Os at the profile rate', async () => {
    // 8 million 4 KiB reads at the queue's 50,000 IOPS: about 160 s, 160,000 rows per job at 1 ms, two jobs.
    const job = '[global]\nrw=randread\nsize=32g\nwrite_bw_log=s\nlog_avg_msec=1\n[a]\n[b]\n';
    await expect(runWithLogs(job)).rejects.toMatchObject({
      code: 'ANVIL_ERR_JOB_VALUE',
      message: expect.stringMatching(/log_avg_msec.*rows.*longer periods/),
    });
  });
});

const hasFio2gnuplot = spawnSync('sh', ['-c', 'command -v fio2gnuplot']).status === 0;
// Debian's fio ships fiologparser_hist.py compressed among its docs; it imports pandas and numpy.
const HIST_PARSER = '/usr/share/doc/fio/fiologparser_hist.py.gz';
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasHistParser = existsSync(HIST_PARSER) && spawnSync(PYTHON, ['-c', 'import pandas, numpy']).status === 0;

describe("fio's own log readers", () => {
  needs('fio2gnuplot (Debian fio)', hasFio2gnuplot)(
    "fio2gnuplot's averages of the bandwidth and IOPS logs match the JSON within 0.5%",
    async () => {
      const job = '[r]\nrw=randread\nbs=4k\niodepth=8\nruntime=2s\ntime_based\nwrite_bw_log=r\nwrite_iops_log=r\nlog_avg_msec=100\n';
      const { out, jobs } = await runWithLogs(job);
      const read = jobs[0]!.read;
      for (const [file, expected] of [
        ['r_bw.1.log', read.bw],
        ['r_iops.1.log', read.iops],
      ] as const) {
        const g = join(out, `g-${file}`);
        execFileSync('fio2gnuplot', ['-p', file, '-d', g], { cwd: out });
        const global = readFileSync(join(g, `${file.replace(/\.log$/, '')}.global`), 'utf8');
        const avg = Number(/avg=([\d.]+)/.exec(global)![1]);
        // Per-period values are rounded down, as fio's: the mean sits at most 1 below the exact figure.
        expect(Math.abs(avg - expected) / expected, `${file}: ${avg} against ${expected}`).toBeLessThan(0.005);
      }
    },
  );

  needs('fiologparser_hist.py with python3-pandas and python3-numpy (Debian fio)', hasHistParser)(
    "fiologparser_hist.py finds every I/O, and the JSON's mean, median and p99 within 3% (fio's buckets are 1/64 wide)",
    async () => {
      const { out, jobs } = await runWithLogs(MIX);
      const script = join(out, 'fiologparser_hist.py');
      writeFileSync(script, gunzipSync(readFileSync(HIST_PARSER)));
      writeFileSync(join(out, 'job.fio'), MIX);
      // One output interval over the whole 2 s run: one row per direction.
      const text = execFileSync(
        PYTHON,
        [
          script,
          '-i',
          '2000',
          '--job-file',
          join(out, 'job.fio'),
          '--directions',
          'rw',
          '--percentiles',
          '50:99',
          join(out, 'mix_clat_hist.1.log'),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const [header, ...rows] = text.trim().split('\n');
      const cols = header!.split(',').map((c) => c.trim());
      const field = (row: string[], name: string) => Number(row[cols.indexOf(name)]);
      for (const [dir, d] of [
        ['r', jobs[0]!.read],
        ['w', jobs[0]!.write],
      ] as const) {
        const row = rows.map((r) => r.split(',').map((f) => f.trim())).find((r) => r[cols.indexOf('dir')] === dir)!;
        expect(field(row, 'samples')).toBe(d.clat_ns.N);
        const near = (got: number, want: number) =>
          expect(Math.abs(got - want) / want, `${dir}: ${got} against ${want}`).toBeLessThan(0.03);
        near(field(row, 'avg'), d.clat_ns.mean);
        near(field(row, '50%'), d.clat_ns.percentile['50.000000']!);
        near(field(row, '99%'), d.clat_ns.percentile['99.000000']!);
      }
    },
  );
});
