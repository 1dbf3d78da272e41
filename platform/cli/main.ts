#!/usr/bin/env node
/** The `anvil` command line. Errors from the catalogue print as `CODE: message`, never as a stack trace. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AnvilError, isAnvilError } from '../errors.js';
import { anvilVersion } from '../../bench/package-root.js';
import { DEFAULT_PROFILE } from '../../bench/profiles.js';
import { OUTPUT_FORMATS, runCommand } from './run-command.js';
import { registerNetCommands } from './net-command.js';
import { registerHostCommands } from './host-commands.js';
import { registerCalibrateCommands } from './calibrate-commands.js';
import { registerControlPlaneCommands } from './control-plane-commands.js';
import { registerServeCommands } from './serve-command.js';
import { enableServerMode } from './server-mode.js';
import type { OutputFormat } from '../../bench/results/fio-json.js';
import { DEFAULT_MAX_IOS } from '../../bench/targets/run-cost.js';
import { registerTcoCommand } from '../../reports/tco-command.js';

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER) throw new InvalidArgumentError('a seed is a non-negative integer, e.g. --seed 42');
  return Number(value);
}

function parseHosts(value: string): string[] {
  const hosts = value.split(',').map((h) => h.trim()).filter((h) => h !== '');
  if (hosts.length === 0 || hosts.some((h) => !/^[A-Za-z0-9._-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(h))) throw new InvalidArgumentError('a list of fio servers, host[:port] separated by commas, e.g. --hosts 10.0.0.2,10.0.0.3:8766');
  return hosts;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number of seconds above 0, e.g. --timeout 120');
  return n;
}

function parseMaxIos(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > Number.MAX_SAFE_INTEGER) throw new InvalidArgumentError('a whole number of I/Os above 0, e.g. --max-ios 200000000');
  return Number(value);
}

function program(): Command {
  const cli = new Command('anvil')
    .description('Anvil: model and measure NVMe storage and SR-IOV networking for bare-metal Kubernetes')
    .version(anvilVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .showSuggestionAfterError(true);

  cli
    .command('run')
    .description('run a fio job file on a target and print fio-compatible results')
    .argument('<jobfile>', 'fio job file (fio\'s own format: [global], job sections, rw=, bs=, iodepth=, ...)')
    .addOption(new Option('--target <target>', 'where the jobs run: sim (the discrete-event model) or host (fio on this machine)').default('sim'))
    .option('--profile <name|path>', `device profile: a built-in name (see "anvil profiles") or a YAML file`, DEFAULT_PROFILE)
    .option('--seed <n>', 'seed for every random stream; the same seed gives identical results', parseSeed, 1)
    .addOption(new Option('--output-format <format>', 'stdout format, as fio').choices(OUTPUT_FORMATS as string[]).default('normal'))
    .option('--out <dir>', 'also write summary.json and Arrow tables (intervals, latency histograms, jobs) here')
    .option('--filename <path>', 'host target: the file or device every job does I/O on (fio\'s filename)')
    .option('--hosts <list>', 'host target: fio servers (host[:port],...) started with `fio --server`; runs fio\'s client/server mode', parseHosts)
    .option('--timeout <s>', 'host target: stop fio after this many seconds (default: the jobs\' runtime plus a minute)', parseSeconds)
    .option('--max-ios <n>', `model target: refuse a run estimated to simulate more I/Os than this (default ${DEFAULT_MAX_IOS}, about a minute)`, parseMaxIos)
    .action(async (jobfile: string, opts: { target: string; profile: string; seed: number; outputFormat: OutputFormat; out?: string; filename?: string; hosts?: string[]; timeout?: number; maxIos?: number }) => {
      await runCommand(jobfile, opts);
    });

  cli
    .command('start')
    .description('the main job: the reference fio jobs on the default NVMe profile, results and summaries under out/')
    .option('--profile <name|path>', 'device profile', DEFAULT_PROFILE)
    .option('--seed <n>', 'seed for every random stream', parseSeed, 1)
    .option('--out <dir>', 'where results go', 'out')
    .action(async (opts: { profile: string; seed: number; out: string }) => {
      const { startCommand } = await import('./start-command.js');
      await startCommand(opts);
    });

  registerNetCommands(cli);
  registerHostCommands(cli);
  registerCalibrateCommands(cli);

  cli
    .command('profiles')
    .description('list the built-in device profiles')
    .action(async () => {
      const { profilesCommand } = await import('./catalog-commands.js');
      profilesCommand();
    });

  cli
    .command('devices')
    .description('list the device kinds the model has, with their capabilities and parameters')
    .action(async () => {
      const { devicesCommand } = await import('./catalog-commands.js');
      devicesCommand();
    });

  registerTcoCommand(cli);
  registerControlPlaneCommands(cli);
  registerServeCommands(cli);
  enableServerMode(cli);

  return cli;
}

async function main(argv: string[]): Promise<number> {
  const cli = program();
  try {
    await cli.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      const message = e.message.replace(/^error: /, '');
      process.stderr.write(new AnvilError('ANVIL_ERR_USAGE', `${message}; see anvil --help`).format() + '\n');
      return 2;
    }
    if (isAnvilError(e)) {
      process.stderr.write(e.format() + '\n');
      return 1;
    }
    // Not from the catalogue: a bug. Say so plainly, with the stack only on request.
    const err = e as Error;
    process.stderr.write(`anvil: internal error: ${err.message}\n`);
    if (process.env.ANVIL_DEBUG) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write('  (set ANVIL_DEBUG=1 for details, and please report it)\n');
    return 70;
  }
}

process.exitCode = await main(process.argv);
