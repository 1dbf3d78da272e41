/**
 * API bearer tokens, stored hashed (SHA-256) in their own table of the state file: a token is shown once
 * when issued and cannot be read back. A token acts as its user; the user's roles come from the state.
 */
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { AnvilError } from '../errors.js';
import type { Clock } from '../domain/context.js';

export interface TokenInfo {
  readonly id: number;
  readonly user: string;
  readonly name: string;
  readonly created_at: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class TokenStore {
  private constructor(private readonly db: Database.Database, private readonly clock: Clock) {}

  /** Opens the token table of the state file at `path` (a second connection; WAL lets both work). */
  static open(path: string, clock: Clock = () => new Date()): TokenStore {
    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 10000');
      db.exec('CREATE TABLE IF NOT EXISTS api_tokens (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, user TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL)');
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_STATE', `cannot open the token table of ${path}: ${(e as Error).message}; check the path (--state or ANVIL_STATE)`);
    }
    return new TokenStore(db, clock);
  }

  /** Issues a token for `user`; the clear text is returned once and only its hash is kept. */
  issue(user: string, name: string): { token: string; info: TokenInfo } {
    const token = `anvil_${randomBytes(32).toString('base64url')}`;
    const created_at = this.clock().toISOString();
    const r = this.db.prepare('INSERT INTO api_tokens (hash, user, name, created_at) VALUES (?, ?, ?, ?)').run(hashToken(token), user, name, created_at);
    return { token, info: { id: Number(r.lastInsertRowid), user, name, created_at } };
  }

  /** The user a token acts as, or undefined when the server does not know it. */
  userOf(token: string): string | undefined {
    const row = this.db.prepare('SELECT user FROM api_tokens WHERE hash = ?').get(hashToken(token)) as { user: string } | undefined;
    return row?.user;
  }

  list(user?: string): TokenInfo[] {
    const sql = 'SELECT id, user, name, created_at FROM api_tokens' + (user === undefined ? '' : ' WHERE user = ?') + ' ORDER BY id';
    return (user === undefined ? this.db.prepare(sql).all() : this.db.prepare(sql).all(user)) as TokenInfo[];
  }

  /** Revokes one token; false when no token of `user` has that id. */
  revoke(user: string, id: number): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE id = ? AND user = ?').run(id, user).changes > 0;
  }

  /**
   * Revokes every token of `user` (when the user is deleted, and before a user of a free name is created, so
   * a user created again under an old name never inherits the old user's tokens); returns how many.
   */
  revokeAll(user: string): number {
    return this.db.prepare('DELETE FROM api_tokens WHERE user = ?').run(user).changes;
  }

  close(): void {
    this.db.close();
  }
}
