/**
 * Where the CLI writes. `anvil` as a process writes to its stdout and stderr; `runCli` run in-process (the
 * tests) gives its own writers, which every command reaches through `cliIo()` for the length of that run,
 * also across awaits (AsyncLocalStorage), so two runs side by side never mix their output.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  /** stderr: notes, errors, and the progress bar (drawn only when this is a terminal). */
  readonly stderr: NodeJS.WriteStream;
}

const current = new AsyncLocalStorage<CliIo>();

/** The writers of the run in progress: the process's own outside `withCliIo`. */
export function cliIo(): CliIo {
  return current.getStore() ?? { stdout: process.stdout, stderr: process.stderr };
}

/** Writes to the current run's stdout. */
export function cliOut(text: string): void {
  cliIo().stdout.write(text);
}

/** Writes to the current run's stderr. */
export function cliErr(text: string): void {
  cliIo().stderr.write(text);
}

/**
 * Runs `fn` with `io` as the current run's writers. The process's own writers outside any run need no
 * store (`cliIo` falls back to them): a store turns on Node's async hooks for every promise made after it,
 * which cost the `anvil` process 0.03-0.05 s of CPU in loading its modules alone.
 */
export function withCliIo<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  if (io.stdout === process.stdout && io.stderr === process.stderr && current.getStore() === undefined) return fn();
  return current.run(io, fn);
}

/** Writers that keep what is written, for an in-process run (stderr is not a terminal: no progress bar). */
export function capturingIo(): CliIo & { out(): string; err(): string } {
  let out = '';
  let err = '';
  const stderr = { isTTY: false, write: (t: string | Uint8Array) => ((err += String(t)), true) } as unknown as NodeJS.WriteStream;
  return { stdout: { write: (t: string) => (out += t) }, stderr, out: () => out, err: () => err };
}
