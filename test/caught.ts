/** Runs `fn`, which must throw a catalogue error, and returns that error for the test to inspect. */
import { AnvilError } from '../platform/errors.js';

export function caughtAnvilError(fn: () => unknown): AnvilError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AnvilError) return e;
    throw e;
  }
  throw new Error('expected an AnvilError');
}
