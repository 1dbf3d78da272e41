/**
 * The tables under --out carry integer counts and times (Int64) and, with `--out-format arrow,parquet`,
 * come as Parquet too: Polars (Rust Arrow) reads the Arrow files' dtypes, DuckDB (from npm, no extension
 * to download) reads the Parquet files' rows and column types.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { anvilInProcess, anvilRun, tempDir, writeFiles } from '../cli-harness.js';

const QUEUE = 'kind: queue\nservers: 2\nservice: { dist: exponential, mean: 50us }\n';
const JOB = '[global]\nrw=randrw\nrwmixread=70\nbs=4k\niodepth=8\nruntime=300ms\ntime_based\n\n[mixed]\n';

/** Columns that hold counts or ns times in each table, and the 32-bit index. */
const INT64: Record<string, string[]> = {
  'intervals.arrow': ['time_ns', 'interval_ns', 'ios'],
  'latency_histogram.arrow': ['bucket_low_ns', 'bucket_high_ns', 'bucket_value_ns', 'count'],
  'interval_histogram.arrow': ['time_ns', 'interval_ns', 'bucket_low_ns', 'bucket_high_ns', 'bucket_value_ns', 'count'],
  'jobs.arrow': ['runtime_ns', 'total_ios', 'io_bytes'],
};
const FLOAT64 = ['iops', 'bw_bytes', 'clat_mean_ns', 'clat_p99_ns'];

async function runWithParquet(): Promise<{ out: string; total: number }> {
  const out = tempDir();
  const { stdout } = await anvilRun(JOB, { profileYaml: QUEUE, outputFormat: 'json', out, seed: 5, outFormat: ['arrow', 'parquet'] });
  const fio = JSON.parse(stdout) as { jobs: { read: { total_ios: number }; write: { total_ios: number } }[] };
  return { out, total: fio.jobs.reduce((n, j) => n + j.read.total_ios + j.write.total_ios, 0) };
}

describe('result tables: integer columns and Parquet', () => {
  it('Arrow files hold counts and ns times as Int64 and clones as Int32, as Polars reads them', async () => {
    const { out, total } = await runWithParquet();
    for (const [file, ints] of Object.entries(INT64)) {
      const df = pl.readIPC(readFileSync(join(out, file)));
      const dtype = (c: string) => String(df.getColumn(c).dtype);
      for (const c of ints) expect(`${file} ${c} ${dtype(c)}`).toBe(`${file} ${c} ${String(pl.Int64)}`);
      for (const c of FLOAT64.filter((f) => df.columns.includes(f)))
        expect(`${file} ${c} ${dtype(c)}`).toBe(`${file} ${c} ${String(pl.Float64)}`);
    }
    const jobs = pl.readIPC(readFileSync(join(out, 'jobs.arrow')));
    expect(String(jobs.getColumn('clones').dtype)).toBe(String(pl.Int32));
    expect(Number(jobs.getColumn('total_ios').sum())).toBe(total);
  });

  it('--out-format arrow,parquet writes each table as .parquet, which DuckDB reads with the same rows and BIGINT counts', async () => {
    const { out, total } = await runWithParquet();
    const files = readdirSync(out).sort();
    expect(files).toEqual([
      'interval_histogram.arrow',
      'interval_histogram.parquet',
      'intervals.arrow',
      'intervals.parquet',
      'jobs.arrow',
      'jobs.parquet',
      'latency_histogram.arrow',
      'latency_histogram.parquet',
      'summary.json',
    ]);
    const db = await DuckDBInstance.create(':memory:');
    const sql = await db.connect();
    try {
      for (const [file, ints] of Object.entries(INT64)) {
        const parquet = join(out, file.replace(/\.arrow$/, '.parquet'));
        const arrow = pl.readIPC(readFileSync(join(out, file)));
        const [{ rows }] = (
          await sql.runAndReadAll(`SELECT count(*)::INTEGER AS rows FROM read_parquet('${parquet}')`)
        ).getRowObjects() as [{ rows: number }];
        expect(`${file} ${rows}`).toBe(`${file} ${arrow.height}`);
        const types = new Map(
          (
            (await sql.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${parquet}')`)).getRowObjects() as {
              column_name: string;
              column_type: string;
            }[]
          ).map((r) => [r.column_name, r.column_type]),
        );
        expect([...types.keys()]).toEqual(arrow.columns);
        for (const c of ints) expect(`${file} ${c} ${types.get(c)}`).toBe(`${file} ${c} BIGINT`);
      }
      const [{ n }] = (
        await sql.runAndReadAll(`SELECT sum(count)::BIGINT AS n FROM read_parquet('${join(out, 'latency_histogram.parquet')}')`)
      ).getRowObjects() as [{ n: bigint }];
      expect(Number(n)).toBe(total);
    } finally {
      sql.closeSync();
    }
  });

  it('--out-format parquet alone writes only Parquet; an unknown format or one without --out is a usage error (exit 2)', async () => {
    const dir = writeFiles({ 'job.fio': JOB, 'profile.yaml': QUEUE });
    const args = ['run', join(dir, 'job.fio'), '--profile', join(dir, 'profile.yaml'), '--output-format', 'json'];
    const out = join(dir, 'pq');
    expect((await anvilInProcess([...args, '--out', out, '--out-format', 'parquet'])).code).toBe(0);
    expect(readdirSync(out).filter((f) => !f.endsWith('.parquet'))).toEqual(['summary.json']);
    expect(readdirSync(out).filter((f) => f.endsWith('.parquet'))).toHaveLength(4);
    const csv = await anvilInProcess([...args, '--out', join(dir, 'x'), '--out-format', 'arrow,csv']);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toMatch(/ANVIL_ERR_USAGE: .*--out-format.*'arrow,csv' is invalid: table formats under --out: arrow, parquet/);
    const alone = await anvilInProcess([...args, '--out-format', 'parquet']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/ANVIL_ERR_USAGE: --out-format names the formats of the tables under --out: add --out DIR/);
  });
});
