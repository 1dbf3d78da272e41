/**
 * Control-plane state in SQLite (better-sqlite3, WAL): one document per object, an events table and an
 * audit log. Every change runs in one IMMEDIATE transaction: load, change through `ControlPlane`, check
 * the invariants, write what differs, log who did what; any error rolls it all back (the rules of a change,
 * shared with the in-memory store, are `change-rules.ts`). The server's changes are group-committed
 * (`changeInGroup`): those asked for at once share one transaction and one fsync, each in its own savepoint,
 * the invariants checked on the state the group leaves. A commit does not fsync: durability.ts flushes the WAL
 * (off the event loop for grouped changes) and a change is acknowledged only once on disk. Time comes from
 * an injectable clock. The file is opened by state-file.ts; the SQL of its tables is store-tables.ts.
 */
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AnvilError } from '../errors.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { wallClock, type Clock } from '../domain/clock.js';
import { ControlPlane } from '../domain/control-plane.js';
import type { ClusterEvent } from '../domain/event.js';
import type { Actor } from '../domain/tenancy.js';
import type { SchedulingSession } from '../domain/scheduling-session.js';
import { requireInvariants, runThrough, stepThrough, type TrackedDocuments } from './change-rules.js';
import { ChangeGroups, type PendingChange } from './change-groups.js';
import { CommitNotices } from './commit-notices.js';
import { Durability, type FileSync } from './durability.js';
import type { AuditEntry, ControlPlaneStore, EventQuery } from './control-plane-store.js';
import { warnIfOpenToOthers } from './file-modes.js';
import { openStateDatabase } from './state-file.js';
import type { Revisions, ObjectRevisions } from './revisions.js';
import { upgradeSchema } from './schema-upgrade.js';
import { WalIndexHeader } from './wal-index-header.js';
import { StoreTables, type RevisedEvent, type StoredPlacementDecision } from './store-tables.js';

export { defaultStatePath } from './state-file.js';

/** Kept here too: the CLI and the API tests name the audit row by this file. */
export type { AuditEntry, EventQuery } from './control-plane-store.js';

interface LoadedState {
  readonly state: ClusterState;
  /** What each stored document is, and the object it was last loaded as or written from. */
  readonly tracked: TrackedDocuments;
  /** SQLite's data_version when loaded: it changes when another connection commits. */
  readonly version: number;
  /** The global revision and each document's, kept up to date by this connection's changes. */
  readonly revisions: Revisions;
}

export type { RevisedEvent } from './store-tables.js';

/** The control plane's state in a SQLite file: what the CLI and `anvil serve` use. */
export class Store implements ControlPlaneStore {
  private readonly db: Database.Database;
  /** The state file (':memory:' for none). */
  private readonly path: string;
  /** The SQL of the objects, events, audit and revision tables. */
  private readonly tables: StoreTables;

  /** When this connection's commits are on disk (durability.ts): the store fsyncs the WAL itself. */
  private readonly durability: Durability;

  private constructor(
    db: Database.Database,
    private readonly clock: Clock,
    path: string,
    sync: FileSync | undefined,
  ) {
    this.db = db;
    this.path = path;
    this.durability = new Durability(path === ':memory:' ? undefined : path, sync);
    this.tables = new StoreTables(db);
    this.readTransaction = db.transaction((fn: (state: ClusterState) => unknown) => this.readInTransaction(fn));
    this.groups = new ChangeGroups(
      db,
      {
        runChange: (change) => this.runChange(change),
        checkGroup: (action, target) => requireInvariants(this.current().state, action, target),
        forgetState: () => {
          // A change of the group that failed before touching the state leaves the cache as it is (runChange).
          if (!this.failedUntouched) this.cache = undefined;
          this.failedUntouched = false;
        },
      },
      this.durability,
    );
  }

  now(): Date {
    return this.clock();
  }

  /**
   * Opens (creating if needed) the state file at `path` and brings its schema up to date. The folder
   * must exist, unless `createFolder` (the default path's folder is made on first use, 0700). A new file is
   * made 0600; an existing state file open to other users gets a warning on stderr (warnIfOpenToOthers).
   * `sync` flushes the WAL to disk (durability.ts; tests put a slow or failing one in its place).
   */
  static open(path: string, clock: Clock = wallClock, createFolder = false, sync?: FileSync): Store {
    const { db, created } = openStateDatabase(path, createFolder);
    const store = new Store(db, clock, path, sync);
    try {
      upgradeSchema(db, clock, () => store.durability.noteCommit());
      store.durability.syncNow();
    } catch (e) {
      store.walHeader?.close();
      db.close();
      if (e instanceof AnvilError) throw e;
      throw new AnvilError(
        'ANVIL_ERR_STATE',
        `${path} is not an Anvil state file (${(e as Error).message}); point --state or ANVIL_STATE at another path`,
      );
    }
    if (path !== ':memory:' && !created) warnIfOpenToOthers(path, createFolder ? dirname(path) : undefined);
    return store;
  }

