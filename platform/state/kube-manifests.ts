/**
 * The Kubernetes manifests behind Anvil's objects: what kubectl created or applied (its metadata, spec and
 * `kubectl.kubernetes.io/last-applied-configuration` annotation), kept beside the Anvil object it became
 * (a Deployment's pods, a claim's volume), with the identity Kubernetes gives it (uid, generation,
 * creation time) and, per server-side-apply field manager, the configuration it last applied. Rows are
 * written inside the change that makes the Anvil objects (the same transaction), so both commit or neither.
 */
import type Database from 'better-sqlite3';
import type { Store } from './store.js';

/** A manifest as stored: a JSON object (apiVersion, kind, metadata, spec), never with status. */
export type ManifestBody = Record<string, unknown>;

export interface StoredManifest {
  /** The Kubernetes kind: Namespace, Pod, PersistentVolumeClaim, Deployment, StatefulSet. */
  readonly kind: string;
  /** '' for a cluster-scoped kind (Namespace). */
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** Bumped whenever the spec changes, as Kubernetes does (metadata-only changes keep it). */
  readonly generation: number;
  /** ISO 8601. */
  readonly created_at: string;
  readonly manifest: ManifestBody;
  /** Server-side apply: each field manager's last applied configuration (what it owns). */
  readonly applied: Readonly<Record<string, ManifestBody>>;
  /** The store revision (revisions.ts) of the change that last wrote it; set by `put`. */
  readonly revision?: number;
}

interface Row {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  created_at: string;
  manifest: string;
  applied: string;
  revision: number;
}

const fromRow = (r: Row): StoredManifest => ({
  ...r,
  manifest: JSON.parse(r.manifest) as ManifestBody,
  applied: JSON.parse(r.applied) as Record<string, ManifestBody>,
});

/** The kube_manifests table of a store, read and written on the store's connection. */
export class KubeManifests {
  private statements: Map<string, Database.Statement> | undefined;

  constructor(private readonly store: Store) {}

  private sql(db: Database.Database, text: string): Database.Statement {
    this.statements ??= new Map();
    let s = this.statements.get(text);
    if (s === undefined) this.statements.set(text, (s = db.prepare(text)));
    return s;
  }

  get(kind: string, namespace: string, name: string): StoredManifest | undefined {
    const row = this.store.readBeside(
      (db) => this.sql(db, 'SELECT * FROM kube_manifests WHERE kind = ? AND namespace = ? AND name = ?').get(kind, namespace, name) as Row,
    );
    return row === undefined ? undefined : fromRow(row);
  }

  /** Every manifest of `kind`, in one namespace or all, in name order. */
  list(kind: string, namespace?: string): StoredManifest[] {
    const rows = this.store.readBeside((db) =>
      namespace === undefined
        ? this.sql(db, 'SELECT * FROM kube_manifests WHERE kind = ? ORDER BY namespace, name').all(kind)
        : this.sql(db, 'SELECT * FROM kube_manifests WHERE kind = ? AND namespace = ? ORDER BY name').all(kind, namespace),
    ) as Row[];
    return rows.map(fromRow);
  }

  /** Every manifest of every kind (one read's worth: the facade's views look them up by kind, namespace and name). */
  all(): StoredManifest[] {
    return (this.store.readBeside((db) => this.sql(db, 'SELECT * FROM kube_manifests').all()) as Row[]).map(fromRow);
  }

  /**
   * Writes (or replaces) one manifest, at the revision of the change it runs in, and answers it with that
   * revision. Call it inside the store change that makes or changes its Anvil objects (Store.change or
   * changeInGroup), so that a failed change takes the manifest back with it: that change bumps the global
   * revision exactly once, when it commits, so the revision it will have is the current one plus one.
   */
  put(m: StoredManifest): StoredManifest {
    const revision = this.store.readBeside((db) => (this.sql(db, 'SELECT value FROM revision WHERE id = 1').pluck().get() as number) + 1);
    this.store.readBeside((db) =>
      this.sql(
        db,
        `INSERT INTO kube_manifests (kind, namespace, name, uid, generation, created_at, manifest, applied, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, namespace, name) DO UPDATE SET uid = excluded.uid, generation = excluded.generation,
           created_at = excluded.created_at, manifest = excluded.manifest, applied = excluded.applied, revision = excluded.revision`,
      ).run(
        m.kind,
        m.namespace,
        m.name,
        m.uid,
        m.generation,
        m.created_at,
        JSON.stringify(m.manifest),
        JSON.stringify(m.applied),
        revision,
      ),
    );
    return { ...m, revision };
  }

  /** Removes one manifest (inside the change that deletes its Anvil objects). */
  remove(kind: string, namespace: string, name: string): void {
    this.store.readBeside((db) =>
      this.sql(db, 'DELETE FROM kube_manifests WHERE kind = ? AND namespace = ? AND name = ?').run(kind, namespace, name),
    );
  }
}

/** One manifests table per store (its statements are prepared once). */
const tables = new WeakMap<Store, KubeManifests>();

export function manifestsOf(store: Store): KubeManifests {
  let t = tables.get(store);
  if (t === undefined) tables.set(store, (t = new KubeManifests(store)));
  return t;
}
