/** `anvil run JOBFILE`: a fio job file on a target, results as fio JSON, text, and Arrow files. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../errors.js';
import { anvilVersion } from '../../bench/package-root.js';
import { DEFAULT_PROFILE, loadProfile } from '../../bench/profiles.js';
import { deviceCapacity, runOnModel } from '../../bench/targets/sim.js';
import { loadWorkloads } from '../../bench/workloads/resolve.js';
import { readJobFileText } from '../../bench/workloads/read-job-file.js';
import { checkRunCost, DEFAULT_MAX_IOS, estimateOnProfile } from '../../bench/targets/run-cost.js';
import { fioJson, type OutputFormat } from '../../bench/results/fio-json.js';
import { normalText } from '../../bench/results/normal-text.js';
import { progressBar } from '../../bench/results/progress-bar.js';
import type { RunMeasurement } from '../../bench/results/measurement.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';

export interface RunCommandOptions {
  readonly target: string;
  readonly profile: string;
  readonly seed: number;
  readonly outputFormat: OutputFormat;
  readonly out?: string;
  /** Host target: fio's `filename` for every job. */
  readonly filename?: string;
  /** Host target: fio servers to run on (client/server mode), `host[:port]`. */
  readonly hosts?: readonly string[];
  /** Host target: bound on fio's run, s. */
  readonly timeout?: number;
  /** Model target: refuse a run estimated to simulate more I/Os than this (default DEFAULT_MAX_IOS). */
  readonly maxIos?: number;
}

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['normal', 'json', 'json+'];
export const TARGETS = ['sim', 'host'] as const;

/** Runs one job file and writes its results; returns the measurement for callers that want more. */
/** Where a command writes: stdout for results, stderr for notes and the progress bar. */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: NodeJS.WriteStream;
}

export async function runCommand(jobFile: string, options: RunCommandOptions, io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<RunMeasurement> {
  // A folder that cannot be made fails now, not after a long run.
  if (options.out !== undefined) ensureOutputDir(options.out);
  if (options.target === 'host') {
    const { hostRunCommand } = await import('./host-run-command.js');
    return hostRunCommand(jobFile, options, io);
  }
  if (options.target !== 'sim') {
    throw new AnvilError('ANVIL_ERR_TARGET', `--target ${options.target} is not available in this build; use --target sim (the model) or --target host (fio on this machine)`);
  }
  const text = readJobFile(jobFile);
  const profile = loadProfile(options.profile || DEFAULT_PROFILE);
  const capacity = deviceCapacity(profile);
  const { specs, notes } = loadWorkloads(text, jobFile, capacity);
  for (const note of notes) io.stderr.write(`${note}\n`);
  checkRunCost(estimateOnProfile(specs, profile), options.maxIos ?? DEFAULT_MAX_IOS, jobFile);

  const bar = progressBar(io.stderr);
  const started = performance.now();
  const run = runOnModel({
    jobs: specs,
    profile,
    seed: options.seed,
    onProgress: bar?.update,
    wallClock_s: () => (performance.now() - started) / 1000,
  });
  bar?.done();

  const version = anvilVersion();
  const timestamp_s = runTimestamp();
  if (options.outputFormat === 'normal') io.stdout.write(normalText(run, version));
  else io.stdout.write(JSON.stringify(fioJson(run, { format: options.outputFormat, version, timestamp_s }), null, 2) + '\n');

  if (options.out) await writeOutDir(options.out, run, { version, timestamp_s, jobFile, profilePath: profile.path });
  return run;
}

/** The job file's text, or a coded error naming it (missing, a directory or device, binary, too large). */
export function readJobFile(path: string): string {
  return readJobFileText(path);
}

/** Seconds since the epoch for the results: SOURCE_DATE_EPOCH when set (reproducible output), else now. */
export function runTimestamp(): number {
  const fixed = process.env.SOURCE_DATE_EPOCH;
  if (fixed !== undefined && /^\d+$/.test(fixed)) return Number(fixed);
  return Math.floor(Date.now() / 1000);
}

async function writeOutDir(dir: string, run: RunMeasurement, meta: { version: string; timestamp_s: number; jobFile: string; profilePath: string }): Promise<void> {
  const { arrowTables, RESULT_SCHEMA_VERSION } = await import('../../bench/results/arrow-tables.js');
  try {
    ensureOutputDir(dir);
    const summary = {
      ...fioJson(run, { format: 'json+', version: meta.version, timestamp_s: meta.timestamp_s }),
      anvil: {
        version: meta.version,
        schema_version: RESULT_SCHEMA_VERSION,
        target: run.target,
        profile: run.profile,
        seed: run.seed,
        jobfile: meta.jobFile,
        interval_ns: run.interval_ns,
        simulated_ns: run.simulated_ns,
        events: run.events,
      },
    };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    for (const [name, bytes] of arrowTables(run, { version: meta.version, jobfile: meta.jobFile })) writeFileSync(join(dir, name), bytes);
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write results to ${dir}: ${(e as Error).message}`);
  }
}