  /** The schema version the file is at. */
  schemaVersion(): number {
    return (this.db.prepare('SELECT max(version) AS v FROM migrations').get() as { v: number }).v;
  }

  /**
   * The state as last loaded or committed by this connection, with what each document was, so a change
   * writes only what differs. It is reused while SQLite's `data_version` says no other connection has
   * committed since (a long-running server then never re-reads the file); any failed change drops it.
   */
  private cache: LoadedState | undefined;

  /** Prepared once: `db.pragma()` prepares its statement on every call, and every read asks this. */
  private dataVersionStatement: Database.Statement | undefined;

  /**
   * The file's WAL-index header, whose bytes tell without SQLite that nothing was committed since it was last
   * asked: opened after SQLite was first asked (a new file has no `-shm` until a read); undefined where there is none.
   */
  private walHeader: WalIndexHeader | undefined;
  private walHeaderTried = false;
  /** data_version as SQLite last answered it, just after `walHeader.remember()`. */
  private lastDataVersion = 0;
  /** How many times SQLite was asked for data_version (the tests: reads with nothing committed ask it none). */
  dataVersionQueries = 0;

  /** SQLite's data_version; counts a check (`checks`) when it finds the state held current. */
  private dataVersion(): number {
    let version = this.lastDataVersion;
    if (this.walHeader?.unchanged() !== true) {
      this.walHeader?.remember();
      this.dataVersionStatement ??= this.db.prepare('PRAGMA data_version').pluck();
      version = this.lastDataVersion = this.dataVersionStatement.get() as number;
      this.dataVersionQueries++;
      if (!this.walHeaderTried) {
        this.walHeaderTried = true;
        // Read after SQLite answered: a commit between that answer and this read is told by the next one.
        this.walHeader = WalIndexHeader.of(this.path);
        this.walHeader?.remember();
        if (this.walHeader !== undefined) version = this.lastDataVersion = this.dataVersionStatement.get() as number;
      }
    }
    if (this.cache !== undefined && this.cache.version === version) this.checks++;
    return version;
  }

  /** The current state; call inside a transaction so nobody commits between the check and the use. */
  private current(): LoadedState {
    const version = this.dataVersion();
    if (this.cache !== undefined && this.cache.version === version) return this.cache;
    this.cache = { ...this.tables.loadObjects(), version };
    this.checks++;
    return this.cache;
  }

  /**
   * How many times this connection found, asking SQLite whether another connection committed, the state it
   * holds current (or read it afresh): each read and change asks, as does the token cache (besideStamp).
   * After each, the state held (`cache`, when set) is the file's as of that moment plus this connection's
   * own commits since: a failed change drops it, and only this connection's changes edit it.
   */
  private checks = 0;

  /**
   * A mark to give `readStateAfter`: taken when a request arrives, before anything of it is read. Asking
   * SQLite costs a read transaction, two fcntl locks on the WAL index: three a request (the token, the
   * roles, the answer) were a third of an authenticated small read's server time.
   */
  checkMark(): number {
    return this.checks;
  }

  /**
   * `read` for a function that reads only the state it is given (no SQL: the objects in memory), without
   * asking SQLite again when it was asked after `mark` (checkMark) was taken and the state then held is
   * still held. The answer is then the file's state as of that later check, plus this connection's own
   * commits since: a commit by another process before `mark` was taken is always seen (as `read` sees it);
   * one after it is concurrent with the request. Otherwise it is `read`.
   */
  readStateAfter<T>(mark: number, fn: (state: ClusterState, revisions: ObjectRevisions) => T): T {
    if (this.checks > mark && this.cache !== undefined) return this.readLoaded(this.cache, fn) as T;
    return this.read(fn);
  }

  /**
   * A read's transaction, made once: better-sqlite3 builds a transaction function's variants each time one
   * is made, which a server answering thousands of reads a second would pay on every one.
   */
  private readonly readTransaction: Database.Transaction<(fn: (state: ClusterState, revisions: ObjectRevisions) => unknown) => unknown>;

  private readInTransaction(fn: (state: ClusterState, revisions: ObjectRevisions) => unknown): unknown {
    return this.readLoaded(this.current(), fn);
  }

