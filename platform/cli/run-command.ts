/**
 * `anvil run FILE`: the verb only, its flags parsed here; the run itself (any target) and the writing of
 * its results are bench/run.ts and bench/results/run-output.ts. A cluster scenario (YAML with
 * `kind: ClusterScenario`) goes to platform/cluster, which places it with the control plane first.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { AnvilError } from '../errors.js';
import { DEFAULT_PROFILE } from '../../bench/profiles.js';
import { TABLE_FORMATS, type TableFormat } from '../../bench/results/parquet.js';
import { OUTPUT_FORMATS, runJobFile, type RunOptions } from '../../bench/run.js';
import { DEFAULT_MAX_IOS } from '../../bench/targets/run-cost.js';
import { STORAGE_SCHEDULERS, type StorageSchedulerKind } from '../../sim/qos/storage-qos.js';
import { decimalAbove, seed as parseSeed, wholeNumber } from './arguments.js';
import { cliIo } from './cli-io.js';
import { addHostRunOptions, hostRunChoicesOf, refuseHostRunOptionsOff } from './host-run-options.js';
import type { SriovPfChoice } from './sriov-options.js';
import type { HostDeviceChoice } from '../cluster/host-plan-of.js';

function parseHosts(value: string): string[] {
  const hosts = value
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (hosts.length === 0 || hosts.some((h) => !/^[A-Za-z0-9._-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(h)))
    throw new InvalidArgumentError('a list of fio servers, host[:port] separated by commas, e.g. --hosts 10.0.0.2,10.0.0.3:8766');
  return hosts;
}

/** fio's own bound on a run is about 2^32 s; a timeout past a year is a typo. */
const parseSeconds = decimalAbove(0, 365 * 86_400, '--timeout 120');

/** `--max-ios`: at least one I/O, exactly an integer. */
const parseMaxIos = wholeNumber(1, Number.MAX_SAFE_INTEGER, '--max-ios 200000000');

/** A cluster scenario says `kind: ClusterScenario` at the top level; a fio job file cannot (its options are `key=value`). */
export function isClusterScenarioFile(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false; // the job-file reader says why it cannot be read, as before
  }
  return /^kind:[ \t]*["']?ClusterScenario["']?[ \t]*(#.*)?$/m.test(text);
}

/** `--out-format`: the table formats under --out, arrow and/or parquet, comma-separated (as fio's --output-format lists). */
export function parseOutFormat(value: string): TableFormat[] {
  const formats = value.split(',').map((f) => f.trim());
  if (formats.length === 0 || new Set(formats).size !== formats.length || formats.some((f) => !(TABLE_FORMATS as string[]).includes(f)))
    throw new InvalidArgumentError('table formats under --out: arrow, parquet, or both comma-separated, e.g. --out-format arrow,parquet');
  return formats as TableFormat[];
}

/** `--stack`: hci, diy, or both comma-separated (compare mode; anvil check runs each). */
export function parseStack(value: string): string {
  const stacks = value.split(',');
  if (stacks.length > 2 || new Set(stacks).size !== stacks.length || stacks.some((v) => v !== 'hci' && v !== 'diy'))
    throw new InvalidArgumentError('a stack: hci (the appliance), diy, or hci,diy to compare them, e.g. --stack hci');
  return value;
}

/**
 * `--storage-scheduler`: the scheduler behind hci's storage QoS. `fifo` is a declared broken QoS (arrival
 * order, no reservation, limit or weight), for proving a suite of SLAs notices when the QoS is gone.
 */
export const storageSchedulerOption = () =>
  new Option(
    '--storage-scheduler <name>',
    "cluster scenario, hci: the storage QoS scheduler, mclock (the appliance's) or fifo (arrival order: no reservations, limits or weights, to show what the QoS keeps)",
  ).choices(STORAGE_SCHEDULERS as unknown as string[]);

/** `anvil run`'s options: a job file's, plus a cluster scenario's stack and storage scheduler. */
type RunCommandOptions = Omit<RunOptions, 'seed'> & {
  seed?: number;
  stack?: string;
  storageScheduler?: StorageSchedulerKind;
  hostDevice?: HostDeviceChoice[];
  destroyDataOn?: string[];
  sriovPf?: SriovPfChoice[];
};

