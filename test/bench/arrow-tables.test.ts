/** The Arrow files under --out, read by Polars (a Rust Arrow implementation independent of apache-arrow JS). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { anvilRun, tempDir } from '../cli-harness.js';

const QUEUE = 'kind: queue\nservers: 2\nservice: { dist: exponential, mean: 50us }\n';

describe('Arrow tables', () => {
  it('are read by Polars: interval series, histogram counts adding up to total_ios, job rows, metadata', async () => {
    const out = tempDir();
    const job =
      '[global]\nrw=randrw\nrwmixread=70\nbs=4k\niodepth=8\nruntime=1s\nramp_time=100ms\ntime_based\nnumjobs=2\ngroup_reporting\n\n[mixed]\n';
    const { stdout } = await anvilRun(job, { profileYaml: QUEUE, outputFormat: 'json', out, seed: 4 });
    const fio = JSON.parse(stdout) as { jobs: { read: { total_ios: number; iops: number }; write: { total_ios: number } }[] };
    const total = fio.jobs.reduce((n, j) => n + j.read.total_ios + j.write.total_ios, 0);

    const intervals = pl.readIPC(readFileSync(join(out, 'intervals.arrow')));
    expect(intervals.columns).toEqual(expect.arrayContaining(['time_ns', 'job', 'direction', 'ios', 'iops', 'bw_bytes', 'clat_p99_ns']));
    expect(intervals.height).toBe(2 * 10); // 1 s in 100 ms intervals, read and write
    expect(Number(intervals.getColumn('ios').sum())).toBe(total);
    const readRows = intervals.filter(pl.col('direction').eq(pl.lit('read')));
    expect(Number(readRows.getColumn('iops').mean()) / fio.jobs[0]!.read.iops).toBeCloseTo(1, 2);

    const hist = pl.readIPC(readFileSync(join(out, 'latency_histogram.arrow')));
    expect(Number(hist.getColumn('count').sum())).toBe(total);
    expect(hist.columns).toEqual(['job', 'direction', 'bucket_low_ns', 'bucket_high_ns', 'bucket_value_ns', 'count']);

    const jobs = pl.readIPC(readFileSync(join(out, 'jobs.arrow')));
    expect(jobs.height).toBe(2);
    expect(Number(jobs.getColumn('total_ios').sum())).toBe(total);
    expect(jobs.getColumn('clones').toArray()).toEqual([2, 2]);

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { anvil: Record<string, unknown> };
    expect(summary.anvil).toMatchObject({ target: 'sim', seed: 4, schema_version: 1 });
  });
});
