/**
 * The state file's schema, as numbered migrations; each runs once, in order, in its own transaction. A file
 * may lack one below its newest (2 and 3 were made on separate branches: a file made by either alone has
 * 1 and 2 or 1 and 3); the store runs each one the file lacks, so no migration may assume a later one.
 */

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
  {
    // After 2 and 3 (a file made before either has it run last): the revision that last wrote each manifest,
    // so that a change to a manifest alone (a label patched) moves its object's resourceVersion and reaches watches.
    version: 4,
    name: 'Kubernetes manifests keep the revision that wrote them',
    sql: `
      ALTER TABLE kube_manifests ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    // Beside the objects, not in the pod's document: read only when asked for (GET .../pods/NAME/scheduling),
    // never loaded with the state. A pod's row goes with its document (store-tables.ts). A rowid table and no
    // json_valid check: rows are a few KiB (WITHOUT ROWID suits small rows) and an apply of thousands of pods
    // writes one each, which SQLite would otherwise parse again.
    version: 5,
    name: "the scheduler's decision for each pod it placed: the nodes it evaluated, each filter's verdict, each score's parts",
    sql: `
      CREATE TABLE placement_decisions (
        namespace TEXT NOT NULL,
        name      TEXT NOT NULL,
        pod_seq   INTEGER NOT NULL,
        revision  INTEGER NOT NULL,
        decision  TEXT NOT NULL,
        PRIMARY KEY (namespace, name)
      );
    `,
  },
];
