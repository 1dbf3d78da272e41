/**
 * `anvil run JOBFILE --target host`: the job file run by fio on this machine (or on fio servers with
 * `--hosts`). stdout is fio's own JSON (json+ as fio wrote it; json without the bins) or the same text
 * summary as the model's; `--out` writes summary.json (fio's json+ plus the `anvil` object) and the
 * same Arrow tables as the model.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../errors.js';
import { anvilVersion } from '../../bench/package-root.js';
import { hostProgressBar } from '../../bench/results/progress-bar.js';
import { normalText } from '../../bench/results/normal-text.js';
import type { RunMeasurement } from '../../bench/results/measurement.js';
import { withoutBins, type FioDocument } from '../../bench/targets/host/fio-document.js';
import { runOnHost } from '../../bench/targets/host/run-on-host.js';
import { readJobFile, type CommandIo, type RunCommandOptions } from './run-command.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';

/** What one host and many have in common to run: the job, --filename, --timeout and the progress bar. */
export function hostRunInput(jobFile: string, text: string, options: RunCommandOptions, bar: ReturnType<typeof hostProgressBar>) {
  return {
    jobFile,
    text,
    ...(options.filename !== undefined ? { filename: options.filename } : {}),
    ...(options.timeout !== undefined ? { timeout_s: options.timeout } : {}),
    ...(bar ? { onProgress: bar.update } : {}),
  };
}

export async function hostRunCommand(jobFile: string, options: RunCommandOptions, io: CommandIo): Promise<RunMeasurement> {
  const text = readJobFile(jobFile);
  if (options.hosts && options.hosts.length > 0) {
    const { hostsRunCommand } = await import('./hosts-run-command.js');
    return hostsRunCommand(jobFile, text, options, io);
  }
  const bar = hostProgressBar(io.stderr);
  const run = await runOnHost(hostRunInput(jobFile, text, options, bar)).finally(() => bar?.done());
  const version = anvilVersion();
  writeStdout(io, options, run.document, [run.measurement], version);
  if (options.out) await writeHostOutDir(options.out, run.document, run.measurement, { version, jobFile, fioVersion: run.fioVersion, filename: options.filename });
  return run.measurement;
}

/** fio's document on stdout (json, json+), or the text summary of each measurement. */
export function writeStdout(io: CommandIo, options: RunCommandOptions, document: FioDocument, measurements: readonly RunMeasurement[], version: string): void {
  if (options.outputFormat === 'normal') for (const m of measurements) io.stdout.write(normalText(m, version));
  else io.stdout.write(JSON.stringify(options.outputFormat === 'json' ? withoutBins(document) : document, null, 2) + '\n');
}

/** The `anvil` object of summary.json for a host run. */
export function hostMeta(run: RunMeasurement, meta: { version: string; schemaVersion: number; jobFile: string; fioVersion: string; filename?: string | undefined; hosts?: readonly string[] }): Record<string, unknown> {
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

async function writeHostOutDir(dir: string, document: FioDocument, run: RunMeasurement, meta: { version: string; jobFile: string; fioVersion: string; filename?: string | undefined }): Promise<void> {
  const { arrowTables, RESULT_SCHEMA_VERSION } = await import('../../bench/results/arrow-tables.js');
  try {
    ensureOutputDir(dir);
    const summary = { ...document, anvil: hostMeta(run, { ...meta, schemaVersion: RESULT_SCHEMA_VERSION }) };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    for (const [name, bytes] of arrowTables(run, { version: meta.version, jobfile: meta.jobFile })) writeFileSync(join(dir, name), bytes);
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write results to ${dir}: ${(e as Error).message}`);
  }
}
