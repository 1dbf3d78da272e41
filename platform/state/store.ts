/**
 * Control-plane state in SQLite (better-sqlite3, WAL): one document per object, an events table and an
 * audit log. Every change runs in one IMMEDIATE transaction: load, change through `ControlPlane`, check
 * the invariants, write what differs, log who did what; any error rolls it all back. Time comes from an
 * injectable clock.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { AnvilError } from '../errors.js';
import { ClusterState, type StoredObject } from '../domain/cluster-state.js';
import type { Clock } from '../domain/context.js';
import { ControlPlane } from '../domain/control-plane.js';
import type { ClusterEvent, Severity } from '../domain/event.js';
import { invariantViolations } from '../domain/invariants.js';
import type { Actor } from '../domain/tenancy.js';
import { prepareStateFile, warnIfOpenToOthers } from './file-modes.js';
import { MIGRATIONS } from './migrations.js';

/** Where the state lives when neither --state nor ANVIL_STATE says: $XDG_STATE_HOME/anvil/state.db. */
export function defaultStatePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ANVIL_STATE) return env.ANVIL_STATE;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'anvil', 'state.db');
}

export interface AuditEntry {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly changes: number;
}

interface LoadedState {
  readonly state: ClusterState;
  /** Each stored document's JSON, by kind and key. */
  readonly docs: Map<string, string>;
  /** The object each document was last loaded as or written from. */
  readonly refs: Map<string, StoredObject>;
  /** SQLite's data_version when loaded: it changes when another connection commits. */
  readonly version: number;
  /** With ANVIL_STORE_VERIFY=1 (the tests): each object's JSON when loaded or written, to catch edits in place. */
  readonly asLoaded: Map<string, string> | undefined;
}

/** Set in the tests: unchanged-looking objects are checked against their JSON (slower). */
const VERIFY = process.env.ANVIL_STORE_VERIFY === '1';

/** Units of work (pods of an apply) `changeInSteps` does between two turns of the event loop. */
const STEPS_PER_TURN = 50;

const documentId = (kind: string, key: string) => `${kind}\u0000${key}`;

export interface EventQuery {
  limit?: number;
  severity?: Severity;
  object?: string;
}

export class Store {
  private readonly db: Database.Database;
  /** Statements every change runs, prepared once (after the schema is up to date). */
  private writes: { upsert: Database.Statement; remove: Database.Statement; event: Database.Statement; audit: Database.Statement } | undefined;

  private constructor(db: Database.Database, private readonly clock: Clock) {
    this.db = db;
  }

