/**
 * Resyncs finish as time passes, not on a user's command: this step makes in sync every resyncing plex whose
 * copy time has passed on the store's clock, in a change of its own (an audit row `advance resyncs` only when
 * one finished). `anvil serve` runs it in a loop; the embedded CLI before each command; a model on its
 * simulated clock whenever it likes.
 */
import { nextResyncDoneMs } from '../domain/resync.js';
import type { Actor } from '../domain/tenancy.js';
import type { ControlPlaneStore } from './control-plane-store.js';
import type { Store } from './store.js';

/** Who the audit log names for a resync finished by the clock. */
export const RESYNC_ACTOR: Actor = { user: 'anvil-resync', roles: ['cluster-admin'] };

/** How often `anvil serve` looks for finished resyncs, ms: progress is shown to the second. */
export const RESYNC_LOOP_PERIOD_MS = 1000;

/**
 * Finishes the resyncs due on the store's own clock (the one the change is stamped with, so the check and
 * the change cannot disagree); returns how many. Reads first, so a call with nothing due writes nothing.
 */
export function advanceDueResyncs(
  store: ControlPlaneStore,
  change: ControlPlaneStore['change'] = (...args) => store.change(...args),
): number {
  const next = store.read((s) => nextResyncDoneMs(s));
  if (next === undefined || next > store.now().getTime()) return 0;
  return change(RESYNC_ACTOR, 'advance resyncs', 'volumes', (cp) => cp.advanceResyncs());
}

/**
 * Runs `advanceDueResyncs` every `periodMs` until the returned stop is called; `report` gets a failure's
 * message. The server's loop: each change is committed without waiting for its fsync (`Store.changeHeld`),
 * so the event loop never stalls on it; the server's answers that show it wait for it.
 */
export function startResyncLoop(store: Store, report: (message: string) => void, periodMs = RESYNC_LOOP_PERIOD_MS): () => void {
  const timer = setInterval(() => {
    try {
      advanceDueResyncs(store, (...args) => store.changeHeld(...args));
    } catch (e) {
      report(`finishing resyncs failed (will retry): ${(e as Error).message}`);
    }
  }, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
