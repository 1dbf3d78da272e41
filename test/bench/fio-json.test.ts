/**
 * fio-compatible JSON, checked against fio's own json+ reader (fio_jsonplus_clat2csv from Debian's fio
 * package) as well as field by field. Tests that need fio run in CI (which installs it) and skip only on
 * a machine without it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anvilRun, tempDir } from '../cli-harness.js';
import { needs } from '../needs.js';

const QUEUE = 'kind: queue\nservers: 2\nservice: { dist: lognormal, mean: 40us, stddev: 30us }\n';
const JOB = '[global]\nrw=randrw\nrwmixread=70\nbs=4k\niodepth=16\nruntime=500ms\ntime_based\n\n[mix]\n';

const hasFioTool = spawnSync('sh', ['-c', 'command -v fio_jsonplus_clat2csv']).status === 0;
const needFio = needs('fio and its json+ reader', hasFioTool);

type Stats = {
  min: number;
  max: number;
  mean: number;
  stddev: number;
  N: number;
  percentile?: Record<string, number>;
  bins?: Record<string, number>;
};
type Dir = {
  io_bytes: number;
  bw_bytes: number;
  bw: number;
  iops: number;
  runtime: number;
  total_ios: number;
  clat_ns: Stats;
  lat_ns: Stats;
  slat_ns: Stats;
};

describe('fio JSON', () => {
  it('has fio 3.x layout and units, with read, write and trim in every job', async () => {
    const { stdout } = await anvilRun(JOB, { profileYaml: QUEUE, outputFormat: 'json' });
    const doc = JSON.parse(stdout) as { 'fio version': string; timestamp: number; jobs: Record<string, unknown>[] };
    expect(doc['fio version']).toMatch(/^anvil-\d+\.\d+\.\d+/);
    expect(Number.isInteger(doc.timestamp)).toBe(true);
    const job = doc.jobs[0]!;
    expect(job.jobname).toBe('mix');
    for (const d of ['read', 'write', 'trim']) expect(job).toHaveProperty(d);
    const r = job.read as Dir;
    const w = job.write as Dir;
    expect(r.runtime).toBe(500);
    expect(r.io_bytes).toBe(r.total_ios * 4096);
    expect(r.iops).toBeCloseTo((r.total_ios * 1000) / r.runtime, 6);
    expect(r.bw).toBe(Math.floor(r.bw_bytes / 1024));
    expect(r.clat_ns.N).toBe(r.total_ios);
    expect(Object.keys(r.clat_ns.percentile!)).toContain('99.000000');
    expect(Object.keys(r.clat_ns.percentile!).every((k) => /^\d+\.\d{6}$/.test(k))).toBe(true);
    expect(r.clat_ns).not.toHaveProperty('bins'); // json, not json+
    expect(r.lat_ns.mean).toBeGreaterThanOrEqual(r.clat_ns.mean);
    expect(r.total_ios / (r.total_ios + w.total_ios)).toBeCloseTo(0.7, 1);
    expect((job.trim as Dir).total_ios).toBe(0);
  });

  it('json+ bins are integer-ns keys with counts adding up to N', async () => {
    const { stdout } = await anvilRun(JOB, { profileYaml: QUEUE, outputFormat: 'json+' });
    const r = (JSON.parse(stdout) as { jobs: { read: Dir }[] }).jobs[0]!.read;
    const bins = r.clat_ns.bins!;
    expect(Object.keys(bins).every((k) => /^[1-9]\d*$/.test(k))).toBe(true);
    expect(Object.values(bins).reduce((a, b) => a + b, 0)).toBe(r.clat_ns.N);
  });

  needFio("is read by fio's own fio_jsonplus_clat2csv, which agrees on mean and p99", async () => {
    const { stdout } = await anvilRun('[global]\nrw=randread\nbs=4k\niodepth=16\nruntime=1s\ntime_based\n\n[jplus]\n', {
      profileYaml: QUEUE,
      outputFormat: 'json+',
    });
    const dir = tempDir('anvil-clat2csv-');
    writeFileSync(join(dir, 'out.json'), stdout);
    // Debian's copy imports six without depending on python3-six; CI installs it.
    const env = { ...process.env };
    execFileSync('fio_jsonplus_clat2csv', [join(dir, 'out.json'), join(dir, 'clat.csv')], { env });
    const validate = execFileSync('fio_jsonplus_clat2csv', [join(dir, 'out.json'), join(dir, 'clat.csv'), '--validate'], {
      env,
    }).toString();
    expect(validate).toMatch(/validated/);
    const csv = readdirSync(dir).find((f) => f.startsWith('clat_job0'))!;
    const lines = readFileSync(join(dir, csv), 'utf8').trim().split('\n');
    const cols = lines[0]!.split(',').map((c) => c.trim());
    const ic = cols.indexOf('read_clat_ns_count');
    const points = lines
      .slice(1)
      .map((l) => l.split(',').map((x) => x.trim()))
      .filter((r) => r[ic])
      .map((r) => [Number(r[0]), Number(r[ic])] as const);
    const n = points.reduce((a, [, k]) => a + k, 0);
    const mean = points.reduce((a, [ns, k]) => a + ns * k, 0) / n;
    let cumulative = 0;
    const p99 = points.find(([, k]) => (cumulative += k) >= 0.99 * n)![0];
    const clat = (JSON.parse(stdout) as { jobs: { read: Dir }[] }).jobs[0]!.read.clat_ns;
    expect(n).toBe(clat.N);
    expect(Math.abs(mean / clat.mean - 1)).toBeLessThan(0.03);
    expect(Math.abs(p99 / clat.percentile!['99.000000']! - 1)).toBeLessThan(0.03);
  });

  it('is byte-identical for the same seed (with SOURCE_DATE_EPOCH), stdout and every file under --out', async () => {
    const saved = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    try {
      const outA = tempDir('anvil-det-a-');
      const outB = tempDir('anvil-det-b-');
      const a = await anvilRun(JOB, { profileYaml: QUEUE, outputFormat: 'json+', seed: 9, out: outA });
      const b = await anvilRun(JOB, { profileYaml: QUEUE, outputFormat: 'json+', seed: 9, out: outB });
      const c = await anvilRun(JOB, { profileYaml: QUEUE, outputFormat: 'json+', seed: 10 });
      // The job file sits in a different temporary folder each time; its path is recorded, so blank it.
      const norm = (s: string) => s.split(a.dir).join('DIR').split(b.dir).join('DIR');
      expect(norm(a.stdout)).toBe(norm(b.stdout));
      expect(a.stdout).not.toBe(c.stdout);
      const files = readdirSync(outA).sort();
      expect(files).toEqual(['interval_histogram.arrow', 'intervals.arrow', 'jobs.arrow', 'latency_histogram.arrow', 'summary.json']);
      for (const f of files) {
        const x = readFileSync(join(outA, f)).toString('latin1');
        const y = readFileSync(join(outB, f)).toString('latin1');
        expect(norm(x), f).toBe(norm(y));
      }
    } finally {
      if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = saved;
    }
  });
});