  private readLoaded(loaded: LoadedState, fn: (state: ClusterState, revisions: ObjectRevisions) => unknown): unknown {
    const result = fn(loaded.state, loaded.revisions);
    // ANVIL_STORE_VERIFY: a read must leave the cached state as it found it.
    const touched = loaded.tracked.touchedBy(loaded.state);
    if (touched !== undefined) {
      this.cache = undefined;
      throw new Error(touched);
    }
    return result;
  }

  /** A read-only look at the state, with the revision it is at and each object's (see revisions.ts). */
  read<T>(fn: (state: ClusterState, revisions: ObjectRevisions) => T): T {
    return this.readTransaction.deferred(fn) as T;
  }

  /** The global revision: the last committed change's (this connection's or another's). */
  revision(): number {
    return this.read((_, revisions) => revisions.current);
  }

  private readonly notices = new CommitNotices();

  /**
   * Calls `listener` soon after changes of this connection commit (once for those of one turn of the event
   * loop); a change that then rolled back may call it too, so a listener reads the state to see what is
   * new. Changes by other connections are not seen here: compare `revision()` for those. Returns the unsubscribe.
   * What a listener sends out waits for `whenDurable()`: it may read a commit not yet on disk.
   */
  onCommit(listener: () => void): () => void {
    return this.notices.add(listener);
  }

  /**
   * One change, in one transaction: `fn` changes the state through the control plane; the invariants are
   * checked, the differences written, the events and an audit row (`action` on `target` by `actor`) added.
   * The audit log speaks one way, the CLI's and the API's alike: `action` is `VERB KIND` and `target`
   * `KIND/NAMESPACE/NAME` or `KIND/NAME`, KIND plural as `anvil get` names it (`create volumes` on
   * `volumes/default/data`, `drain nodes` on `nodes/node1`, `set quotas` on `quotas/team-a`).
   */
  change<T>(actor: Actor, action: string, target: string, fn: (cp: ControlPlane) => T): T {
    const result = this.changeCommitted(actor, action, target, fn);
    this.madeDurable();
    return result;
  }

  /**
   * `change`, returning once committed, before it is durable: the WAL is fsynced in the background
   * (durability.ts) and the event loop goes on meanwhile. The caller, or whoever tells of the change, waits for
   * `whenDurable()` first: the server's answers do (api/durable-answers.ts), as do its binds in Kubernetes.
   */
  changeHeld<T>(actor: Actor, action: string, target: string, fn: (cp: ControlPlane) => T): T {
    const result = this.changeCommitted(actor, action, target, fn);
    this.durability.noteCommit();
    return result;
  }

  private changeCommitted<T>(actor: Actor, action: string, target: string, fn: (cp: ControlPlane) => T): T {
    this.durability.requireWritable();
    let untouched = false;
    try {
      return this.db
        .transaction(() => {
          const loaded = this.current();
          const cp = new ControlPlane(loaded.state, actor, this.clock);
          const changed = this.runUntilCommit(
            loaded,
            () => fn(cp),
            (same) => (untouched = same),
          );
          this.commit(loaded, cp, actor, action, target);
          return changed;
        })
        .immediate();
    } catch (e) {
      // The cached state may hold half of the failed change: the next call reads the file again, unless the
      // change failed before it touched the state (a refusal: no room, a name taken), which costs no reload.
      if (!untouched) this.cache = undefined;
      throw e;
    }
  }

  /** Set by a change of a group that failed before it touched the state; the group's `forgetState` reads it. */
  private failedUntouched = false;

  /**
   * Runs a change's function on the cached state; if it throws, tells `failed` whether the state is as it
   * was: no map set or deleted in, the same cluster, the counters (edited in place) equal. Reloading all the
   * objects after every refusal cost ~0.45 s at 41,000 volumes, on the event loop.
   */
  private runUntilCommit<T>(loaded: LoadedState, fn: () => T, failed: (untouched: boolean) => void): T {
    const state = loaded.state;
    const cluster = state.cluster;
    const counters = JSON.stringify(state.counters);
    try {
      return fn();
    } catch (e) {
      failed(!state.changedSinceTaken && state.cluster === cluster && JSON.stringify(state.counters) === counters);
      throw e;
    }
  }

  /** A change outside the groups returns with it (and all before it) on disk, blocking as FULL did. */
  private madeDurable(): void {
    this.durability.noteCommit();
    this.durability.syncNow();
  }

