/**
 * One run of a fio job file on a target, from the job file to the results written: the one entry that
 * `anvil run` and `anvil start` call. Targets: `sim` (the discrete-event model), `host` (the installed fio on
 * this machine) and `hosts` (fio servers in client/server mode, `host` with a list of servers). Every
 * target's output goes through the one writer, bench/results/run-output.ts.
 */
import { AnvilError } from '../platform/errors.js';
import { anvilVersion } from './package-root.js';
import { DEFAULT_PROFILE, loadProfile, profileCapacity, type DeviceProfile } from './profiles.js';
import { runHorizon, runOnModel, type SimProgress } from './targets/sim.js';
import { fioLogNotes, logInterval_ns, writeFioLogs } from './results/fio-logs.js';
import { loadWorkloads } from './workloads/resolve.js';
import { givenOptions } from './workloads/given-options.js';
import { readJobFileText } from './workloads/read-job-file.js';
import { checkRunCost, estimateHorizonOnProfile, DEFAULT_MAX_IOS, estimateOnProfile } from './targets/run-cost.js';
import type { OutputFormat } from './results/fio-json.js';
import { hostProgressBar, progressBar } from './results/progress-bar.js';
import type { RunMeasurement, SimRunMeasurement } from './results/measurement.js';
import { ensureOutputDir } from './results/output-dir.js';
import type { TableFormat } from './results/parquet.js';
import { hostMeta, modelRunOutput, runTimestamp, writeOutDir, writeStdout, type RunOutput } from './results/run-output.js';

export interface RunOptions {
  /** `sim` or `host` (with `hosts`, fio's client/server mode); anything else is ANVIL_ERR_TARGET. */
  readonly target: string;
  readonly profile: string;
  readonly seed: number;
  readonly outputFormat: OutputFormat;
  readonly out?: string;
  /** The formats each table under `out` is written in (`--out-format`; default arrow). */
  readonly outFormat?: readonly TableFormat[];
  /** Host target: fio's `filename` for every job. */
  readonly filename?: string;
  /** Host target: fio servers to run on (client/server mode), `host[:port]`. */
  readonly hosts?: readonly string[];
  /** Host target: bound on fio's run, s. */
  readonly timeout?: number;
  /** Model target: refuse a run estimated to simulate more I/Os than this (default DEFAULT_MAX_IOS). */
  readonly maxIos?: number;
}

/** stdout's formats, as fio's --output-format. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['normal', 'json', 'json+'];

/** Where a run writes: stdout for results, stderr for notes and the progress bar. */
export interface RunIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: NodeJS.WriteStream;
}

