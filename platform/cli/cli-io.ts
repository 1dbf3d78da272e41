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

export function withCliIo<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  return current.run(io, fn);
}

/** Writers that keep what is written, for an in-process run (stderr is not a terminal: no progress bar). */
export function capturingIo(): CliIo & { out(): string; err(): string } {
  let out = '';
  let err = '';
  const stderr = { isTTY: false, write: (t: string | Uint8Array) => ((err += String(t)), true) } as unknown as NodeJS.WriteStream;
  return { stdout: { write: (t: string) => (out += t) }, stderr, out: () => out, err: () => err };
}
