/**
 * Child processes with a time bound: every tool Anvil runs on a host (fio, iperf3, ip, tc) goes
 * through here, so none can outlive its bound, and Ctrl-C stops the child, lets the caller clean up,
 * and then reports ANVIL_ERR_INTERRUPTED.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AnvilError } from '../../../platform/errors.js';

export interface BoundedResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BoundedOptions {
  /** Kill the child (SIGTERM, then SIGKILL 2 s later) after this long, ms. */
  readonly timeout_ms: number;
  readonly cwd?: string;
  /** What the child is, for messages: "fio", "iperf3 server". */
  readonly label: string;
  /** Sees stdout as it arrives (fio's status lines), besides collecting it. */
  readonly onStdout?: (chunk: string) => void;
}

/** Is a Ctrl-C being handled? Set by `runBounded` when SIGINT arrives during a child's life. */
let interrupted = false;

/** True once the user pressed Ctrl-C during a bounded child; callers clean up and then call `throwIfInterrupted`. */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** Forgets an earlier Ctrl-C: called as a run starts. */
export function resetInterrupted(): void {
  interrupted = false;
}

export function throwIfInterrupted(what: string): void {
  if (interrupted) {
    interrupted = false;
    throw new AnvilError('ANVIL_ERR_INTERRUPTED', `${what} was interrupted; everything it created has been removed`);
  }
}

/** Runs `command args` to completion or its time bound. Rejects with ANVIL_ERR_TIMEOUT on the bound. */
export function runBounded(command: string, args: readonly string[], options: BoundedOptions): Promise<BoundedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => {
      const text = c.toString();
      stdout += text;
      options.onStdout?.(text);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const onSigint = () => {
      interrupted = true;
      child.kill('SIGINT');
    };
    process.on('SIGINT', onSigint);
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killer = setTimeout(() => child.kill('SIGKILL'), 2000);
    }, options.timeout_ms);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      process.off('SIGINT', onSigint);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killer) clearTimeout(killer);
      process.off('SIGINT', onSigint);
      if (timedOut)
        reject(
          new AnvilError(
            'ANVIL_ERR_TIMEOUT',
            `${options.label} ran past its bound of ${(options.timeout_ms / 1000).toFixed(0)} s and was stopped; give the job a runtime= (and time_based) or a smaller size=`,
          ),
        );
      else resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A long-lived child (a server) that the caller stops; it is killed at its bound at the latest. */
export interface Background {
  /** Stops the child (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Output so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the child exits by itself. */
  readonly exited: Promise<number | null>;
}

export function startBackground(command: string, args: readonly string[], options: BoundedOptions): Background {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  const bound = setTimeout(() => child.kill('SIGKILL'), options.timeout_ms);
  void exited.then(() => clearTimeout(bound));
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(killer);
    },
    output: () => ({ stdout, stderr }),
    exited,
  };
}

/** The path of `command` on PATH (an executable file), or undefined. */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, command);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}
