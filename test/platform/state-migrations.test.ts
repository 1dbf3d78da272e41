/**
 * The state file's migrations when a file lacks one below its newest: the global revision (2) and the
 * Kubernetes manifests (3) were made on separate branches, so a file made by either alone has 1 and 2 or
 * 1 and 3. Each must open, gain what it lacks, and keep what it had.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { localAdmin } from '../../platform/domain/tenancy.js';
import { manifestsOf } from '../../platform/state/kube-manifests.js';
import { MIGRATIONS } from '../../platform/state/migrations.js';
import { Store } from '../../platform/state/store.js';
import { tempDir } from '../cli-harness.js';
import { as, tickingClock } from './control-plane-harness.js';

/** A state file with only the migrations `versions`, as a build that knew only those made it. */
function fileWith(versions: number[]): string {
  const path = join(tempDir('anvil-migrations-'), 'state.db');
  const db = new Database(path);
  db.exec('CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter((x) => versions.includes(x.version))) {
    db.exec(m.sql);
    db.prepare('INSERT INTO migrations VALUES (?, ?, ?)').run(m.version, m.name, '2026-01-01T00:00:00Z');
  }
  db.prepare("INSERT INTO audit (at, actor, action, target, changes) VALUES ('2026-01-01T00:00:00Z', 'admin', 'seed', 'seed', 0)").run();
  if (versions.includes(3))
    db.prepare(
      `INSERT INTO kube_manifests (kind, namespace, name, uid, generation, created_at, manifest, applied)
       VALUES ('Namespace', '', 'kept', 'u-1', 1, '2026-01-01T00:00:00Z', '{"kind":"Namespace"}', '{}')`,
    ).run();
  db.close();
  chmodSync(path, 0o600);
  return path;
}

describe('a state file made by a build with some of the migrations', () => {
  it.each([
    ['the writes (1 and 3, no global revision)', [1, 3]],
    ['the reads (1 and 2, no manifests)', [1, 2]],
    ['both (1, 2 and 3)', [1, 2, 3]],
  ])('made with %s opens, gains the rest and keeps its rows', (_what, versions) => {
    const store = Store.open(fileWith(versions), tickingClock());
    expect(store.schemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    const start = store.revision();
    as(store, (cp) => cp.createCluster({ name: 'c', nodes: 1 }));
    expect(store.revision()).toBe(start + 1);
    expect(store.read((_, r) => r.of('Node', 'node1'))).toBe(start + 1);
    const manifests = manifestsOf(store);
    if (versions.includes(3)) expect(manifests.get('Namespace', '', 'kept')).toMatchObject({ uid: 'u-1', revision: 1 });
    const written = store.change(localAdmin('admin'), 'put', 'manifest', () =>
      manifests.put({
        kind: 'Namespace',
        namespace: '',
        name: 'new',
        uid: 'u-2',
        generation: 1,
        created_at: '2026-01-01T00:00:00Z',
        manifest: {},
        applied: {},
      }),
    );
    // The manifest carries the revision of the change that wrote it.
    expect(written.revision).toBe(start + 2);
    expect(manifests.get('Namespace', '', 'new')?.revision).toBe(store.revision());
    store.close();
  });
});
