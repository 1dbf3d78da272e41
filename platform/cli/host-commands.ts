/** `anvil host ...`: discovery of what this machine has, as a node profile; cleanup after a killed host run. */
import { readFileSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { AnvilError } from '../errors.js';
import type { CliIo } from './cli-io.js';

export interface InspectOptions {
  output: 'table' | 'json' | 'yaml';
  out?: string;
  capture?: string;
  from?: string;
}

export function registerHostCommands(cli: Command): void {
  const host = cli.command('host').description('this machine as the model sees it');
  host
    .command('inspect')
    .description('CPU, memory, block devices, NVMe controllers and NICs (speed, SR-IOV) as a node profile')
    .addOption(new Option('-o, --output <format>', 'stdout format').choices(['table', 'json', 'yaml']).default('table'))
    .option(
      '--out <file>',
      'also write the node as a control-plane node profile (YAML, for anvil cluster create --node-profile) to this file',
    )
    .option(
      '--capture <file>',
      'also write the raw sources (proc files, lsblk and nvme JSON, sysfs values) as JSON, to rebuild the profile elsewhere',
    )
    .option('--from <capture>', 'build the profile from a capture file instead of this machine')
    .action(async (opts: InspectOptions) => {
      await inspectCommand(opts);
    });
  host
    .command('cleanup')
    .description(
      'remove what a killed anvil run SCENARIO --target host left behind (namespaces, bridge, tc classes, cgroups, loop devices), from its journal',
    )
    .action(async () => {
      await hostCleanupCommand();
    });
}

/** `anvil host cleanup`: replays the journals of runs that are gone; ANVIL_ERR_HOST_SETUP when something could not be removed. */
export async function hostCleanupCommand(io: Pick<CliIo, 'stdout'> = { stdout: process.stdout }): Promise<void> {
  const { cleanupJournals, journalDir } = await import('../../bench/targets/host/realise/journal.js');
  const { SystemActions } = await import('../../bench/targets/host/realise/host-actions.js');
  const dir = journalDir();
  const done = await cleanupJournals(new SystemActions(), dir);
  if (done.length === 0) io.stdout.write(`nothing to clean up: no journal of a host run in ${dir}\n`);
  for (const d of done) {
    if (d.running !== undefined) io.stdout.write(`${d.file}: left alone, its run is still going (pid ${d.running})\n`);
    else if (d.failures.length === 0) io.stdout.write(`${d.file}: removed the ${d.steps} things a killed run made\n`);
  }
  const failed = done.filter((d) => d.failures.length > 0);
  if (failed.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_HOST_SETUP',
      'some of what killed host runs made could not be removed; run anvil host cleanup as root again, or remove them by hand',
      failed.flatMap((d) => [d.file, ...d.failures.map((f) => `  ${f}`)]),
    );
}

export async function inspectCommand(opts: InspectOptions, io: Pick<CliIo, 'stdout'> = { stdout: process.stdout }): Promise<void> {
  const { captureHost, nodeProfile, profileTable } = await import('../../bench/discovery/inspect.js');
  const { controlPlaneProfileYaml } = await import('./discovered-node-profile.js');
  let capture;
  if (opts.from) {
    try {
      capture = JSON.parse(readFileSync(opts.from, 'utf8'));
    } catch (e) {
      throw new AnvilError(
        'ANVIL_ERR_FILE_NOT_FOUND',
        `cannot read capture ${opts.from}: ${(e as Error).message}; write one with anvil host inspect --capture FILE`,
      );
    }
  } else {
    capture = await captureHost();
  }
  const profile = nodeProfile(capture);
  io.stdout.write(
    opts.output === 'json' ? JSON.stringify(profile, null, 2) + '\n' : opts.output === 'yaml' ? stringify(profile) : profileTable(profile),
  );
  try {
    if (opts.out) writeFileSync(opts.out, controlPlaneProfileYaml(profile));
    if (opts.capture) writeFileSync(opts.capture, JSON.stringify(capture, null, 2) + '\n');
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write ${opts.out ?? opts.capture}: ${(e as Error).message}`);
  }
}
