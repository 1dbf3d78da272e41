/**
 * `anvil ARGS` as a user runs it, for the bench: the compiled CLI in a child process, timed from spawn to
 * exit, so module loading, parsing and writing the output are in the figure.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/** What a timed run printed, and how long it took (wall seconds, spawn to exit). */
export interface TimedAnvilRun {
  readonly stdout: string;
  readonly seconds: number;
}

/**
 * Runs the compiled `anvil` (also when the caller runs from source, as in the tests) with `args`, in the
 * package root; throws naming `what` when it cannot start or exits non-zero. Bounded at 10 minutes.
 */
export function runAnvilTimed(what: string, args: readonly string[]): TimedAnvilRun {
  const root = packageRoot();
  const main = join(root, 'dist', 'platform', 'cli', 'main.js');
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [main, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 600_000,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.error) throw new Error(`${what}: cannot run anvil: ${child.error.message}`);
  if (child.status !== 0)
    throw new Error(`${what}: anvil ${args.join(' ')} exited with ${child.status ?? child.signal}: ${child.stderr.trim()}`);
  return { stdout: child.stdout, seconds };
}