  /**
   * Opens (creating if needed) the state file at `path` and brings its schema up to date. The folder
   * must exist, unless `createFolder` (the default path's folder is made on first use, 0700). A new file is
   * made 0600; an existing state file open to other users gets a warning on stderr (warnIfOpenToOthers).
   */
  static open(path: string, clock: Clock = () => new Date(), createFolder = false): Store {
    let db: Database.Database;
    let created = false;
    if (path !== ':memory:' && !existsSync(dirname(path))) {
      if (!createFolder) throw new AnvilError('ANVIL_ERR_STATE', `cannot open state file ${path}: its folder ${dirname(path)} does not exist; create it or choose another --state`);
    }
    try {
      if (path !== ':memory:') created = prepareStateFile(path, createFolder);
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      // FULL: an acknowledged change is on disk before the command returns.
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 10000');
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_STATE', `cannot open state file ${path}: ${(e as Error).message}; check the path (--state or ANVIL_STATE) and its permissions`);
    }
    const store = new Store(db, clock);
    try {
      store.migrate();
    } catch (e) {
      db.close();
      if (e instanceof AnvilError) throw e;
      throw new AnvilError('ANVIL_ERR_STATE', `${path} is not an Anvil state file (${(e as Error).message}); point --state or ANVIL_STATE at another path`);
    }
    if (path !== ':memory:' && !created) warnIfOpenToOthers(path, createFolder ? dirname(path) : undefined);
    return store;
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const row = this.db.prepare('SELECT max(version) AS v FROM migrations').get() as { v: number | null };
    const current = row.v ?? 0;
    const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    if (current > latest) throw new AnvilError('ANVIL_ERR_STATE', `the state file has schema version ${current}, newer than this build's ${latest}; upgrade Anvil`);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, this.clock().toISOString());
      }).immediate();
    }
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

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** The current state; call inside a transaction so nobody commits between the check and the use. */
  private current(): LoadedState {
    const version = this.dataVersion();
    if (this.cache !== undefined && this.cache.version === version) return this.cache;
    const state = new ClusterState();
    const docs = new Map<string, string>();
    const refs = new Map<string, StoredObject>();
    for (const row of this.db.prepare('SELECT kind, key, doc FROM objects').iterate() as IterableIterator<{ kind: string; key: string; doc: string }>) {
      state.load(row.kind, row.key, JSON.parse(row.doc) as StoredObject);
      docs.set(documentId(row.kind, row.key), row.doc);
    }
    state.afterLoad();
    const asLoaded = VERIFY ? new Map<string, string>() : undefined;
    for (const [kind, key, obj] of state.documents()) {
      refs.set(documentId(kind, key), obj);
      asLoaded?.set(documentId(kind, key), JSON.stringify(obj));
    }
    this.cache = { state, docs, refs, version, asLoaded };
    return this.cache;
  }

  /** A read-only look at the state. */
  read<T>(fn: (state: ClusterState) => T): T {
    return this.db.transaction(() => {
      const loaded = this.current();
      const result = fn(loaded.state);
      if (loaded.asLoaded) this.checkUntouched(loaded);
      return result;
    }).deferred();
  }

  /** ANVIL_STORE_VERIFY: a read must leave the cached state as it found it. */
  private checkUntouched(loaded: LoadedState): void {
    let count = 0;
    for (const [kind, key, obj] of loaded.state.documents()) {
      const id = documentId(kind, key);
      count++;
      if (loaded.refs.get(id) !== obj || loaded.asLoaded!.get(id) !== JSON.stringify(obj)) {
        this.cache = undefined;
        throw new Error(`store: a read changed ${kind} ${key}; reads must not change the state`);
      }
    }
    if (count !== loaded.refs.size) {
      this.cache = undefined;
      throw new Error('store: a read added or removed objects; reads must not change the state');
    }
  }

  /**
   * One change, in one transaction: `fn` changes the state through the control plane; the invariants are
   * checked, the differences written, the events and an audit row (`action` on `target` by `actor`) added.
   * The audit log speaks one way, the CLI's and the API's alike: `action` is `VERB KIND` and `target`
   * `KIND/NAMESPACE/NAME` or `KIND/NAME`, KIND plural as `anvil get` names it (`create volumes` on
   * `volumes/default/data`, `drain nodes` on `nodes/node1`, `set quotas` on `quotas/team-a`).
   */
  change<T>(actor: Actor, action: string, target: string, fn: (cp: ControlPlane) => T): T {
    try {
      return this.db.transaction(() => {
        const loaded = this.current();
        const cp = new ControlPlane(loaded.state, actor, this.clock);
        const result = fn(cp);
        this.commit(loaded, cp, actor, action, target);
        return result;
      }).immediate();
    } catch (e) {
      // The cached state may hold half of the failed change: the next call reads the file again.
      this.cache = undefined;
      throw e;
    }
  }

  /** Checks the invariants of the changed state and writes it, its events and the audit row (inside a transaction). */
  private commit(loaded: LoadedState, cp: ControlPlane, actor: Actor, action: string, target: string): void {
    const broken = invariantViolations(loaded.state);
    if (broken.length > 0) throw new Error(`change ${action} ${target} would break invariants: ${broken.slice(0, 5).join('; ')}`);
    const changes = this.writeDifferences(loaded);
    this.insertEvents(cp.ctx.events);
    this.statements().audit.run(this.clock().toISOString(), actor.user, action, target, changes);
    this.generation++;
  }

  /** Bumped by every change this connection commits (SQLite's data_version counts only other connections'). */
  private generation = 0;

  /**
   * One change worked out in steps, so that a large one (an apply of thousands of pods) does not hold the
   * event loop: `steps` yields between units of work and the event loop runs every `STEPS_PER_TURN` of
   * them (the server answers /healthz meanwhile). It works on a copy of the state, so reads in between see
   * the state before it; it then commits in one transaction if nothing else committed meanwhile, else it
   * starts again from the new state (and after a few such tries runs in one go, as `change` does).
   */
  async changeInSteps<T>(actor: Actor, action: string, target: string, steps: (cp: ControlPlane) => Iterator<unknown, T>): Promise<T> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const base = this.db.transaction(() => this.current()).deferred();
      const generation = this.generation;
      const cp = new ControlPlane(base.state.clone(), actor, this.clock);
      const it = steps(cp);
      let step = it.next();
      for (let n = 1; !step.done; n++) {
        if (n % STEPS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
        step = it.next();
      }
      const result = step.value;
      try {
        const committed = this.db.transaction(() => {
          // Another change committed while this one was worked out: it is worked out again on the new state.
          if (this.current() !== base || this.generation !== generation) return false;
          this.commit({ ...base, state: cp.state }, cp, actor, action, target);
          return true;
        }).immediate();
        if (!committed) continue;
        // The committed copy is the state now; `commit` brought the documents of `base` up to date with it.
        this.cache = { ...base, state: cp.state };
        return result;
      } catch (e) {
        this.cache = undefined;
        throw e;
      }
    }
    return this.change(actor, action, target, (cp) => {
      const it = steps(cp);
      let step = it.next();
      while (!step.done) step = it.next();
      return step.value;
    });
  }

  /**
   * Writes the documents that differ from what was stored and brings `loaded` up to date; returns how many.
   * The domain replaces objects rather than editing them (their fields are readonly), so an object still
   * identical to the stored one is unchanged; the counters are edited in place and always compared.
   */
  private writeDifferences(loaded: LoadedState): number {
    const { upsert, remove } = this.statements();
    let changes = 0;
    const seen = new Set<string>();
    const added = new Set<string>();
    for (const [kind, key, obj] of loaded.state.documents()) {
      const id = documentId(kind, key);
      seen.add(id);
      const same = kind !== 'Counters' && loaded.refs.get(id) === obj;
      if (same) {
        // Tests set ANVIL_STORE_VERIFY=1: an object edited in place would be caught here, not lost.
        if (loaded.asLoaded && loaded.asLoaded.get(id) !== JSON.stringify(obj)) throw new Error(`store: ${kind} ${key} was edited in place; the domain must replace objects it changes`);
        continue;
      }
      const doc = JSON.stringify(obj);
      loaded.refs.set(id, obj);
      loaded.asLoaded?.set(id, doc);
      if (loaded.docs.get(id) === doc) continue;
      upsert.run(kind, key, doc);
      if (!loaded.docs.has(id)) added.add(kind);
      loaded.docs.set(id, doc);
      changes++;
    }
    for (const id of [...loaded.docs.keys()]) {
      if (seen.has(id)) continue;
      const [kind, key] = id.split('\u0000') as [string, string];
      remove.run(kind, key);
      loaded.docs.delete(id);
      loaded.refs.delete(id);
      loaded.asLoaded?.delete(id);
      changes++;
    }
    for (const kind of added) loaded.state.sortByKey(kind);
    return changes;
  }

  private statements(): NonNullable<Store['writes']> {
    this.writes ??= {
      upsert: this.db.prepare('INSERT INTO objects (kind, key, doc) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc'),
      remove: this.db.prepare('DELETE FROM objects WHERE kind = ? AND key = ?'),
      event: this.db.prepare('INSERT INTO events (at, severity, reason, object, message) VALUES (?, ?, ?, ?, ?)'),
      audit: this.db.prepare('INSERT INTO audit (at, actor, action, target, changes) VALUES (?, ?, ?, ?, ?)'),
    };
    return this.writes;
  }

  private insertEvents(events: readonly ClusterEvent[]): void {
    const insert = this.statements().event;
    for (const e of events) insert.run(e.at, e.severity, e.reason, e.object, e.message);
  }

  /** A read of a table kept beside the objects (the API tokens), on this connection. */
  readBeside<T>(fn: (db: Database.Database) => T): T {
    return fn(this.db);
  }

  /**
   * A change to a table kept beside the objects (the API tokens), on this connection in one IMMEDIATE
   * transaction with the audit rows `fn` records as `actor`: the change and its audit commit together.
   */
  changeBeside<T>(actor: string, fn: (db: Database.Database, audit: (action: string, target: string, changes: number) => void) => T): T {
    const audit = this.statements().audit;
    return this.db.transaction(() => fn(this.db, (action, target, changes) => audit.run(this.clock().toISOString(), actor, action, target, changes))).immediate();
  }

  /** Newest last; at most `limit` (default 50, as the appliance). */
  events(query: EventQuery = {}): ClusterEvent[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.severity) {
      where.push('severity = ?');
      args.push(query.severity);
    }
    if (query.object) {
      where.push('object LIKE ?');
      args.push(`%${query.object}%`);
    }
    const sql = `SELECT at, severity, reason, object, message FROM (SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?) ORDER BY id`;
    return this.db.prepare(sql).all(...args, query.limit ?? 50) as ClusterEvent[];
  }

  audit(limit = 100): AuditEntry[] {
    return this.db.prepare('SELECT at, actor, action, target, changes FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id').all(limit) as AuditEntry[];
  }

  /** SQLite's own integrity check: "ok" when sound. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  }

  close(): void {
    this.db.close();
  }
}
