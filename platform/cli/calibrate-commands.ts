/** `anvil calibrate` (fit a device profile to host measurements) and `anvil validate` (profile vs host). */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { AnvilError } from '../errors.js';
import { anvilVersion } from '../../bench/package-root.js';
import { parseSize } from '../../sim/core/units.js';
import { readJobFileText } from '../../bench/workloads/read-job-file.js';
import type { CliIo } from './cli-io.js';
import type { SweepPoint } from '../../bench/calibrate/sweep.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import { decimalAbove, numericWithUnit, seed, wholeNumber } from './arguments.js';

export interface CalibrateOptions {
  target: string;
  filename: string;
  out: string;
  runtime: number;
  size: number;
  repeat: number;
  /** Device kind to fit: `fitted` (read and write paths per depth) or `queue` (c servers, one service time). */
  kind: 'fitted' | 'queue';
}

export interface ValidateOptions {
  filename: string;
  seed: number;
  outputFormat: 'normal' | 'json';
  out?: string;
}

/** Seconds per job: 29 jobs of a day each is already more than anyone means. */
const positive = decimalAbove(0, 86_400, '--runtime 2');

function size(value: string): number {
  const n = parseSize(value);
  // A pebibyte is past any one device: more is a typo (and past exact integers soon after).
  if (n === undefined || n < 2 ** 20 || n > 2 ** 50) throw new InvalidArgumentError('a size from 1m to 1024t, e.g. 256m or 4g');
  return n;
}

export function registerCalibrateCommands(cli: Command): void {
  cli
    .command('calibrate')
    .description(
      'run a bounded fio sweep on this host (4K random read/write at QD 1-64, 16K-128K at QD 1 and 16, 50/50 mixes), with a reference job repeated across it to measure drift, and fit a device profile to it',
    )
    .addOption(new Option('--target <target>', 'where to measure').choices(['host']).default('host'))
    .requiredOption('--filename <path>', 'file or block device to measure (a file is laid out at --size)')
    .option('--out <file>', 'profile to write (YAML, with the measurements it came from)', 'calibrated.yaml')
    .option('--runtime <s>', 'measured seconds per job (plus a quarter of it as ramp); 29 jobs and a reference job every 8', positive, 2)
    .option('--size <size>', 'region the jobs address', numericWithUnit(size), 1 << 30)
    .option(
      '--repeat <n>',
      'runs per job, in rounds of alternating order; the median-IOPS run is kept, their spread reported (for noisy machines)',
      wholeNumber(1, 100),
      1,
    )
    .addOption(
      new Option(
        '--kind <kind>',
        'device kind to fit: fitted (read and write paths per queue depth) or queue (c servers, one service time)',
      )
        .choices(['fitted', 'queue'])
        .default('fitted'),
    )
    .action(async (opts: CalibrateOptions) => {
      await calibrateCommand(opts);
    });

  cli
    .command('validate')
    .description('run job files on this host and on the model with a profile; report measured vs predicted IOPS, mean and p99 latency')
    .argument('<profile>', 'device profile (built-in name or YAML file, e.g. one from anvil calibrate)')
    .argument('<jobfiles...>', 'fio job files (held out from calibration)')
    .requiredOption('--filename <path>', 'file or block device the host runs do I/O on')
    .option('--seed <n>', 'seed of the model runs', seed, 1)
    .addOption(new Option('--output-format <format>', 'stdout format').choices(['normal', 'json']).default('normal'))
    .option('--out <dir>', 'also write validation.json, validation.arrow and validation.html (Plot charts) here')
    .action(async (profile: string, jobfiles: string[], opts: ValidateOptions) => {
      await validateCommand(profile, jobfiles, opts);
    });
}