/** Adds `anvil run` to the CLI. */
export function registerRunCommand(cli: Command): void {
  const command = cli
    .command('run')
    .description('run a fio job file or a cluster scenario on a target and print fio-compatible results')
    .argument(
      '<jobfile>',
      "fio job file (fio's own format: [global], job sections, rw=, bs=, iodepth=, ...), or a cluster scenario (YAML, kind: ClusterScenario, bench/scenarios/)",
    )
    .addOption(
      new Option(
        '--target <target>',
        'where the jobs run: sim (the discrete-event model) or host (fio on this machine; a cluster scenario is realised here as root: namespaces, bridge, tc, cgroups, loop devices)',
      ).default('sim'),
    )
    .option('--profile <name|path>', `device profile: a built-in name (see "anvil profiles") or a YAML file`, DEFAULT_PROFILE)
    .option(
      '--seed <n>',
      "seed for every random stream; the same seed gives identical results (default: 1 for a job file, the scenario's seed for a scenario)",
      parseSeed,
    )
    .option(
      '--stack <stack>',
      'cluster scenario: the stack to run, hci (the appliance), diy, or hci,diy to compare (default: the stack(s) the scenario names)',
      parseStack,
    )
    .addOption(new Option('--output-format <format>', 'stdout format, as fio').choices(OUTPUT_FORMATS as string[]).default('normal'))
    .option('--out <dir>', 'also write summary.json and Arrow tables (intervals, latency histograms, jobs) here')
    .option(
      '--out-format <list>',
      'formats of the tables under --out: arrow (Arrow IPC, NAME.arrow), parquet (NAME.parquet, read by DuckDB, pandas, Spark) or arrow,parquet (default arrow)',
      parseOutFormat,
    )
    .option('--filename <path>', "host target: the file or device every job does I/O on (fio's filename)")
    .option(
      '--hosts <list>',
      "host target: fio servers (host[:port],...) started with `fio --server`; runs fio's client/server mode",
      parseHosts,
    )
    .option('--timeout <s>', "host target: stop fio after this many seconds (default: the jobs' runtime plus a minute)", parseSeconds)
    .option(
      '--max-ios <n>',
      `model target: refuse a run estimated to simulate more I/Os than this (default ${DEFAULT_MAX_IOS}, about a minute); a cluster scenario's run stops once its drives have served this many`,
      parseMaxIos,
    )
    .addOption(storageSchedulerOption())
    .action(async (file: string, opts: RunCommandOptions) => {
      if (opts.outFormat !== undefined && opts.out === undefined)
        throw new AnvilError('ANVIL_ERR_USAGE', '--out-format names the formats of the tables under --out: add --out DIR');
      const scenario = isClusterScenarioFile(file);
      refuseHostRunOptionsOff(opts, opts.target, scenario);
      if (scenario) {
        const { runScenarioOnTarget } = await import('../cluster/run-scenario-target.js');
        await runScenarioOnTarget(
          file,
          {
            target: opts.target,
            outputFormat: opts.outputFormat,
            ...(opts.stack !== undefined ? { stack: opts.stack } : {}),
            ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
            ...(opts.out !== undefined ? { out: opts.out } : {}),
            ...(opts.outFormat !== undefined ? { outFormat: opts.outFormat } : {}),
            ...(opts.maxIos !== undefined ? { maxIos: opts.maxIos } : {}),
            ...(opts.storageScheduler !== undefined ? { storageScheduler: opts.storageScheduler } : {}),
            ...hostRunChoicesOf(opts),
          },
          cliIo(),
        );
        return;
      }
      const {
        stack: _stack,
        storageScheduler: _scheduler,
        hostDevice: _devices,
        destroyDataOn: _destroy,
        sriovPf: _sriov,
        ...jobOptions
      } = opts;
      await runJobFile(file, { ...jobOptions, seed: opts.seed ?? 1 }, cliIo());
    });
  // Last in the help, as the host-only flags they are.
  addHostRunOptions(command);
}
