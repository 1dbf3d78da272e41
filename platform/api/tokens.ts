/**
 * API bearer tokens, stored hashed (SHA-256) in their own table of the state file: a token is shown once
 * when issued and cannot be read back. A token acts as its user; the user's roles come from the state.
 * Ids are never reused (AUTOINCREMENT: a revoke made from an old listing cannot hit a newer token), and
 * every issue and revoke is written to the audit log in the same transaction (its id, never the token).
 */
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { wallClock, type Clock } from '../domain/clock.js';
import { Store } from '../state/store.js';

export interface TokenInfo {
  readonly id: number;
  readonly user: string;
  readonly name: string;
  readonly created_at: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const COLUMNS = 'hash TEXT NOT NULL UNIQUE, user TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL';

/** What the audit log names a token by: its user and id. */
const tokenTarget = (user: string, id: number) => `tokens/${user}/${id}`;

/** Tokens whose users are kept in memory at most (a server sees few; past it the cache starts afresh). */
const KNOWN_TOKENS = 10_000;

export class TokenStore {
  /** Statements prepared once per connection, by their SQL. */
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly store: Store,
    private readonly ownsStore: boolean,
    private readonly clock: Clock,
  ) {
    // Looked at first so that opening an up-to-date file takes no write lock.
    if (!store.readBeside(hasCurrentTable)) store.changeBeside('', ensureTable);
  }

  /** The server's (a store it does not own): token changes return committed, their fsync in the background (its answers wait for it). */
  private get held(): boolean {
    return !this.ownsStore;
  }

  private sql(db: Database.Database, text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (statement === undefined) this.statements.set(text, (statement = db.prepare(text)));
    return statement;
  }

  /** Opens the token table of the state file at `path` (with its own connection, closed by `close`). */
  static open(path: string, clock: Clock = wallClock): TokenStore {
    return new TokenStore(Store.open(path, clock), true, clock);
  }

  /**
   * The token table of an open state (the server's): token changes and their audit rows commit together, and
   * return before they are durable (Store.changeHeld), so the event loop never waits for their fsync: whoever
   * tells of one waits for `store.whenDurable()` (the server's answers do).
   */
  static of(store: Store, clock: Clock = wallClock): TokenStore {
    return new TokenStore(store, false, clock);
  }

  /** Issues a token for `user`, as the actor `by` (audited); the clear text is returned once and only its hash is kept. */
  issue(user: string, name: string, by: string): { token: string; info: TokenInfo } {
    const token = `anvil_${randomBytes(32).toString('base64url')}`;
    const created_at = this.clock().toISOString();
    return this.store.changeBeside(
      by,
      (db, audit) => {
        const r = this.sql(db, 'INSERT INTO api_tokens (hash, user, name, created_at) VALUES (?, ?, ?, ?)').run(
          hashToken(token),
          user,
          name,
          created_at,
        );
        const id = Number(r.lastInsertRowid);
        audit('create tokens', tokenTarget(user, id), 1);
        return { token, info: { id, user, name, created_at } };
      },
      this.held,
    );
  }

  /**
   * Tokens known to the server and their users, by what they were presented as (the Authorization header as
   * sent: a known header needs no parsing and no hashing), as of `knownStamp` (Store.besideStamp): dropped whole
   * when a token is issued or revoked on this connection or anything is committed by another, so a revoked
   * token is refused on the very next request. Unknown tokens are never kept. Bounded by KNOWN_TOKENS.
   */
  private readonly known = new Map<string, string>();
  private knownStamp = '';

  /** Drops what is known when the token table may have changed (asks SQLite whether another connection committed). */
  private refreshKnown(): void {
    const stamp = this.store.besideStamp();
    if (stamp !== this.knownStamp) {
      this.known.clear();
      this.knownStamp = stamp;
    }
  }

  /** The user of a token known by `key` (as given to `userOf`), as the table is now; undefined when not known (ask `userOf`). */
  knownUserOf(key: string): string | undefined {
    this.refreshKnown();
    return this.known.get(key);
  }

  /** The user a token acts as, or undefined when the server does not know it; a known one is kept under `key`. */
  userOf(token: string, key = token): string | undefined {
    this.refreshKnown();
    const cached = this.known.get(key);
    if (cached !== undefined) return cached;
    const row = this.store.readBeside((db) => this.sql(db, 'SELECT user FROM api_tokens WHERE hash = ?').get(hashToken(token))) as
      { user: string } | undefined;
    if (row !== undefined) {
      if (this.known.size >= KNOWN_TOKENS) this.known.clear();
      this.known.set(key, row.user);
    }
    return row?.user;
  }

  list(user?: string): TokenInfo[] {
    const sql = 'SELECT id, user, name, created_at FROM api_tokens' + (user === undefined ? '' : ' WHERE user = ?') + ' ORDER BY id';
    return this.store.readBeside((db) => (user === undefined ? this.sql(db, sql).all() : this.sql(db, sql).all(user))) as TokenInfo[];
  }

  /** Revokes one token as the actor `by` (audited); false when no token of `user` has that id. */
  revoke(user: string, id: number, by: string): boolean {
    return this.store.changeBeside(
      by,
      (db, audit) => {
        const revoked = this.sql(db, 'DELETE FROM api_tokens WHERE id = ? AND user = ?').run(id, user).changes > 0;
        if (revoked) audit('revoke tokens', tokenTarget(user, id), 1);
        return revoked;
      },
      this.held,
    );
  }

  /**
   * Revokes every token of `user` as the actor `by`, one audit row each (when the user is deleted, and before
   * a user of a free name is created, so a user created again under an old name never inherits the old
   * user's tokens); returns how many.
   */
  revokeAll(user: string, by: string): number {
    return this.store.changeBeside(
      by,
      (db, audit) => {
        const ids = this.sql(db, 'DELETE FROM api_tokens WHERE user = ? RETURNING id').all(user) as { id: number }[];
        for (const { id } of ids.sort((a, b) => a.id - b.id)) audit('revoke tokens', tokenTarget(user, id), 1);
        return ids.length;
      },
      this.held,
    );
  }

  close(): void {
    if (this.ownsStore) this.store.close();
  }
}

/**
 * Creates the table, or moves a table of an older build (plain INTEGER PRIMARY KEY, which hands out the id
 * of a revoked newest token again) to AUTOINCREMENT; ids go on from the highest one kept.
 */
function ensureTable(db: Database.Database): void {
  // Checked again inside the write lock: another process may have moved it meanwhile.
  if (hasCurrentTable(db)) return;
  const row = tableSql(db);
  db.exec(`CREATE TABLE api_tokens_next (id INTEGER PRIMARY KEY AUTOINCREMENT, ${COLUMNS})`);
  if (row) {
    db.exec('INSERT INTO api_tokens_next (id, hash, user, name, created_at) SELECT id, hash, user, name, created_at FROM api_tokens');
    db.exec('DROP TABLE api_tokens');
  }
  db.exec('ALTER TABLE api_tokens_next RENAME TO api_tokens');
}

function tableSql(db: Database.Database): { sql: string } | undefined {
  return db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'api_tokens'").get() as { sql: string } | undefined;
}

function hasCurrentTable(db: Database.Database): boolean {
  return tableSql(db)?.sql.includes('AUTOINCREMENT') === true;
}
