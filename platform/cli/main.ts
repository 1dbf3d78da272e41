#!/usr/bin/env node
/**
 * The `anvil` command line. Errors from the catalogue print as `CODE: message`, never as a stack trace.
 * Exit codes: 0 done, 1 an error of the command (a catalogue error), 2 a usage error (a bad flag, value or
 * command, or a command group without its subcommand: its help goes to stderr), 70 an internal error.
 * `runCli` runs it in-process with its own writers (the tests); this file is also the `anvil` bin.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
import { decimalAbove, seed as parseSeed, wholeNumber } from './arguments.js';
import { cliIo, withCliIo, type CliIo } from './cli-io.js';
import { commandPathOf, finishCommands, usageMessage } from './usage.js';

function parseHosts(value: string): string[] {
  const hosts = value.split(',').map((h) => h.trim()).filter((h) => h !== '');
  if (hosts.length === 0 || hosts.some((h) => !/^[A-Za-z0-9._-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(h))) throw new InvalidArgumentError('a list of fio servers, host[:port] separated by commas, e.g. --hosts 10.0.0.2,10.0.0.3:8766');
  return hosts;
}

/** fio's own bound on a run is about 2^32 s; a timeout past a year is a typo. */
const parseSeconds = decimalAbove(0, 365 * 86_400, '--timeout 120');

/** `--max-ios`: at least one I/O, exactly an integer. */
const parseMaxIos = wholeNumber(1, Number.MAX_SAFE_INTEGER, '--max-ios 200000000');

/** The whole command tree (exported for the tests that walk it). */
export function program(): Command {
  const cli = new Command('anvil')
    .description('Anvil: model and measure NVMe storage and SR-IOV networking for bare-metal Kubernetes')
    .version(anvilVersion(), '-V, --version');

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
      await runCommand(jobfile, opts, cliIo());
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
  // Last, so that every command (also those registered above by other files) gets the same handling.
  finishCommands(cli);
  return cli;
}

/** Exit codes of `anvil`. */
export const EXIT = { ok: 0, error: 1, usage: 2, internal: 70 } as const;

/**
 * Runs `anvil ARGS...` (the arguments after the program name) writing to `io`; returns the exit code.
 * Never exits the process.
 */
export async function runCli(args: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  return withCliIo(io, async () => {
    const cli = program();
    const see = `see anvil ${[...commandPathOf(cli, args), '--help'].join(' ')}`;
    try {
      await cli.parseAsync([...args], { from: 'user' });
      return EXIT.ok;
    } catch (e) {
      if (e instanceof CommanderError) {
        if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
        // `anvil help X` asked for help (exit code 0); a group without its subcommand (or anvil alone) got
        // its help on stderr as an error.
        if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
        io.stderr.write(new AnvilError('ANVIL_ERR_USAGE', `${usageMessage(e.message)}; ${see}`).format() + '\n');
        return EXIT.usage;
      }
      if (isAnvilError(e)) {
        const usage = e.code === 'ANVIL_ERR_USAGE';
        const shown = usage && !e.message.includes('--help') ? new AnvilError('ANVIL_ERR_USAGE', `${e.message}; ${see}`, e.details) : e;
        io.stderr.write(shown.format() + '\n');
        return usage ? EXIT.usage : EXIT.error;
      }
      // Not from the catalogue: a bug. Say so plainly, with the stack only on request.
      const err = e as Error;
      io.stderr.write(`anvil: internal error: ${err.message}\n`);
      if (process.env.ANVIL_DEBUG) io.stderr.write(`${err.stack}\n`);
      else io.stderr.write('  (set ANVIL_DEBUG=1 for details, and please report it)\n');
      return EXIT.internal;
    }
  });
}

/** Is this file the program node started (the `anvil` bin, maybe through a symlink), not an import? */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await runCli(process.argv.slice(2));