/** Runs one job file and writes its results; returns the measurement (a host list's aggregate) for callers that want more. */
export async function runJobFile(
  jobFile: string,
  options: RunOptions,
  io: RunIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<RunMeasurement> {
  // A folder that cannot be made fails now, not after a long run.
  if (options.out !== undefined) ensureOutputDir(options.out);
  if (options.target === 'host')
    return options.hosts && options.hosts.length > 0 ? runOnHostList(jobFile, options, io) : runOnThisHost(jobFile, options, io);
  if (options.target !== 'sim') {
    throw new AnvilError(
      'ANVIL_ERR_TARGET',
      `--target ${options.target} is not available in this build; use --target sim (the model) or --target host (fio on this machine)`,
    );
  }
  const text = readJobFileText(jobFile);
  const profile = loadProfile(options.profile || DEFAULT_PROFILE);
  const bar = progressBar(io.stderr);
  const { run, output } = runModelText(text, jobFile, profile, options, io, bar?.update);
  bar?.done();
  await writeOutput(output, options, io, anvilVersion());
  writeModelLogs(run, options, io);
  return run;
}

/**
 * A model run of job-file text named `jobFile`, up to what it writes: `anvil run` on the model, and each
 * point of a sweep (bench/sweep), so a point's results are those of running it alone.
 */
export function runModelText(
  text: string,
  jobFile: string,
  profile: DeviceProfile,
  options: Pick<RunOptions, 'seed' | 'maxIos'>,
  io: Pick<RunIo, 'stderr'>,
  onProgress?: (p: SimProgress) => void,
): { run: SimRunMeasurement; output: RunOutput } {
  const capacity = profileCapacity(profile);
  const { specs, notes } = loadWorkloads(text, jobFile, capacity);
  for (const note of notes) io.stderr.write(`${note}\n`);
  checkRunCost(estimateOnProfile(specs, profile), options.maxIos ?? DEFAULT_MAX_IOS, jobFile);
  const started = performance.now();
  // fio's log files need the interval series at their periods; runs without logs keep the default interval.
  // A size-bound run has no runtime horizon: its I/Os at the profile's rate bound the log rows instead.
  const timeHorizon_ns = runHorizon(specs);
  const horizon_ns = Number.isFinite(timeHorizon_ns) ? timeHorizon_ns : estimateHorizonOnProfile(specs, profile);
  const interval_ns = logInterval_ns(specs, horizon_ns, jobFile);
  const run = runOnModel({
    jobs: specs,
    profile,
    seed: options.seed,
    ...(interval_ns !== undefined ? { interval_ns } : {}),
    ...(onProgress ? { onProgress } : {}),
    wallClock_s: () => (performance.now() - started) / 1000,
  });
  const given = givenOptions(text, jobFile);
  const output = modelRunOutput(run, { version: anvilVersion(), timestamp_s: runTimestamp(), jobFile, given });
  return { run, output };
}

/**
 * fio's log files of a model run (write_bw_log and the rest): beside the results with --out, else in the
 * working directory, as fio writes them.
 */
function writeModelLogs(run: SimRunMeasurement, options: RunOptions, io: RunIo): void {
  if (!run.jobs.some((j) => j.specs[0]!.logs)) return;
  for (const job of run.jobs) {
    if (job.specs.length > 1 && job.specs[0]!.logs) {
      io.stderr.write(
        `note: job '${job.name}': group_reporting measures its ${job.specs.length} jobs as one, so their logs are written once, under job number ${job.specs[0]!.logs.index}\n`,
      );
    }
  }
  writeFioLogs(run, options.out ?? process.cwd());
  for (const note of fioLogNotes(run)) io.stderr.write(`${note}\n`);
}

async function writeOutput(output: RunOutput, options: RunOptions, io: RunIo, version: string): Promise<void> {
  writeStdout(io.stdout, options.outputFormat, output, version);
  if (options.out) await writeOutDir(options.out, output, options.outFormat);
}

/** What one host and many have in common to run: the job, --filename, --timeout and the progress bar. */
function hostRunInput(jobFile: string, text: string, options: RunOptions, bar: ReturnType<typeof hostProgressBar>) {
  return {
    jobFile,
    text,
    ...(options.filename !== undefined ? { filename: options.filename } : {}),
    ...(options.timeout !== undefined ? { timeout_s: options.timeout } : {}),
    ...(bar ? { onProgress: bar.update } : {}),
  };
}

/** fio on this machine: stdout is fio's own JSON (json+ as fio wrote it; json without the bins). */
async function runOnThisHost(jobFile: string, options: RunOptions, io: RunIo): Promise<RunMeasurement> {
  const text = readJobFileText(jobFile);
  const { runOnHost } = await import('./targets/host/run-on-host.js');
  const { withoutBins } = await import('./targets/host/fio-document.js');
  const bar = hostProgressBar(io.stderr);
  const run = await runOnHost(hostRunInput(jobFile, text, options, bar)).finally(() => bar?.done());
  const version = anvilVersion();
  const meta = { version, jobFile, fioVersion: run.fioVersion, filename: options.filename };
  await writeOutput(
    {
      measurements: [run.measurement],
      document: (format) => (format === 'json' ? withoutBins(run.document) : run.document),
      summary: (schemaVersion) => ({ ...run.document, anvil: hostMeta(run.measurement, { ...meta, schemaVersion }) }),
      tables: async () => {
        const { arrowTables } = await import('./results/arrow-tables.js');
        return arrowTables(run.measurement, { version, jobfile: jobFile });
      },
    },
    options,
    io,
    version,
  );
  return run.measurement;
}

/** fio servers in client/server mode: fio's document (`client_stats`, a job per server plus "All clients"), Arrow tables with a `host` column. */
async function runOnHostList(jobFile: string, options: RunOptions, io: RunIo): Promise<RunMeasurement> {
  const text = readJobFileText(jobFile);
  const { parseServer, runOnHosts } = await import('./targets/host/run-on-hosts.js');
  const { ALL_CLIENTS, withoutBins } = await import('./targets/host/fio-document.js');
  const { arrowTablesByHost } = await import('./targets/host/host-tables.js');
  const servers = (options.hosts ?? []).map(parseServer);
  const bar = hostProgressBar(io.stderr);
  const run = await runOnHosts({ ...hostRunInput(jobFile, text, options, bar), servers }).finally(() => bar?.done());
  const version = anvilVersion();
  const first = run.all ?? run.hosts[0]!.measurement;
  const meta = { version, jobFile, filename: options.filename, hosts: run.hosts.map((h) => h.host), fioVersion: run.fioVersion };
  await writeOutput(
    {
      measurements: [...run.hosts.map((h) => h.measurement), ...(run.all ? [run.all] : [])],
      document: (format) => (format === 'json' ? withoutBins(run.document) : run.document),
      summary: (schemaVersion) => ({ ...run.document, anvil: hostMeta(first, { ...meta, schemaVersion }) }),
      tables: async () =>
        arrowTablesByHost([...run.hosts, ...(run.all ? [{ host: ALL_CLIENTS, measurement: run.all }] : [])], { version, jobfile: jobFile }),
    },
    options,
    io,
    version,
  );
  return first;
}
