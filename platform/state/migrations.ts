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
    // Numbered 3: the global revision (the Kubernetes facade's reads) takes 2.
    version: 3,
    name: 'Kubernetes manifests: what an object was created or applied as, beside the Anvil object it became',
    sql: `
      CREATE TABLE kube_manifests (
        kind       TEXT NOT NULL,
        namespace  TEXT NOT NULL,
        name       TEXT NOT NULL,
        uid        TEXT NOT NULL,
        generation INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        manifest   TEXT NOT NULL CHECK (json_valid(manifest)),
        applied    TEXT NOT NULL CHECK (json_valid(applied)),
        PRIMARY KEY (kind, namespace, name)
      ) WITHOUT ROWID;
    `,
  },
];
