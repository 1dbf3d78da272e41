/** Every control-plane command takes --server: the local tools by nature are the only ones left local. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerControlPlaneCommands } from '../../../platform/cli/control-plane-commands.js';
import { registerServeCommands } from '../../../platform/cli/serve-command.js';
import { enableServerMode, SERVED_COMMANDS, serverTarget } from '../../../platform/cli/server-mode.js';
import { caughtAnvilError } from '../../caught.js';
import { tempDir } from '../../cli-harness.js';
import { haveOpenssl, makePki } from './tls-pki.js';
import { needs } from '../../needs.js';

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
      expect(
        cmd.options.map((o) => o.long),
        path,
      ).toEqual(expect.arrayContaining(['--server', '--token']));
    }
  });
});

describe('which server, token and CA a command uses', () => {
  function loginFile(content: object): NodeJS.ProcessEnv {
    const home = tempDir('anvil-config-');
    mkdirSync(join(home, 'anvil'));
    writeFileSync(join(home, 'anvil', 'config.json'), JSON.stringify(content));
    return { XDG_CONFIG_HOME: home };
  }

  it("takes the login file's token only for the server it was written for, and --state keeps a command local", () => {
    const env = loginFile({ server: 'http://saved:8080', token: 'saved-token' });
    expect(serverTarget({}, env)).toEqual({ server: 'http://saved:8080', token: 'saved-token' });
    expect(serverTarget({ server: 'http://saved:8080' }, env)).toEqual({ server: 'http://saved:8080', token: 'saved-token' });
    expect(serverTarget({ server: 'http://saved:8080', token: 'mine' }, env)?.token).toBe('mine');
    // Another server never gets the saved token.
    expect(caughtAnvilError(() => serverTarget({ server: 'http://other:8080' }, env)).message).toMatch(
      /^--server http:\/\/other:8080 needs a token/,
    );
    expect(serverTarget({ server: 'http://other:8080' }, { ...env, ANVIL_TOKEN: 'env-token' })?.token).toBe('env-token');
    expect(serverTarget({ state: '/tmp/x.db' }, env)).toBeUndefined();
    expect(serverTarget({}, {})).toBeUndefined();
    // A broken login file matters only when it is needed.
    const broken = tempDir('anvil-config-');
    mkdirSync(join(broken, 'anvil'));
    writeFileSync(join(broken, 'anvil', 'config.json'), '{not json');
    expect(serverTarget({ server: 'http://a:1', token: 't' }, { XDG_CONFIG_HOME: broken })).toEqual({ server: 'http://a:1', token: 't' });
    expect(caughtAnvilError(() => serverTarget({}, { XDG_CONFIG_HOME: broken })).message).toMatch(/is not the JSON anvil login writes/);
  });

  needs('the openssl CLI', haveOpenssl())(
    'an explicit --server that is the saved one uses the saved CA too; another server does not',
    () => {
      const pki = makePki(tempDir('anvil-config-pki-'));
      const env = loginFile({ server: 'https://saved:8443', token: 'saved-token', ca_cert: pki.ca });
      expect(serverTarget({ server: 'https://saved:8443' }, env)).toEqual({
        server: 'https://saved:8443',
        token: 'saved-token',
        ca_cert: pki.ca,
      });
      expect(serverTarget({ server: 'https://other:8443', token: 't' }, env)).toEqual({ server: 'https://other:8443', token: 't' });
    },
  );
});
