/**
 * Brings a state file's schema up to date: each migration the file lacks (migrations.ts), in its own
 * IMMEDIATE transaction; a file newer than this build is refused.
 */
import type Database from 'better-sqlite3';
import { AnvilError } from '../errors.js';
import type { Clock } from '../domain/clock.js';
import { MIGRATIONS } from './migrations.js';

/** Runs the migrations `db` lacks, stamped by `clock`; `committed` is called after each one commits. */
export function upgradeSchema(db: Database.Database, clock: Clock, committed: () => void): void {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM migrations').pluck().all() as number[]);
  const current = Math.max(0, ...applied);
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  if (current > latest)
    throw new AnvilError(
      'ANVIL_ERR_STATE',
      `the state file has schema version ${current}, newer than this build's ${latest}; upgrade Anvil`,
    );
  // Each one the file lacks, not only those above its newest (see migrations.ts).
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, clock().toISOString());
    }).immediate();
    committed();
  }
}
