/** `anvil host ...`: discovery of what this machine has, as a node profile. */
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
