/**
 * When a commit is on disk. The state file is in WAL mode with `synchronous = NORMAL`: a commit writes its
 * frames to the `-wal` file (the page cache) and returns without an fsync, and this fsyncs that file off the
 * event loop (Node's thread pool) while the next requests are taken and committed. One fsync covers every
 * commit made before it started; a commit waits for the first fsync that started after it (fdatasync, as
 * SQLite's own; the WAL's folder is fsynced once too, as SQLite does for a WAL it has just made). Up to
 * MAX_SYNCS_RUNNING fsyncs run at once: a commit made while one runs starts its own rather than waiting for
 * the running one to end and then for a whole fsync more (on this project's ext4 VM the mean time from
 * commit to durable fell from ~6 ms with one at a time to ~1 ms with up to four in a micro-bench (three are
 * allowed, leaving one of the thread pool's four threads), commits every 0.25 ms: the
 * kernel lets a later fsync ride on the journal commit and disk flush an earlier one started). Each one
 * covers the commits made before it started, whichever ends first. The same file
 * holds the commits for the connection's life: SQLite rewrites it in place after a checkpoint (the checkpoint
 * syncs it first, then the database file; with NORMAL it syncs the header when it starts reusing it) and
 * removes it only when the last connection closes, after a checkpoint into the synced database file; so
 * the file is opened once and kept.
 * Should an fsync fail, whether the commits since the last good one are on disk is unknown: every waiting
 * change and every later one is refused with ANVIL_ERR_STATE_NOT_DURABLE, as PostgreSQL stops after a failed
 * fsync, and the server must be restarted (SQLite recovers the file on open).
 */
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AnvilError } from '../errors.js';

/**
 * fsyncs of the WAL running at once, at most (1 to 4: Node's thread pool has 4 threads by default, and one is
 * left for the server's other file work).
 */
export const MAX_SYNCS_RUNNING = 3;

/** Flushes the WAL file at `path` to disk (the seam: tests put a slow or failing one in its place). */
export type FileSync = (path: string) => Promise<void>;

/**
 * fdatasync(2) of the open file `fd`, in Node's thread pool, as SQLite syncs its files on Linux: the data and
 * what reading it needs (the size), not the times.
 */
function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
}

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

/** Commits counted, fsyncs run, and who waits for which (one per store connection). */
export class Durability {
  /** Commits made on this connection. */
  private committed = 0;
  /** Commits covered by a finished fsync. */
  private durable = 0;
  /** Commits covered by an fsync started (running or finished). */
  private covered = 0;
  /** fsyncs running now (at most MAX_SYNCS_RUNNING). */
  private running = 0;
  private scheduled = false;
  /** Set by a failed fsync: the state on disk is unknown from then on. */
  private failure: AnvilError | undefined;
  /** In the order of their marks: each waits for the commits made before it asked. */
  private readonly waiters: Waiter[] = [];
  /** The WAL's folder has not been synced yet (its entry for the file, should SQLite have just made it). */
  private folderSynced = false;
  /** The background fsync of the WAL's folder, once one started (every first fsync waits for it). */
  private folderSync: Promise<void> | undefined;
  /** fsyncs finished (the metrics and tests read it). */
  syncs = 0;

  /** The WAL, opened at the first fsync and kept: SQLite keeps the same file while this connection is open. */
  private walFd: number | undefined;
  /** Closed (the store was): the fd goes once no fsync runs. */
  private closed = false;

  /**
   * For the state file at `path` (undefined: `:memory:`, nothing to sync); `sync`, if given, flushes the
   * WAL in the background in place of an fdatasync of it (the seam).
   */
  constructor(
    private readonly path: string | undefined,
    private readonly sync?: FileSync,
  ) {}

  private get walPath(): string {
    return `${this.path!}-wal`;
  }

  private get wal(): number {
    this.walFd ??= openSync(this.walPath, 'r');
    return this.walFd;
  }

  /** Lets go of the WAL's file (the store is closed); call after the last `syncNow`. */
  close(): void {
    this.closed = true;
    if (this.running === 0) this.dropWal();
  }

  private dropWal(): void {
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
  }

  /** Counts a commit just made; its fsync starts once the code that committed it has run (others may join). */
  noteCommit(): void {
    if (this.path === undefined) return;
    this.committed++;
    if (this.scheduled) return;
    this.scheduled = true;
    // After the current turn's other commits (a flush commits several groups): one fsync for all of them.
    queueMicrotask(() => {
      this.scheduled = false;
      this.startSync();
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
    return new Promise<void>((resolve, reject) => this.waiters.push({ mark: this.committed, resolve, reject }));
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
      fdatasyncSync(this.wal);
    } catch (e) {
      this.fail(e);
      throw this.failure;
    }
    this.folderSynced = true;
    if (target > this.covered) this.covered = target;
    this.reached(target);
  }

  /** Starts an fsync of every commit so far not covered by one started, unless MAX_SYNCS_RUNNING run (the next to end starts it). */
  private startSync(): void {
    if (this.running >= MAX_SYNCS_RUNNING || this.covered >= this.committed || this.failure !== undefined) return;
    this.running++;
    const target = this.committed;
    this.covered = target;
    const folder = this.folderSynced ? undefined : (this.folderSync ??= fsyncFolder(dirname(this.walPath)));
    const synced = () => (this.sync !== undefined ? this.sync(this.walPath) : datasync(this.wal));
    (folder === undefined ? synced() : folder.then(synced)).then(
      () => {
        if (this.ended()) return;
        this.folderSynced = true;
        this.syncs++;
        this.reached(target);
        // Commits made while the running ones were started wait for this next one.
        this.startSync();
      },
      (e: unknown) => {
        if (!this.ended()) this.fail(e);
      },
    );
  }

  /** An fsync ended: whether the store was closed meanwhile (the WAL's fd goes once none runs). */
  private ended(): boolean {
    this.running--;
    if (!this.closed) return false;
    if (this.running === 0) this.dropWal();
    return true;
  }

  /** The commits up to `target` are durable: their waiters go on. */
  private reached(target: number): void {
    if (target > this.durable) this.durable = target;
    let settled = 0;
    while (settled < this.waiters.length && this.waiters[settled]!.mark <= this.durable) settled++;
    for (const waiter of this.waiters.splice(0, settled)) waiter.resolve();
  }

  private fail(e: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = new AnvilError(
      'ANVIL_ERR_STATE_NOT_DURABLE',
      `flushing the state file's journal ${this.walPath} to disk failed (${(e as Error).message}): whether the last changes are on disk is unknown, so this process takes no more changes and shows no state; check the disk, then start it again (SQLite recovers the file on open)`,
    );
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }
}
