/**
 * The one writer of a run's results, for the model and for fio on hosts alike: stdout (fio's JSON document,
 * json or json+, or the text summary of each measurement) and, with `--out`, summary.json (fio's json+
 * document plus the `anvil` object) and the Arrow tables. What differs by target is only what it hands in.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import { fioJson, type GivenOptions, type OutputFormat } from './fio-json.js';
import { normalText } from './normal-text.js';
import type { HostRunMeasurement, RunMeasurement, SimRunMeasurement } from './measurement.js';
import { ensureOutputDir } from './output-dir.js';
import type { TableFormat } from './parquet.js';

/** What a run hands to the writer. */
export interface RunOutput {
  /** The measurements whose text summaries `--output-format normal` prints, in order. */
  readonly measurements: readonly RunMeasurement[];
  /** fio's document for stdout in json or json+. */
  readonly document: (format: 'json' | 'json+') => object;
  /** summary.json: fio's json+ document with the `anvil` object (schemaVersion: RESULT_SCHEMA_VERSION). */
  readonly summary: (schemaVersion: number) => object;
  /** The Arrow tables by file name (called only for `--out`). */
  readonly tables: () => Promise<Iterable<readonly [string, Uint8Array]>>;
  /** The run's timestamp, seconds since the epoch, for the text's job lines (absent: `runTimestamp()`). */
  readonly timestamp_s?: number;
}

/** Seconds since the epoch for the results: SOURCE_DATE_EPOCH when set (reproducible output), else now. */
export function runTimestamp(): number {
  const fixed = process.env.SOURCE_DATE_EPOCH;
  if (fixed !== undefined && /^\d+$/.test(fixed)) return Number(fixed);
  return Math.floor(Date.now() / 1000);
}

/** Writes the run's stdout in `format`. */
export function writeStdout(stdout: { write(text: string): unknown }, format: OutputFormat, output: RunOutput, version: string): void {
  if (format === 'normal') {
    const timestamp_s = output.timestamp_s ?? runTimestamp();
    for (const m of output.measurements) stdout.write(normalText(m, { version, timestamp_s }));
  } else stdout.write(JSON.stringify(output.document(format), null, 2) + '\n');
}

/**
 * Writes summary.json and the tables into `dir`, each table in every one of `formats` (`--out-format`:
 * NAME.arrow, NAME.parquet); any failure is ANVIL_ERR_OUTPUT naming the folder.
 */
export async function writeOutDir(dir: string, output: RunOutput, formats: readonly TableFormat[] = ['arrow']): Promise<void> {
  const { RESULT_SCHEMA_VERSION } = await import('./arrow-tables.js');
  try {
    ensureOutputDir(dir);
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(output.summary(RESULT_SCHEMA_VERSION), null, 2) + '\n');
    const parquet = formats.includes('parquet') ? await import('./parquet.js') : undefined;
    for (const [name, bytes] of await output.tables()) {
      if (formats.includes('arrow')) writeFileSync(join(dir, name), bytes);
      if (parquet) writeFileSync(join(dir, parquet.parquetName(name)), await parquet.parquetOf(bytes));
    }
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write results to ${dir}: ${(e as Error).message}`);
  }
}

/** A model run's output: fio's JSON built from the measurement, the model's `anvil` object. */
export function modelRunOutput(
  run: SimRunMeasurement,
  meta: { version: string; timestamp_s: number; jobFile: string; given?: GivenOptions },
): RunOutput {
  const given = meta.given ? { given: meta.given } : {};
  return {
    measurements: [run],
    timestamp_s: meta.timestamp_s,
    document: (format) => fioJson(run, { format, version: meta.version, timestamp_s: meta.timestamp_s, ...given }),
    summary: (schemaVersion) => ({
      ...fioJson(run, { format: 'json+', version: meta.version, timestamp_s: meta.timestamp_s, ...given }),
      anvil: {
        version: meta.version,
        schema_version: schemaVersion,
        target: run.target,
        profile: run.profile,
        seed: run.seed,
        jobfile: meta.jobFile,
        interval_ns: run.interval_ns,
        simulated_ns: run.simulated_ns,
        events: run.events,
      },
    }),
    tables: async () => {
      const { arrowTables } = await import('./arrow-tables.js');
      return arrowTables(run, { version: meta.version, jobfile: meta.jobFile });
    },
  };
}

/** The `anvil` object of summary.json for a host run. */
export function hostMeta(
  run: HostRunMeasurement,
  meta: {
    version: string;
    schemaVersion: number;
    jobFile: string;
    fioVersion: string;
    filename?: string | undefined;
    hosts?: readonly string[];
  },
): Record<string, unknown> {
  return {
    version: meta.version,
    schema_version: meta.schemaVersion,
    target: 'host',
    fio_version: meta.fioVersion,
    jobfile: meta.jobFile,
    ...(meta.filename !== undefined ? { filename: meta.filename } : {}),
    ...(meta.hosts ? { hosts: meta.hosts } : {}),
    interval_ns: run.interval_ns,
  };
}
