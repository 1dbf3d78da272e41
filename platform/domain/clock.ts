/**
 * Where the control plane reads the time from: every timestamp it writes (objects' `created_at`, events'
 * `at`, audit rows) comes from one `Clock` handed to the store. The CLI and the server use the wall clock;
 * a model drives the control plane on a simulated clock, so its events carry simulated time.
 */

/** The current time, as the control plane sees it. Injectable so tests, replays and models are deterministic. */
export type Clock = () => Date;

/** The machine's time: the default of every store and of `anvil serve`. */
export const wallClock: Clock = () => new Date();

/** Nanoseconds per millisecond, the resolution of a `Date`. */
const NS_PER_MS = 1e6;

/**
 * A clock on simulated time: `simulatedNs()` nanoseconds (as the kernel's `now`) after `startEpochMs`
 * (milliseconds since the Unix epoch, e.g. `Date.UTC(2026, 0, 1)`). A `Date` holds whole milliseconds, so
 * the simulated time is truncated to its millisecond: events within one millisecond share a timestamp.
 */
export function simulatedClock(startEpochMs: number, simulatedNs: () => number): Clock {
  if (!Number.isFinite(startEpochMs)) throw new RangeError(`simulatedClock: start epoch ${startEpochMs} ms is not a finite number`);
  return () => {
    const ns = simulatedNs();
    if (!(ns >= 0) || !Number.isFinite(ns))
      throw new RangeError(`simulatedClock: simulated time ${ns} ns is not a finite time at or after the start`);
    return new Date(startEpochMs + Math.floor(ns / NS_PER_MS));
  };
}