export async function calibrateCommand(
  opts: CalibrateOptions,
  io: Pick<CliIo, 'stdout'> = { stdout: process.stdout },
  log: (m: string) => void = (m) => process.stderr.write(`${m}\n`),
): Promise<string> {
  if (opts.target !== 'host')
    throw new AnvilError('ANVIL_ERR_TARGET', `anvil calibrate measures real hardware: use --target host (not ${opts.target})`);
  const { runCalibration, REFERENCE_JOB } = await import('../../bench/calibrate/schedule.js');
  const { hostRepeatability, repeatabilityLines } = await import('../../bench/calibrate/repeatability.js');
  const { findFio } = await import('../../bench/targets/host/fio-binary.js');
  const fio = findFio();
  const runs = await runCalibration({ filename: opts.filename, size_bytes: opts.size, runtime_s: opts.runtime, repeat: opts.repeat, log });
  const points = runs.points;
  const meta = { filename: opts.filename, host: hostname(), date: new Date().toISOString().slice(0, 10), fioVersion: fio.version };
  let yaml: string;
  let summary: string;
  if (opts.kind === 'queue') {
    const { fitQueue, queueProfileYaml } = await import('../../bench/calibrate/fit-queue.js');
    const fit = fitQueue(points);
    yaml = queueProfileYaml(fit, points, { ...meta, capacity_bytes: opts.size });
    summary = `fitted a queue profile: ${fit.servers} servers, mean service ${(fit.service_mean_ns / 1000).toFixed(1)} us (QD1 latency ${(fit.qd1_clat_mean_ns / 1000).toFixed(1)} us x ${fit.scale.toFixed(3)}), saturation ${Math.round(fit.saturation_iops)} IOPS`;
  } else {
    const { fitFitted, fittedProfileYaml } = await import('../../bench/calibrate/fit-fitted.js');
    const fit = fitFitted(points, opts.size);
    yaml = fittedProfileYaml(fit, points, meta);
    summary = `fitted a profile of kind fitted: read and write paths at QD ${fit.read.depths.join(', ')}`;
  }
  try {
    writeFileSync(opts.out, yaml);
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write the profile to ${opts.out}: ${(e as Error).message}`);
  }
  io.stdout.write(`${summary}; ${points.length} measurements; written to ${opts.out}\n`);
  io.stdout.write(await calibrationErrors(yaml, opts, points));
  // The machine's own spread next to the model's error, so neither is read without the other.
  io.stdout.write(repeatabilityLines(hostRepeatability(runs), REFERENCE_JOB.name).join('\n') + '\n');
  return yaml;
}

export async function validateCommand(
  profileName: string,
  jobFiles: readonly string[],
  opts: ValidateOptions,
  io: Pick<CliIo, 'stdout'> = { stdout: process.stdout },
) {
  const { loadProfile } = await import('../../bench/profiles.js');
  const { validateProfile, validationTable } = await import('../../bench/calibrate/validate.js');
  const { validationArrow } = await import('../../bench/calibrate/validation-results.js');
  const profile = loadProfile(profileName);
  const jobs = jobFiles.map((f) => ({ name: f, text: readJobFileText(f) }));
  const rows = await validateProfile(profile, jobs, {
    filename: opts.filename,
    seed: opts.seed,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  const version = anvilVersion();
  const doc = { anvil: { version, target: 'host+sim', profile: profile.path, filename: opts.filename, seed: opts.seed }, rows };
  io.stdout.write(opts.outputFormat === 'json' ? JSON.stringify(doc, null, 2) + '\n' : validationTable(rows));
  if (opts.out) {
    try {
      ensureOutputDir(opts.out);
      writeFileSync(join(opts.out, 'validation.json'), JSON.stringify(doc, null, 2) + '\n');
      writeFileSync(
        join(opts.out, 'validation.arrow'),
        validationArrow(rows, { version, profile: profile.path, filename: opts.filename, seed: opts.seed }),
      );
      const { validationHtml } = await import('../../reports/calibrate/validation-html.js');
      writeFileSync(join(opts.out, 'validation.html'), validationHtml(rows, { profile: profile.path, filename: opts.filename, version }));
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write results to ${opts.out}: ${(e as Error).message}`);
    }
  }
  return rows;
}

/** The fit error per calibration job (the model run with the profile against the sweep) and, for `fitted`, leave-one-depth-out. */
async function calibrationErrors(yaml: string, opts: CalibrateOptions, points: readonly SweepPoint[]): Promise<string> {
  const { parseProfile } = await import('../../bench/profiles.js');
  const { fitErrors, meanAbs } = await import('../../bench/calibrate/fit-report.js');
  const { validationTable } = await import('../../bench/calibrate/validate.js');
  const rows = fitErrors(parseProfile(yaml, opts.out), points, { size_bytes: opts.size, runtime_s: opts.runtime, seed: 1 });
  const pct = (v: number) => `${v.toFixed(1)}%`;
  let text = `fit error per calibration job (the model with the profile against the sweep):\n${validationTable(rows)}`;
  text += `fit: mean |IOPS error| ${pct(meanAbs(rows, (r) => r.iops_error_pct))}, mean |p99 error| ${pct(meanAbs(rows, (r) => r.clat_p99_error_pct))}\n`;
  if (opts.kind === 'fitted') {
    const { crossValidate } = await import('../../bench/calibrate/fit-fitted.js');
    const cv = crossValidate(points, opts.size);
    text += `cross-validated (each inner depth left out and predicted from the others, ${cv.length} jobs): mean |IOPS error| ${pct(meanAbs(cv, (r) => r.iops_error_pct))}, mean |p99 error| ${pct(meanAbs(cv, (r) => r.clat_p99_error_pct))}\n`;
  }
  return text;
}
