/**
 * The state file holds users, roles, token hashes and the audit log: Anvil creates it 0600 (its -wal and -shm
 * too) in a 0700 folder, warns once when an existing one is open to others, and `anvil login` keeps its
 * file 0600 in a 0700 folder.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer, bootstrapAdmin } from '../../platform/api/server.js';
import { localAdmin } from '../../platform/domain/tenancy.js';
import { Store } from '../../platform/state/store.js';
import { tempDir } from '../cli-harness.js';
import { anvilBin } from '../../bench/package-root.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const BIN = anvilBin();

/** What Anvil writes on stderr while `fn` runs. */
function stderrOf(fn: () => void): string {
  let text = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return text;
}

// The usual umask: without Anvil's own modes the files would be 0644 and the folders 0755.
let umask = 0;
beforeAll(() => void (umask = process.umask(0o022)));
afterAll(() => void process.umask(umask));

describe('state file modes', () => {
  it('a new state file is 0600 with its -wal and -shm, the folder made for it 0700, and no warning', () => {
    const folder = join(tempDir('anvil-modes-'), 'xdg', 'anvil');
    const path = join(folder, 'state.db');
    const printed = stderrOf(() => {
      const store = Store.open(path, () => new Date(), true);
      store.change(localAdmin(), 'create users', 'users/bob', (cp) => cp.createUser('bob', ['viewer']));
      expect(existsSync(`${path}-wal`)).toBe(true);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file).toString(8), file).toBe('600');
      store.close();
    });
    expect(modeOf(folder).toString(8)).toBe('700');
    expect(modeOf(join(folder, '..')).toString(8)).toBe('700');
    expect(printed).toBe('');
  });

  it('a state file the server creates at a given path is 0600 too', async () => {
    const path = join(tempDir('anvil-modes-'), 'served.db');
    const { app, api } = await buildServer({ statePath: path });
    expect(bootstrapAdmin(api)).toMatch(/^anvil_/);
    expect(modeOf(path).toString(8)).toBe('600');
    await app.close();
  });

  it('an existing state file open to others gets one warning per process naming the chmod to run', () => {
    const folder = tempDir('anvil-modes-');
    const path = join(folder, 'state.db');
    Store.open(path).close();
    expect(stderrOf(() => Store.open(path).close())).toBe('');
    chmodSync(path, 0o644);
    const first = stderrOf(() => Store.open(path).close());
    expect(first).toBe(
      `anvil: warning: state file ${path} is open to other users (mode 0644); it holds users, roles, token hashes and the audit log: run chmod 600 ${path}\n`,
    );
    expect(stderrOf(() => Store.open(path).close())).toBe('');
    // The mode of a file Anvil did not create is left as it is: changing it is the owner's call.
    expect(modeOf(path).toString(8)).toBe('644');
  });

  it('a file that is not a state file gets its coded error and no warning', () => {
    const path = join(tempDir('anvil-modes-'), 'junk.db');
    writeFileSync(path, 'not a database, but long enough for SQLite to read a header from it'.repeat(10));
    chmodSync(path, 0o644);
    let code = '';
    expect(
      stderrOf(() => {
        try {
          Store.open(path).close();
        } catch (e) {
          code = (e as { code: string }).code;
        }
      }),
    ).toBe('');
    expect(code).toBe('ANVIL_ERR_STATE');
  });

  it('the default folder open to others is named too, with its chmod', () => {
    const folder = join(tempDir('anvil-modes-'), 'anvil');
    const path = join(folder, 'state.db');
    Store.open(path, () => new Date(), true).close();
    chmodSync(folder, 0o755);
    expect(stderrOf(() => Store.open(path, () => new Date(), true).close())).toMatch(
      /folder of state file .* \(mode 0755\).*: run chmod 700 \S+anvil\n$/,
    );
  });
});

describe('anvil login', () => {
  it('writes its file 0600 in a folder it makes 0700', async () => {
    const dir = tempDir('anvil-login-');
    const { app, api } = await buildServer({ statePath: join(dir, 'state.db') });
    const token = bootstrapAdmin(api)!;
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const config = join(dir, 'config');
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, 'login', '--server', url, '--token', token], {
          env: { ...process.env, XDG_CONFIG_HOME: config, ANVIL_SERVER: '', ANVIL_TOKEN: '' },
          stdio: 'ignore',
        });
        child.on('error', reject);
        child.on('close', resolve);
      });
      expect(code).toBe(0);
    } finally {
      await app.close();
    }
    expect(modeOf(join(config, 'anvil', 'config.json')).toString(8)).toBe('600');
    expect(modeOf(join(config, 'anvil')).toString(8)).toBe('700');
  });
});
