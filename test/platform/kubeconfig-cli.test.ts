/**
 * `anvil kubeconfig`: a kubeconfig for the server and token given (or saved by anvil login), written with
 * mode 0600 since it holds the token; no server, or a server that is not an http(s) URL, is a usage error.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../cli-harness.js';
import { anvilBin } from '../../bench/package-root.js';

const BIN = anvilBin();
const run = promisify(execFile);

async function anvil(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('anvil kubeconfig', () => {
  const dir = tempDir('anvil-kubeconfig-');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') };

  it('writes a kubeconfig with mode 0600 naming the server and the token', async () => {
    const out = join(dir, 'kc.yaml');
    const r = await anvil(['kubeconfig', '--server', 'http://127.0.0.1:8123/', '--token', 'anvil_t0k', '--out', out], env);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const config = parse(readFileSync(out, 'utf8')) as {
      clusters: { cluster: { server: string } }[];
      users: { user: { token: string } }[];
      'current-context': string;
    };
    expect([config.clusters[0]!.cluster.server, config.users[0]!.user.token, config['current-context']]).toEqual([
      'http://127.0.0.1:8123',
      'anvil_t0k',
      'anvil',
    ]);
    // Over http kubectl sends no token: the user is told what the server must allow.
    expect(r.stderr).toMatch(/kubectl sends no token.*--kube-anonymous-loopback/);
  });

  it('refuses no server and a server that is not an http(s) URL, with a usage error', async () => {
    const none = await anvil(['kubeconfig'], env);
    expect([none.code, none.stderr]).toEqual([2, expect.stringMatching(/ANVIL_ERR_USAGE.*needs a server/) as unknown]);
    const ftp = await anvil(['kubeconfig', '--server', 'ftp://host'], env);
    expect([ftp.code, ftp.stderr]).toEqual([2, expect.stringMatching(/ftp:\/\/host is not an http/) as unknown]);
  });
});

describe('plain http is loopback-only', () => {
  const dir = tempDir('anvil-plain-http-');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_STATE_HOME: join(dir, 'state'),
  };

  it('anvil kubeconfig refuses an http server off loopback (kubectl would send no token, the server answers no one)', async () => {
    const r = await anvil(['kubeconfig', '--server', 'http://10.0.0.5:8080', '--token', 't'], env);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/plain http off loopback.*give https:\/\/10\.0\.0\.5:8080/) as unknown]);
  });

  it('anvil serve --plain-http refuses an address off loopback before making any state', async () => {
    const r = await anvil(['serve', '--plain-http', '--host', '0.0.0.0', '--port', '0', '--state', join(dir, 's.db')], env);
    expect([r.code, r.stderr]).toEqual([
      2,
      expect.stringMatching(/--plain-http on --host 0\.0\.0\.0: plain http is served on loopback only/) as unknown,
    ]);
    expect(existsSync(join(dir, 's.db'))).toBe(false);
    const both = await anvil(['serve', '--plain-http', '--tls-self-signed', '--port', '0', '--state', join(dir, 's.db')], env);
    expect([both.code, both.stderr]).toEqual([2, expect.stringMatching(/--plain-http serves no TLS/) as unknown]);
  });
});
