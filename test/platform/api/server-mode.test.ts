/** Every control-plane command takes --server: the local tools by nature are the only ones left local. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerControlPlaneCommands } from '../../../platform/cli/control-plane-commands.js';
import { registerServeCommands } from '../../../platform/cli/serve-command.js';
import { enableServerMode, SERVED_COMMANDS } from '../../../platform/cli/server-mode.js';

/** Commands that act on this machine or on the server process itself, not on the control plane's state. */
const LOCAL_BY_NATURE = ['serve', 'login'];

function leaves(cmd: Command, prefix: string[] = []): string[] {
  return cmd.commands.flatMap((c) => (c.commands.length > 0 ? leaves(c, [...prefix, c.name()]) : [[...prefix, c.name()].join(' ')]));
}

describe('server mode', () => {
  it('covers every control-plane command, and each of them takes --server and --token', () => {
    const cli = new Command('anvil');
    registerControlPlaneCommands(cli);
    registerServeCommands(cli);
    enableServerMode(cli);
    const all = leaves(cli);
    expect(all.length).toBeGreaterThan(25);
    expect(all.filter((c) => !SERVED_COMMANDS.includes(c) && !LOCAL_BY_NATURE.includes(c))).toEqual([]);
    for (const path of SERVED_COMMANDS) {
      const cmd = path.split(' ').reduce<Command | undefined>((c, name) => c?.commands.find((x) => x.name() === name), cli)!;
      expect(cmd.options.map((o) => o.long), path).toEqual(expect.arrayContaining(['--server', '--token']));
    }
  });
});
