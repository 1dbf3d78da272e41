/**
 * The `host` target: runs a job file with the installed fio on this machine and returns fio's own JSON
 * document (kept whole) and its `HostRunMeasurement` (the jobs in the shape the model's also take), converted losslessly.
 */
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AnvilError } from '../../../platform/errors.js';
import type { HostRunMeasurement } from '../../results/measurement.js';
import { resetInterrupted, runBounded, throwIfInterrupted } from './bounded-process.js';
import type { HostProgress } from '../../results/progress-bar.js';
import { findFio } from './fio-binary.js';
import { fioStatusArgs, fioStatusReader } from './fio-status.js';
import { documentJobs, parseFioDocument, type FioDocument } from './fio-document.js';
import { measurementFromFio } from './from-fio.js';
import { readThreadLogs } from './interval-logs.js';
import { logInterval_ms, runHorizon_ns, withAdditions } from './host-job-file.js';

export interface HostRunOptions {
  /** The job file's path (for messages) and text. */
  readonly jobFile: string;
  readonly text: string;
  /** fio's `filename` for every job. */
  readonly filename?: string;
  /** Bound on fio's run, s; by default the jobs' ramp + runtime plus a minute, or 10 min without a runtime. */
  readonly timeout_s?: number;
  /** Called with fio's progress as fio reports it (its status lines), for the progress bar. */
  readonly onProgress?: (progress: HostProgress) => void;
  /** Wall-clock seconds since the start, for the progress bar only (never in results). */
  readonly wallClock_s?: () => number;
  /** Runs fio under this argv prefix (a pod's network namespace and cgroup: realise/realiser.ts `execPrefix`). */
  readonly execPrefix?: readonly string[];
  /** The interval of the series, ms (default: from the jobs' horizon, as the model's). */
  readonly interval_ms?: number;
  /**
   * Whether fio was stopped on purpose (SIGTERM: its pod moved to another node): fio then exits with 128
   * after writing its document up to then, which is its result rather than a failure.
   */
  readonly stoppedOnPurpose?: () => boolean;
}

/** fio's exit status after it ended its jobs on a signal (SIGINT or SIGTERM) and wrote its results. */
const FIO_SIGNALLED_EXIT = 128;

export interface HostRun {
  /** fio's json+ document as fio wrote it. */
  readonly document: FioDocument;
  readonly measurement: HostRunMeasurement;
  /** The fio that ran, e.g. "fio-3.33". */
  readonly fioVersion: string;
}

/** Time fio may take beyond the jobs' own runtime (start-up, laying out files), ms. */
const SLACK_MS = 60_000;
/** Bound when a job has no runtime, ms. */
const UNBOUNDED_JOB_MS = 600_000;

/** The bound on fio's run for a job file, ms. */
export function fioTimeout_ms(text: string, timeout_s?: number): number {
  if (timeout_s !== undefined) return timeout_s * 1000;
  const horizon = runHorizon_ns(text);
  return Number.isFinite(horizon) ? horizon / 1e6 + SLACK_MS : UNBOUNDED_JOB_MS;
}

/**
 * Checks that fio can write `path` (an existing file or device, or a new file in a writable folder).
 * Returns whether the file is new, so a failed run can remove what it created.
 */
export function checkWritable(path: string): { created: boolean } {
  const full = resolve(path);
  if (existsSync(full)) {
    if (statSync(full).isDirectory())
      throw new AnvilError(
        'ANVIL_ERR_HOST_PATH',
        `--filename ${path} is a directory; give a file (e.g. ${join(path, 'anvil.dat')}) or a block device`,
      );
    try {
      accessSync(full, constants.W_OK);
    } catch {
      throw new AnvilError(
        'ANVIL_ERR_HOST_PATH',
        `--filename ${path} is not writable by this user; choose a file you can write, or run as its owner`,
      );
    }
    return { created: false };
  }
  const dir = dirname(full);
  if (!existsSync(dir))
    throw new AnvilError('ANVIL_ERR_HOST_PATH', `--filename ${path}: folder ${dir} does not exist; create it or choose another path`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new AnvilError('ANVIL_ERR_HOST_PATH', `--filename ${path}: folder ${dir} is not writable by this user; choose a writable folder`);
  }
  return { created: true };
}

