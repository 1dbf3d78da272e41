/**
 * `anvil serve` as a child process, for the api bench and the tests that need a real listening server: it
 * resolves once the server prints the address it listens at (after the first admin token, on a new state file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { anvilBin } from '../package-root.js';

/** The built CLI, whether this module runs built (the bench) or from source (the tests). */
const BIN = anvilBin();

export interface ServeChild {
  readonly child: ChildProcess;
  /** http://127.0.0.1:PORT or https://... */
  readonly url: string;
  /** The first admin token, when the state file was new. */
  readonly token: string | undefined;
  /** Everything printed on stdout so far. */
  readonly stdout: () => string;
}

/** Starts `anvil serve --port 0 ARGS` (give --state); rejects with what it printed if it exits first. */
export function startServe(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ServeChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    child.stdout!.on('data', (d) => {
      out += String(d);
      const url = /anvil serving .* at (https?:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) resolve({ child, url, token: /shown once; keep it\): (\S+)/.exec(out)?.[1], stdout: () => out });
    });
    child.on('exit', (code) => reject(new Error(`anvil serve exited ${code}: ${out}${err}`)));
  });
}

/** Stops it (SIGTERM) and waits for it to exit. */
export async function stopServe(s: ServeChild): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.on('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}
