/**
 * When a commit is on disk. The state file is in WAL mode with `synchronous = NORMAL`: a commit writes its
 * frames to the `-wal` file (the page cache) and returns without an fsync, and this fsyncs that file off the
 * event loop (Node's thread pool) while the next requests are taken and committed. One fsync covers every
 * commit made before it started; a commit waits for the first fsync that started after it (fdatasync, as
 * SQLite's own; the WAL's folder is fsynced once too, as SQLite does for a WAL it has just made). The same file
 * holds the commits for the connection's life: SQLite rewrites it in place after a checkpoint (the checkpoint
 * syncs it first, then the database file; with NORMAL it syncs the header when it starts reusing it) and
 * removes it only when the last connection closes, after a checkpoint into the synced database file.
 * Should an fsync fail, whether the commits since the last good one are on disk is unknown: every waiting
 * change and every later one is refused with ANVIL_ERR_STATE_NOT_DURABLE, as PostgreSQL stops after a failed
 * fsync, and the server must be restarted (SQLite recovers the file on open).
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AnvilError } from '../errors.js';

/** Flushes the WAL file at `path` to disk (the seam: tests put a slow or failing one in its place). */
export type FileSync = (path: string) => Promise<void>;

/**
 * fdatasync(2) of the file at `path`, in Node's thread pool, as SQLite syncs its files on Linux: the data and
 * what reading it needs (the size), not the times.
 */
export const fdatasyncFile: FileSync = async (path) => {
  const handle = await open(path, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
};

/** fsync(2) of the folder `path` in the thread pool: its entry for a file just made. */
async function fsyncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function syncNow(path: string, sync: (fd: number) => void): void {
  const fd = openSync(path, 'r');
  try {
    sync(fd);
  } finally {
    closeSync(fd);
  }
}

interface Waiter {
  /** The commit count it waits to see durable. */
  readonly mark: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The longest the next fsync waits for the waiters the last one released to come back (their clients' next
 * requests), ms; it waits at most half as long as the last fsync took.
 */
export const MAX_GATHER_MS = 5;

/** Commits counted, fsyncs run, and who waits for which (one per store connection). */
export class Durability {
  /** Commits made on this connection. */
  private committed = 0;
  /** Commits covered by a finished fsync. */
  private durable = 0;
  private syncing = false;
  private scheduled = false;
  /** Set by a failed fsync: the state on disk is unknown from then on. */
  private failure: AnvilError | undefined;
  /** In the order of their marks: each waits for the commits made before it asked. */
  private readonly waiters: Waiter[] = [];
  /** The WAL's folder has not been synced yet (its entry for the file, should SQLite have just made it). */
  private folderSynced = false;
  /** fsyncs finished (the metrics and tests read it). */
  syncs = 0;
  /** Waiters the last fsync released, and how many have come since: as many are expected back soon. */
  private released = 0;
  private arrived = 0;
  /** How long the last fsync took, ms. */
  private lastSyncMs = 0;
  /** Set while the next fsync waits for the released waiters to come back. */
  private gathering: NodeJS.Timeout | undefined;

  /**
   * For the state file at `path` (undefined: `:memory:`, nothing to sync); `sync` flushes a file,
   * in the background (the seam).
   */
  constructor(
    private readonly path: string | undefined,
    private readonly sync: FileSync = fdatasyncFile,
  ) {}

  private get walPath(): string {
    return `${this.path!}-wal`;
  }

  /** Counts a commit just made; its fsync starts once the code that committed it has run (others may join). */
  noteCommit(): void {
    if (this.path === undefined) return;
    this.committed++;
    if (this.scheduled || this.syncing) return;
    this.scheduled = true;
    // After the current turn's other commits (a flush commits several groups): one fsync for all of them.
    queueMicrotask(() => {
      this.scheduled = false;
      this.startSync(false);
    });
  }

  /** Whether some commit is not yet known durable. */
  get pending(): boolean {
    return this.durable < this.committed;
  }

  /** Resolves once every commit made so far is durable (at once when it is); rejects when an fsync failed. */
  whenDurable(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (!this.pending) return Promise.resolve();
    const waiting = new Promise<void>((resolve, reject) => this.waiters.push({ mark: this.committed, resolve, reject }));
    if (++this.arrived >= this.released && this.gathering !== undefined) this.startSync(true);
    return waiting;
  }

  /** Whether an fsync failed (the state on disk is unknown). */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Throws the failure once an fsync failed: no change is taken after one. */
  requireWritable(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Makes every commit so far durable now, blocking (a change of the CLI, or at close): the caller returns
   * with its change on disk, as with `synchronous = FULL`. Throws the coded failure if the fsync fails.
   */
  syncNow(): void {
    if (this.path === undefined || !this.pending) return;
    this.requireWritable();
    const target = this.committed;
    try {
      if (!this.folderSynced) syncNow(dirname(this.walPath), fsyncSync);
      syncNow(this.walPath, fdatasyncSync);
    } catch (e) {
      this.fail(e);
      throw this.failure;
    }
    this.folderSynced = true;
    clearTimeout(this.gathering);
    this.gathering = undefined;
    this.reached(target);
  }

  /**
   * Starts an fsync of the commits so far, unless one runs. Like PostgreSQL's commit_delay, it first waits
   * (unless `now`) until as many waiters have come as the last fsync released, or MAX_GATHER_MS: a server's
   * clients answered together come back together, and one fsync then covers them all. Started at once, it
   * would cover the first few, and the others would wait for it to end and then for their own.
   */
  private startSync(now: boolean): void {
    if (this.syncing || !this.pending || this.failure !== undefined) return;
    if (!now && this.arrived < this.released) {
      this.gathering ??= setTimeout(() => this.startSync(true), Math.min(this.lastSyncMs / 2, MAX_GATHER_MS));
      return;
    }
    clearTimeout(this.gathering);
    this.gathering = undefined;
    this.syncing = true;
    const target = this.committed;
    const started = performance.now();
    const folder = this.folderSynced ? Promise.resolve() : fsyncFolder(dirname(this.walPath));
    folder
      .then(() => this.sync(this.walPath))
      .then(
        () => {
          this.syncing = false;
          this.folderSynced = true;
          this.syncs++;
          this.lastSyncMs = performance.now() - started;
          this.reached(target);
          // Commits made while it ran wait for the next one.
          this.startSync(false);
        },
        (e: unknown) => {
          this.syncing = false;
          this.fail(e);
        },
      );
  }

  /** The commits up to `target` are durable: their waiters go on. */
  private reached(target: number): void {
    if (target > this.durable) this.durable = target;
    let settled = 0;
    while (settled < this.waiters.length && this.waiters[settled]!.mark <= this.durable) settled++;
    for (const waiter of this.waiters.splice(0, settled)) waiter.resolve();
    this.released = settled;
    this.arrived = 0;
  }

  private fail(e: unknown): void {
    if (this.failure !== undefined) return;
    clearTimeout(this.gathering);
    this.gathering = undefined;
    this.failure = new AnvilError(
      'ANVIL_ERR_STATE_NOT_DURABLE',
      `flushing the state file's journal ${this.walPath} to disk failed (${(e as Error).message}): whether the last changes are on disk is unknown, so this process takes no more changes and shows no state; check the disk, then start it again (SQLite recovers the file on open)`,
    );
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }
}