/** Runs the job file with fio on this machine. Nothing is left behind but fio's data file on success. */
export async function runOnHost(options: HostRunOptions): Promise<HostRun> {
  const fio = findFio();
  resetInterrupted();
  const fresh = options.filename !== undefined ? checkWritable(options.filename) : { created: false };
  const work = mkdtempSync(join(tmpdir(), 'anvil-host-'));
  let ok = false;
  try {
    const interval_ms = options.interval_ms ?? logInterval_ms(runHorizon_ns(options.text));
    const job = join(work, 'job.fio');
    const logPrefix = join(work, 'anvil');
    writeFileSync(
      job,
      withAdditions(options.text, {
        ...(options.filename !== undefined ? { filename: resolve(options.filename) } : {}),
        logPrefix,
        interval_ms,
      }),
    );
    const output = join(work, 'fio.json');
    const status = statusOptions(options.onProgress, options.wallClock_s);
    const fioArgs = ['--output-format=json+', `--output=${output}`, ...status.args, job];
    const [command, ...args] =
      options.execPrefix && options.execPrefix.length > 0 ? [...options.execPrefix, fio.path, ...fioArgs] : [fio.path, ...fioArgs];
    const r = await runBounded(command!, args, {
      timeout_ms: fioTimeout_ms(options.text, options.timeout_s),
      label: 'fio',
      ...status.bounded,
    });
    status.end();
    throwIfInterrupted(`fio on ${options.jobFile}`);
    const stopped = r.code === FIO_SIGNALLED_EXIT && options.stoppedOnPurpose?.() === true && existsSync(output);
    if (r.code !== 0 && !stopped)
      throw fioFailed(options.jobFile, r.stderr + (existsSync(output) ? readFileSync(output, 'utf8') : ''), r.code);
    const text = readFileSync(output, 'utf8');
    // Stopped by a signal, fio may write a complaint of its helper thread just before the document, on its line.
    const start = stopped ? text.lastIndexOf('{', text.indexOf('"fio version"')) : -1;
    const document = parseFioDocument(start > 0 ? text.slice(start) : text, `fio's output for ${options.jobFile}`);
    const failed = documentJobs(document).find((j) => j.error !== 0);
    if (failed) throw fioFailed(options.jobFile, `job ${failed.jobname}: error ${failed.error}\n${r.stderr}`, r.code);
    const measurement = measurementFromFio({
      jobs: documentJobs(document),
      globalOptions: document['global options'] ?? {},
      threadLogs: readThreadLogs(work, 'anvil'),
      interval_ns: interval_ms * 1e6,
      title: `${fio.version} on ${hostname()}`,
    });
    ok = true;
    return { document, measurement, fioVersion: fio.version };
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (!ok && fresh.created && options.filename !== undefined && existsSync(options.filename)) unlinkSync(options.filename);
  }
}

/** How often fio reports its status when a progress bar wants it, ms. */
const STATUS_PERIOD_MS = 500;

/** fio's status options and a stdout reader that feeds `onProgress`; nothing when no one listens. */
function statusOptions(
  onProgress: ((p: HostProgress) => void) | undefined,
  wallClock_s: (() => number) | undefined,
): { args: string[]; bounded: { onStdout?: (chunk: string) => void }; end: () => void } {
  if (!onProgress) return { args: [], bounded: {}, end: () => undefined };
  const started = performance.now();
  const wall = wallClock_s ?? (() => (performance.now() - started) / 1000);
  // A line without a figure (fio's first seconds, "-.-%", "Jobs: 0" at the end) keeps the last one on the bar.
  let last: Omit<HostProgress, 'wall_s'> = {};
  const reader = fioStatusReader((s) => {
    const fraction = s.fraction ?? last.fraction;
    const iops_per_s = s.iops_per_s ?? last.iops_per_s;
    const eta_s = s.eta_s ?? last.eta_s;
    last = {
      ...(fraction !== undefined ? { fraction } : {}),
      ...(iops_per_s !== undefined ? { iops_per_s } : {}),
      ...(eta_s !== undefined ? { eta_s } : {}),
    };
    onProgress({ ...last, wall_s: wall() });
  });
  return { args: fioStatusArgs(STATUS_PERIOD_MS), bounded: { onStdout: reader.push }, end: reader.end };
}

/** fio's own complaint, its last lines, as an ANVIL_ERR_FIO_FAILED. */
export function fioFailed(jobFile: string, text: string, code: number | null): AnvilError {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('{'));
  const said = lines.filter((l) => /fio|error|err=|No such|denied|invalid|bad/i.test(l)).slice(-6);
  return new AnvilError(
    'ANVIL_ERR_FIO_FAILED',
    `fio failed on ${jobFile} (exit ${code ?? 'by signal'}); fix what fio says and run again`,
    (said.length > 0 ? said : lines.slice(-6)).map((l) => `fio: ${l.replace(/^fio: /, '')}`),
  );
}
