/**
 * Where the state file is and how it is opened: the default path, and the SQLite connection on it in WAL
 * mode, a new file made 0600 (file-modes.ts). A commit does not fsync (synchronous NORMAL): the store flushes
 * the WAL itself (durability.ts), off the event loop in the server, and acknowledges a change only after.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { AnvilError } from '../errors.js';
import { prepareStateFile } from './file-modes.js';

/** Where the state lives when neither --state nor ANVIL_STATE says: $XDG_STATE_HOME/anvil/state.db. */
export function defaultStatePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ANVIL_STATE) return env.ANVIL_STATE;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'anvil', 'state.db');
}

/**
 * The SQLite connection on the state file at `path` (`:memory:` too), and whether the file was `created`
 * by this call. Its folder must exist unless `createFolder` (then made 0700).
 */
export function openStateDatabase(path: string, createFolder: boolean): { db: Database.Database; created: boolean } {
  let created = false;
  if (path !== ':memory:' && !existsSync(dirname(path))) {
    if (!createFolder)
      throw new AnvilError(
        'ANVIL_ERR_STATE',
        `cannot open state file ${path}: its folder ${dirname(path)} does not exist; create it or choose another --state`,
      );
  }
  try {
    if (path !== ':memory:') created = prepareStateFile(path, createFolder);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL: no fsync in the commit; durability.ts fsyncs the WAL before anyone is told of the change.
    db.pragma('synchronous = NORMAL');
    // A checkpoint runs in the commit that fills the WAL, on the event loop, with three fsyncs (WAL, file,
    // WAL header): 1,000 pages (SQLite's default) was one every ~0.4 s under 2,000 creates/s, each a 5-11 ms
    // stall (strace). 4,000 pages (16 MiB of WAL at most) makes them a quarter as often, and a page changed
    // by many commits between two (the revision row, index pages) is copied once.
    db.pragma('wal_autocheckpoint = 4000');
    db.pragma('busy_timeout = 10000');
    return { db, created };
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_STATE',
      `cannot open state file ${path}: ${(e as Error).message}; check the path (--state or ANVIL_STATE) and its permissions`,
    );
  }
}