  /**
   * Makes every commit of this connection so far durable now, blocking the event loop (what is about to be
   * told outside the server's answers, as the first admin token printed on stdout). Throws after a failed fsync.
   */
  durableNow(): void {
    this.durability.syncNow();
  }

  /** Resolves once every commit of this connection so far is on disk (at once if none waits); rejects after a failed fsync. */
  whenDurable(): Promise<void> {
    return this.durability.whenDurable();
  }

  /** Whether a commit of this connection waits for its fsync (`whenDurable` would wait). */
  get durabilityPending(): boolean {
    return this.durability.pending;
  }

  private readonly groups: ChangeGroups;

  /**
   * One change as `change` runs it, committed with the others asked for meanwhile in one transaction (group
   * commit, change-groups.ts); the promise resolves once the group is durable. A change that fails rejects
   * alone with its own error; the others of its group still commit.
   */
  changeInGroup<T>(actor: Actor, action: string, target: string, fn: (cp: ControlPlane) => T): Promise<T> {
    return this.groups.add<T>({ actor, action, target, fn });
  }

  /** `changeInGroup` settled at commit, before the fsync: its caller holds what it tells until `whenDurable()` (the server's answers). */
  changeInGroupHeld<T>(actor: Actor, action: string, target: string, fn: (cp: ControlPlane) => T): Promise<T> {
    return this.groups.addHeld<T>({ actor, action, target, fn });
  }

  /** Groups committed so far (each one transaction). */
  get groupsCommitted(): number {
    return this.groups.committed;
  }

  /**
   * The scheduler's view the last grouped change left, with the state and its scheduling version it is
   * current for: the next grouped change uses it rather than building its own while both still hold (pods
   * created through the API share one view, as the pods of one apply do). Any other change of what a view
   * is made of (a change outside the groups included) moves the version on, and the view is built afresh.
   */
  private groupScheduling: { state: ClusterState; version: number; session: SchedulingSession } | undefined;

  /**
   * A change of a group, inside the group's transaction (in its own savepoint); the group checks the
   * invariants. It is handed the view the group's earlier changes kept current, if the state is still the
   * one it was built on (a failed change drops it: the state is read again) and nothing it is made of
   * changed outside it; it keeps, in turn, the view it ends with (the services keep the view they use
   * current, as they do for the several objects of one change), its walks restarted as on a new view.
   */
  private runChange(change: PendingChange): unknown {
    const loaded = this.current();
    const cp = new ControlPlane(loaded.state, change.actor, this.clock);
    const kept = this.groupScheduling;
    this.groupScheduling = undefined;
    const current = (view: typeof kept) =>
      view !== undefined && view.state === loaded.state && view.version === loaded.state.schedulingVersion;
    if (current(kept)) {
      // As a view built for this change: a change's outcome does not depend on which changes shared its group.
      kept!.session.scheduler.restartWalks();
      cp.ctx.useScheduling(kept!.session);
    }
    this.failedUntouched = false;
    const result = this.runUntilCommit(
      loaded,
      () => change.fn(cp),
      (same) => (this.failedUntouched = same),
    );
    this.commit(loaded, cp, change.actor, change.action, change.target, false);
    const held = cp.ctx.heldScheduling();
    if (held !== undefined) this.groupScheduling = { state: loaded.state, version: loaded.state.schedulingVersion, session: held };
    else if (current(kept)) this.groupScheduling = kept;
    return result;
  }

  /** Checks the invariants of the changed state and writes it, its events and the audit row (inside a transaction). */
  private commit(loaded: LoadedState, cp: ControlPlane, actor: Actor, action: string, target: string, checkInvariants = true): void {
    // A change of a group leaves them to the group (runGroup).
    if (checkInvariants) requireInvariants(loaded.state, action, target);
    // In this change's transaction: a rolled-back change (or group member) leaves the revision as it was.
    const revision = this.tables.statements().bump.get() as number;
    loaded.revisions.current = revision;
    this.tables.insertPlacementDecisions(cp.ctx.placementDecisions, revision);
    const changes = loaded.tracked.writeDifferences(loaded.state, this.tables.documentWriter(loaded.revisions));
    this.tables.insertEvents(cp.ctx.events, revision);
    this.notices.notify();
    this.tables.statements().audit.run(this.clock().toISOString(), actor.user, action, target, changes);
    this.generation++;
  }

  /** Bumped by every change this connection commits (SQLite's data_version counts only other connections'). */
  private generation = 0;

  /**
   * How many changes this connection has committed. With the state object a read is given, it names the
   * state exactly: the object is replaced when the file is read again (another connection committed, a
   * change failed) and edited in place only by a change of this connection, which bumps this count. So a
   * view derived from the state (the extender's scheduling view) is current while both are the same.
   */
  changesCommitted(): number {
    return this.generation;
  }

