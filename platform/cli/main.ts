#!/usr/bin/env node
/**
 * The `anvil` command line. Errors from the catalogue print as `CODE: message`, never as a stack trace.
 * Exit codes: 0 done, 1 an error of the command (a catalogue error), 2 a usage error (a bad flag, value or
 * command, or a command group without its subcommand: its help goes to stderr), 70 an internal error.
 * `anvil check` keeps 1 for a failed SLA and `anvil compare` 1 for a regression; both give 2 for every other error.
 * `runCli` runs it in-process with its own writers (the tests); this file is also the `anvil` bin.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { AnvilError, isAnvilError } from '../errors.js';
import { anvilVersion } from '../../bench/package-root.js';
import { DEFAULT_PROFILE } from '../../bench/profiles.js';
import { seed as parseSeed } from './arguments.js';
import { withCliIo, type CliIo } from './cli-io.js';
import { commandPathOf, finishCommands, usageMessage } from './usage.js';

/** Adds a module's commands to the tree. */
type Register = (cli: Command) => void;

/**
 * Verbs whose commands stand alone (no server mode wraps them), each with the module that adds them. A
 * command line with one of these verbs loads that module only: module loading is most of a short run's
 * start-up, and `anvil run` should not pay for the control plane, the API server and the TCO report.
 */
const STANDALONE_VERBS: Readonly<Record<string, () => Promise<Register>>> = {
  run: async () => (await import('./run-command.js')).registerRunCommand,
  net: async () => (await import('./net-command.js')).registerNetCommands,
  host: async () => (await import('./host-commands.js')).registerHostCommands,
  calibrate: async () => (await import('./calibrate-commands.js')).registerCalibrateCommands,
  tco: async () => (await import('./tco-command.js')).registerTcoCommand,
  scenario: async () => (await import('./scenario-command.js')).registerScenarioCommands,
  check: async () => (await import('./check-command.js')).registerCheckCommand,
  compare: async () => (await import('./compare-command.js')).registerCompareCommand,
  sweep: async () => (await import('./sweep-command.js')).registerSweepCommands,
  kubeconfig: async () => (await import('./kubeconfig-command.js')).registerKubeconfigCommand,
};

/**
 * The command tree for `args` (the arguments after the program name): only the verb's own commands when
 * it stands alone, else the whole tree (no arguments: the whole tree, for the tests that walk it).
 */
export async function program(args: readonly string[] = []): Promise<Command> {
  const cli = new Command('anvil')
    .description('Anvil: model and measure NVMe storage and SR-IOV networking for bare-metal Kubernetes')
    .version(anvilVersion(), '-V, --version');
  const verb = args[0];
  const standalone = verb !== undefined && Object.hasOwn(STANDALONE_VERBS, verb) ? STANDALONE_VERBS[verb] : undefined;
  if (standalone) {
    // `anvil sweep FILE --out` and its subcommands' `--out`: the parent must not take its subcommands'
    // options, which commander allows only when the program's options (-V, -h) come before the verb.
    if (verb === 'sweep') cli.enablePositionalOptions();
    (await standalone())(cli);
    finishCommands(cli);
    return cli;
  }
  const [run, net, host, calibrate, tco, scenario, check, compare, sweep, kubeconfig, controlPlane, serve, serverMode] = await Promise.all([
    STANDALONE_VERBS.run!(),
    STANDALONE_VERBS.net!(),
    STANDALONE_VERBS.host!(),
    STANDALONE_VERBS.calibrate!(),
    STANDALONE_VERBS.tco!(),
    STANDALONE_VERBS.scenario!(),
    STANDALONE_VERBS.check!(),
    STANDALONE_VERBS.compare!(),
    STANDALONE_VERBS.sweep!(),
    STANDALONE_VERBS.kubeconfig!(),
    import('./control-plane-commands.js'),
    import('./serve-command.js'),
    import('./server-mode.js'),
  ]);

  run(cli);

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

  net(cli);
  host(cli);
  calibrate(cli);

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

  tco(cli);
  scenario(cli);
  check(cli);
  compare(cli);
  sweep(cli);
  controlPlane.registerControlPlaneCommands(cli);
  serve.registerServeCommands(cli);
  kubeconfig(cli);
  serverMode.enableServerMode(cli);
  // Last, so that every command (also those registered above by other files) gets the same handling.
  finishCommands(cli);
  return cli;
}

/** Exit codes of `anvil`. */
export const EXIT = { ok: 0, error: 1, usage: 2, internal: 70 } as const;

/**
 * Runs `anvil ARGS...` (the arguments after the program name) writing to `io`; returns the exit code.
 * Never exits the process. With the process's own stdout and stderr (the default), `withCliIo` enters no
 * AsyncLocalStorage: one would turn on Node's promise hooks for the whole process, and `anvil serve` would
 * pay them on every promise of every request (about a fifth of an authenticated small read's server time).
 */
export async function runCli(args: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  return withCliIo(io, () => runWith(args, io));
}

async function runWith(args: readonly string[], io: CliIo): Promise<number> {
  const cli = await program(args);
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
      // anvil check: 1 says an SLA failed, so anything else that stopped it is bad input (2).
      if (args[0] === 'check' && e.code !== 'ANVIL_ERR_SLA_FAILED') return EXIT.usage;
      // anvil compare: 1 says a comparison regressed; anything else is input it could not compare (2).
      if (args[0] === 'compare') return e.code === 'ANVIL_ERR_REGRESSION' ? EXIT.error : EXIT.usage;
      return usage ? EXIT.usage : EXIT.error;
    }
    // Not from the catalogue: a bug. Say so plainly, with the stack only on request.
    const err = e as Error;
    io.stderr.write(`anvil: internal error: ${err.message}\n`);
    if (process.env.ANVIL_DEBUG) io.stderr.write(`${err.stack}\n`);
    else io.stderr.write('  (set ANVIL_DEBUG=1 for details, and please report it)\n');
    return EXIT.internal;
  }
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
