/**
 * Tests that need something outside the repository: a tool (fio, iperf3, sqlite3, openssl, Chromium), root,
 * or the external corpora in ../shared/fixtures beside the clone. On a user's machine without it they skip,
 * with one line saying what is missing; in CI (CI set) they always run, so a missing need fails them
 * instead of skipping silently (.ci/run installs the tools and refuses to start without the corpora).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/** Is this a CI run? (CI=true as CI services set it; "false" or "0" are not.) */
export const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

const said = new Set<string>();
/** One line on stderr (once per test file) that tests needing `what` are skipped. */
export function sayMissing(what: string): void {
  if (said.has(what)) return;
  said.add(what);
  process.stderr.write(`skipping tests that need ${what} (missing here; CI runs them)\n`);
}

/** `it` when `available` or in CI, else `it.skip` with one line naming `what` is missing. */
export function needs(what: string, available: boolean): ReturnType<typeof it.skipIf> {
  if (!available && !inCI) sayMissing(what);
  return it.skipIf(!available && !inCI);
}

/** The same for a whole `describe`. */
export function describeNeeds(what: string, available: boolean): ReturnType<typeof describe.skipIf> {
  if (!available && !inCI) sayMissing(what);
  return describe.skipIf(!available && !inCI);
}

/** The external corpora: ../shared/fixtures beside the repository (present in CI, not in a user's clone). */
export const SHARED_FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));

/** A folder of the corpora (with a trailing slash), whether it is there, and `describe` for its tests. */
export function corpus(folder: string): { path: string; present: boolean; describe: ReturnType<typeof describe.skipIf> } {
  const path = `${SHARED_FIXTURES}${folder}/`;
  const present = existsSync(path);
  return { path, present, describe: describeNeeds(`the corpus ${path}`, present) };
}
