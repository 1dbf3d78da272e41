/**
 * Control-plane state in SQLite (better-sqlite3, WAL): one document per object, an events table and an
 * audit log. Every change runs in one IMMEDIATE transaction: load, change through `ControlPlane`, check
 * the invariants, write what differs, log who did what; any error rolls it all back. Time comes from an
 * injectable clock.
 */
import { existsSync, mkdirSync } from 'node:fs';
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

export interface EventQuery {
  limit?: number;
  severity?: Severity;
  object?: string;
}

export class Store {
  private readonly db: Database.Database;

  private constructor(db: Database.Database, private readonly clock: Clock) {
    this.db = db;
  }

  /**
   * Opens (creating if needed) the state file at `path` and brings its schema up to date. The folder
   * must exist, unless `createFolder` (the default path's folder is made on first use).
   */
  static open(path: string, clock: Clock = () => new Date(), createFolder = false): Store {
    let db: Database.Database;
    if (path !== ':memory:' && !existsSync(dirname(path))) {
      if (!createFolder) throw new AnvilError('ANVIL_ERR_STATE', `cannot open state file ${path}: its folder ${dirname(path)} does not exist; create it or choose another --state`);
    }
    try {
      if (createFolder && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
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

  private loadState(): { state: ClusterState; before: Map<string, string> } {
    const state = new ClusterState();
    const before = new Map<string, string>();
    for (const row of this.db.prepare('SELECT kind, key, doc FROM objects').iterate() as IterableIterator<{ kind: string; key: string; doc: string }>) {
      state.load(row.kind, row.key, JSON.parse(row.doc) as StoredObject);
      before.set(`${row.kind}\u0000${row.key}`, row.doc);
    }
    return { state, before };
  }

  /** A read-only look at the state. */
  read<T>(fn: (state: ClusterState) => T): T {
    return this.db.transaction(() => fn(this.loadState().state)).deferred();
  }

  /**
   * One change, in one transaction: `fn` changes the state through the control plane; the invariants are
   * checked, the differences written, the events and an audit row (`action` on `target` by `actor`) added.
   */
  change<T>(actor: Actor, action: string, target: string, fn: (cp: ControlPlane) => T): T {
    return this.db.transaction(() => {
      const { state, before } = this.loadState();
      const cp = new ControlPlane(state, actor, this.clock);
      const result = fn(cp);
      const broken = invariantViolations(state);
      if (broken.length > 0) throw new Error(`change ${action} ${target} would break invariants: ${broken.slice(0, 5).join('; ')}`);
      const upsert = this.db.prepare('INSERT INTO objects (kind, key, doc) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc');
      const remove = this.db.prepare('DELETE FROM objects WHERE kind = ? AND key = ?');
      let changes = 0;
      const seen = new Set<string>();
      for (const [kind, key, obj] of state.documents()) {
        const id = `${kind}\u0000${key}`;
        seen.add(id);
        const doc = JSON.stringify(obj);
        if (before.get(id) !== doc) {
          upsert.run(kind, key, doc);
          changes++;
        }
      }
      for (const id of before.keys()) {
        if (seen.has(id)) continue;
        const [kind, key] = id.split('\u0000') as [string, string];
        remove.run(kind, key);
        changes++;
      }
      this.insertEvents(cp.ctx.events);
      this.db.prepare('INSERT INTO audit (at, actor, action, target, changes) VALUES (?, ?, ?, ?, ?)').run(this.clock().toISOString(), actor.user, action, target, changes);
      return result;
    }).immediate();
  }

  private insertEvents(events: readonly ClusterEvent[]): void {
    const insert = this.db.prepare('INSERT INTO events (at, severity, reason, object, message) VALUES (?, ?, ?, ?, ?)');
    for (const e of events) insert.run(e.at, e.severity, e.reason, e.object, e.message);
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