  /**
   * One change worked out in steps, so that a large one (an apply of thousands of pods) does not hold the
   * event loop: `steps` yields between units of work and the event loop runs every few of them
   * (`stepThrough`; the server answers /healthz meanwhile). It works on a copy of the state, so reads in between see
   * the state before it; it then commits in one transaction if nothing else committed meanwhile, else it
   * starts again from the new state (and after a few such tries runs in one go, as `change` does).
   */
  async changeInSteps<T>(actor: Actor, action: string, target: string, steps: (cp: ControlPlane) => Iterator<unknown, T>): Promise<T> {
    this.durability.requireWritable();
    for (let attempt = 0; attempt < 3; attempt++) {
      const base = this.db.transaction(() => this.current()).deferred();
      const generation = this.generation;
      const cp = new ControlPlane(base.state.clone(), actor, this.clock);
      const result = await stepThrough(steps(cp));
      try {
        const committed = this.db
          .transaction(() => {
            // Another change committed while this one was worked out: it is worked out again on the new state.
            if (this.current() !== base || this.generation !== generation) return false;
            this.commit({ ...base, state: cp.state }, cp, actor, action, target);
            return true;
          })
          .immediate();
        if (!committed) continue;
        // The committed copy is the state now; `commit` brought the documents of `base` up to date with it.
        this.cache = { ...base, state: cp.state };
      } catch (e) {
        this.cache = undefined;
        throw e;
      }
      // Resolved once on disk, its fsync off the event loop (the server answers others meanwhile).
      this.durability.noteCommit();
      await this.durability.whenDurable();
      return result;
    }
    return this.change(actor, action, target, (cp) => runThrough(steps(cp)));
  }

  /** The newest `limit` events (negative: all) with their ids and revisions, oldest first. */
  revisedEvents(limit: number): RevisedEvent[] {
    return this.tables.revisedEvents(limit);
  }

  /** The scheduler's decision stored for pod `namespace/name`, if any (inside `read`: the same snapshot). */
  placementDecision(namespace: string, name: string): StoredPlacementDecision | undefined {
    return this.tables.placementDecision(namespace, name);
  }

  /** A read of a table kept beside the objects (the API tokens), on this connection. */
  readBeside<T>(fn: (db: Database.Database) => T): T {
    return fn(this.db);
  }

  /**
   * A change to a table kept beside the objects (the API tokens), on this connection in one IMMEDIATE
   * transaction with the audit rows `fn` records as `actor`: the change and its audit commit together.
   * Returns with it on disk, unless `held` (then as `changeHeld`: the caller holds what it tells until `whenDurable()`).
   */
  changeBeside<T>(
    actor: string,
    fn: (db: Database.Database, audit: (action: string, target: string, changes: number) => void) => T,
    held = false,
  ): T {
    const audit = this.tables.statements().audit;
    this.durability.requireWritable();
    let result: T;
    try {
      result = this.db
        .transaction(() => fn(this.db, (action, target, changes) => audit.run(this.clock().toISOString(), actor, action, target, changes)))
        .immediate();
    } finally {
      this.besideChanges++;
    }
    // `held`: returns committed, its fsync in the background, as `changeHeld` (the server's token changes).
    if (held) this.durability.noteCommit();
    else this.madeDurable();
    return result;
  }

  /** Bumped by every change of a table beside the objects on this connection (committed or not). */
  private besideChanges = 0;

  /**
   * Names the tables beside the objects (the API tokens) as they are: it changes when this connection
   * changes them (`changeBeside`) and when another connection commits anything. What is derived from them
   * (the token cache) holds while it is the same.
   */
  besideStamp(): string {
    return `${this.dataVersion()}:${this.besideChanges}`;
  }

  /** Newest last; at most `limit` (default 50, as the appliance). */
  events(query: EventQuery = {}): ClusterEvent[] {
    return this.tables.events(query);
  }

  audit(limit = 100): AuditEntry[] {
    return this.tables.audit(limit);
  }

  /** SQLite's own integrity check: "ok" when sound. */
  integrityCheck(): string {
    return this.tables.integrityCheck();
  }

  /** Commits the changes waiting for their group first, and returns with every commit on disk (unless an fsync failed). */
  close(): void {
    try {
      this.groups.flush();
      if (!this.durability.failed) this.durability.syncNow();
    } finally {
      this.durability.close();
      this.walHeader?.close();
      this.db.close();
    }
  }
}
