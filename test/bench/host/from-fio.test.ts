/**
 * fio's results convert losslessly into the measurement the result writers take: every count, byte,
 * bucket and statistic fio reported survives, fio's percentiles are recomputed exactly from its bins,
 * and the interval series adds up to fio's totals. On real fio 3.33 output (fixtures/).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketOf, bucketValue } from '../../../sim/measure/latency-histogram.js';
import { documentJobs, parseFioDocument, withoutBins, type FioDirection } from '../../../bench/targets/host/fio-document.js';
import { parseHistogramLog } from '../../../bench/targets/host/interval-logs.js';
import { loadFixture } from './fixtures.js';

describe('fio json+ to a measurement', () => {
  it('maps every fio bucket value back to its own bucket', () => {
    for (let i = 0; i < BUCKETS - 1; i++) expect(bucketOf(bucketValue(i))).toBe(i);
  });

  for (const name of ['randrw-jsonplus', 'numjobs-group']) {
    it(`keeps every figure of ${name}`, () => {
      const { document, run } = loadFixture(name);
      const jobs = documentJobs(document);
      expect(run.target).toBe('host');
      expect(run.jobs.map((j) => j.name)).toEqual(jobs.map((j) => j.jobname));
      jobs.forEach((job, i) => {
        const m = run.jobs[i]!;
        for (const dir of ['read', 'write'] as const) {
          const fio: FioDirection = job[dir];
          const d = m.measured[dir];
          expect(d.total_ios).toBe(fio.total_ios);
          expect(d.io_bytes).toBe(fio.io_bytes);
          if (fio.total_ios === 0) continue;
          // The same iops fio computes from the same runtime.
          expect((d.total_ios * 1e9) / m.measured.window_ns).toBeCloseTo(fio.iops, 5); // fio prints 6 decimals;
          for (const [kind, stats] of [
            ['clat', fio.clat_ns],
            ['lat', fio.lat_ns],
            ['slat', fio.slat_ns],
          ] as const) {
            const h = d[kind];
            expect([h.n, h.max_ns, h.mean_ns, h.stddev_ns]).toEqual([stats.N, stats.max, stats.mean, stats.stddev]);
            if (stats.N > 0) expect(h.min_ns).toBe(stats.min);
          }
          const bins = fio.clat_ns.bins!;
          const ours: Record<string, number> = {};
          for (let b = 0; b < BUCKETS; b++) if (d.clat.counts[b]! > 0) ours[`${bucketValue(b)}`] = d.clat.counts[b]!;
          expect(ours).toEqual(bins);
          for (const [p, value] of Object.entries(fio.clat_ns.percentile!)) expect(d.clat.percentile(Number(p)), `p${p}`).toBe(value);
        }
      });
    });

    it(`splits ${name} into intervals that add up to fio's totals`, () => {
      const { document, run } = loadFixture(name);
      documentJobs(document).forEach((job, i) => {
        const rec = run.jobs[i]!.measured;
        for (const dir of ['read', 'write'] as const) {
          const rows = rec[dir].intervals;
          if (job[dir].total_ios === 0) continue;
          expect(rows.length).toBe(4); // 1 s at 250 ms: three logged lines and the rest
          expect(rows.reduce((a, r) => a + r.ios, 0)).toBe(job[dir].total_ios);
          expect(rows.reduce((a, r) => a + r.bytes, 0)).toBe(job[dir].io_bytes);
          expect(rows.reduce((a, r) => a + r.interval_ns, 0)).toBe(rec.window_ns);
          expect(rows.at(-1)!.time_ns).toBe(job[dir].runtime * 1e6);
          for (const r of rows) {
            expect(r.clat_mean_ns).toBeGreaterThanOrEqual(job[dir].clat_ns.min);
            expect(r.clat_p50_ns).toBeLessThanOrEqual(r.clat_p99_ns);
            expect(r.clat_p99_ns).toBeLessThanOrEqual(r.clat_max_ns);
          }
        }
      });
    });
  }

  // Issue 14: a host run keeps per-interval latency histograms as the model's does, so a p99 is compared on it.
  it("keeps each interval's completion-latency histogram from fio's histogram log, adding up to fio's bins", () => {
    const { document, run, dir } = loadFixture('randrw-jsonplus');
    const fio = documentJobs(document)[0]!;
    const logged = parseHistogramLog(readFileSync(`${dir}/anvil_clat_hist.1.log`, 'utf8'), 'log');
    for (const [direction, dir_] of [
      [0, 'read'],
      [1, 'write'],
    ] as const) {
      const d = run.jobs[0]!.measured[dir_];
      // One histogram per interval row, with its end, length and I/Os.
      expect(d.intervalHistograms.map((h) => [h.time_ns, h.interval_ns])).toEqual(d.intervals.map((r) => [r.time_ns, r.interval_ns]));
      expect(d.intervalHistograms.map((h) => h.counts.reduce((a, b) => a + b, 0))).toEqual(d.intervals.map((r) => r.ios));
      // The logged intervals are fio's log lines bucket for bucket.
      const lines = logged.filter((l) => l.direction === direction);
      lines.forEach((line, i) => {
        const h = d.intervalHistograms[i]!;
        const dense = new Float64Array(BUCKETS);
        h.buckets.forEach((b, j) => (dense[b] = h.counts[j]!));
        expect(Array.from(dense)).toEqual(Array.from(line.counts));
      });
      // All of them together are fio's json+ bins of the run.
      const merged: Record<string, number> = {};
      for (const h of d.intervalHistograms)
        h.buckets.forEach((b, j) => (merged[`${bucketValue(b)}`] = (merged[`${bucketValue(b)}`] ?? 0) + h.counts[j]!));
      expect(merged).toEqual(fio[dir_].clat_ns.bins);
    }
  });

  // A direction with no I/O once had one row the length of the run, ending with the other's last: a rate
  // over both directions (an SLA's ops: all) then spanned the run twice and halved the IOPS.
  it('puts every direction of a job on one grid of intervals, with no I/O where it did none', () => {
    const { run } = loadFixture('numjobs-group'); // randread only
    const { read, write } = run.jobs[0]!.measured;
    expect(read.intervals.length).toBe(4);
    expect(write.intervals.map((r) => [r.time_ns, r.interval_ns])).toEqual(read.intervals.map((r) => [r.time_ns, r.interval_ns]));
    expect(write.intervals.every((r) => r.ios === 0 && r.bytes === 0)).toBe(true);
    expect(write.intervalHistograms.every((h) => h.buckets.length === 0)).toBe(true);
  });

  it("keeps fio's printed percentiles for plain json, which has no bins", () => {
    const { document, run } = loadFixture('randrw-json');
    const fio = documentJobs(document)[0]!.read;
    const d = run.jobs[0]!.measured.read;
    expect(d.total_ios).toBe(fio.total_ios);
    for (const [p, value] of Object.entries(fio.clat_ns.percentile!)) expect(d.clat.percentile(Number(p))).toBe(value);
    expect([d.clat.mean_ns, d.clat.max_ns]).toEqual([fio.clat_ns.mean, fio.clat_ns.max]);
  });

  it("takes the per-interval mean from fio's averaged latency log where one thread logged it", () => {
    const { run, dir } = loadFixture('randrw-jsonplus');
    const text = readFileSync(`${dir}/anvil_clat.1.log`, 'utf8');
    const firstRead = text.split('\n').find((l) => /^\s*\d+,\s*\d+,\s*0,/.test(l))!;
    expect(run.jobs[0]!.measured.read.intervals[0]!.clat_mean_ns).toBe(Number(firstRead.split(',')[1]));
  });

  it("gives fio's json layout when the bins are dropped from json+", () => {
    const plain = loadFixture('randrw-json').document;
    const plus = loadFixture('randrw-jsonplus').document;
    const paths = (x: unknown, p = ''): string[] =>
      typeof x === 'object' && x !== null && !Array.isArray(x)
        ? Object.entries(x).flatMap(([k, v]) => paths(v, `${p}/${k}`))
        : Array.isArray(x)
          ? x.flatMap((v) => paths(v, `${p}[]`))
          : [p];
    const norm = (ps: string[]) =>
      [...new Set(ps.map((s) => s.replace(/\/(percentile|job options|global options|latency_\w+|iodepth_\w+)\/.*$/, '/$1')))].sort();
    expect(norm(paths(withoutBins(plus)))).toEqual(norm(paths(plain)));
    expect(JSON.stringify(withoutBins(plus))).not.toContain('"bins"');
    expect(JSON.stringify(plus)).toContain('"bins"');
  });

  it('refuses text that is not fio JSON, naming the source', () => {
    expect(() => parseFioDocument('fio: pid=1, err=2/file:filesetup.c\n', 'out.json')).toThrow(/ANVIL_ERR_FIO_OUTPUT|holds no fio JSON/);
    expect(() => parseFioDocument('{"jobs": 3}', 'out.json')).toThrow(/not fio's/);
    expect(() => parseFioDocument('note before\n{"fio version": "fio-3.33", "jobs": [', 'out.json')).toThrow(/cut short/);
    expect(() => parseHistogramLog('250, 0, 4096, 1, 2\n', 'h.log')).toThrow(/h\.log:1: .*1856 bucket counts/);
  });
});
