/** The state file's schema, as numbered migrations; each runs once, in order, in its own transaction. */

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'objects, events and audit log',
    sql: `
      CREATE TABLE objects (
        kind TEXT NOT NULL,
        key  TEXT NOT NULL,
        doc  TEXT NOT NULL CHECK (json_valid(doc)),
        PRIMARY KEY (kind, key)
      ) WITHOUT ROWID;
      CREATE TABLE events (
        id       INTEGER PRIMARY KEY,
        at       TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
        reason   TEXT NOT NULL,
        object   TEXT NOT NULL,
        message  TEXT NOT NULL
      );
      CREATE TABLE audit (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        target  TEXT NOT NULL,
        changes INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'a global revision: every committed change bumps it; objects and events keep the one that wrote them',
    sql: `
      CREATE TABLE revision (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        value INTEGER NOT NULL
      );
      INSERT INTO revision (id, value) VALUES (1, (SELECT count(*) FROM audit) + 1);
      ALTER TABLE objects ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE events ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
    `,
  },
];
