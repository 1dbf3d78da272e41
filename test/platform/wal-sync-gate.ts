/**
 * A stand-in for the store's fsync of the WAL (state/durability.ts's seam): passes at once until told to
 * hold, then keeps each fsync running until the test releases it, or fails them. Tests wait for events
 * (`started`), never for time.
 */
import type { FileSync } from '../../platform/state/durability.js';

export class WalSyncGate {
  private holding = false;
  private failure: Error | undefined;
  private readonly held: { resolve(): void; reject(e: Error): void }[] = [];
  private readonly onStart: (() => void)[] = [];
  /** fsyncs asked for so far. */
  calls = 0;

  readonly sync: FileSync = () => {
    this.calls++;
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (!this.holding) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.held.push({ resolve, reject });
      for (const wake of this.onStart.splice(0)) wake();
    });
  };

  /** From now on each fsync runs until released. */
  hold(): void {
    this.holding = true;
  }

  /** fsyncs running now (held). */
  get running(): number {
    return this.held.length;
  }

  /** Resolves once an fsync is held (at once if one is). */
  async started(): Promise<void> {
    if (this.held.length > 0) return;
    await new Promise<void>((wake) => this.onStart.push(wake));
  }

  /** Ends the oldest held fsync, successfully. */
  releaseOne(): void {
    this.held.shift()?.resolve();
  }

  /** Ends the newest held fsync (the last started), successfully. */
  releaseNewest(): void {
    this.held.pop()?.resolve();
  }

  /** Ends every held fsync and lets later ones pass at once. */
  releaseAll(): void {
    this.holding = false;
    for (const h of this.held.splice(0)) h.resolve();
  }

  /** Fails every held fsync and every later one with `error` (an EIO, say). */
  fail(error: Error): void {
    this.failure = error;
    for (const h of this.held.splice(0)) h.reject(error);
  }
}

/** Lets the event loop run `n` turns (timers, I/O, immediates): long enough for anything not held to finish. */
export async function turns(n = 25): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Tracks whether `promise` has settled, without waiting for it. */
export function watch<T>(promise: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}
