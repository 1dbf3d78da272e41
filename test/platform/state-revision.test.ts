/**
 * The store's global revision (revisions.ts): every committed change bumps it by one, in its own
 * transaction (a group of changes still commits once); each object keeps the revision that last wrote it,
 * unchanged objects keep theirs, a failed change leaves the revision as it was, and all of it survives reopening.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ControlPlane } from '../../platform/domain/control-plane.js';
import { keyOf } from '../../platform/domain/volume.js';
import { Store } from '../../platform/state/store.js';
import { tempDir } from '../cli-harness.js';
import { ADMIN, as, tickingClock } from './control-plane-harness.js';

const createVolume = (name: string) => (cp: ControlPlane) => cp.createVolume({ namespace: 'default', name, size_bytes: 2 ** 30 });
const volumeRevision = (store: Store, name: string) => store.read((_, r) => r.of('Volume', keyOf('default', name)));

describe('the global revision', () => {
  it('is bumped by each committed change and names the change that last wrote each object, across reopening', () => {
    const path = join(tempDir('anvil-revision-'), 'state.db');
    const store = Store.open(path, tickingClock());
    const start = store.revision();
    as(store, (cp) => cp.createCluster({ name: 'c', nodes: 2 }));
    expect(store.revision()).toBe(start + 1);
    as(store, createVolume('a'));
    as(store, createVolume('b'));
    expect(store.revision()).toBe(start + 3);
    expect([volumeRevision(store, 'a'), volumeRevision(store, 'b')]).toEqual([start + 2, start + 3]);
    // The nodes were written by the cluster's creation and not since.
    expect(store.read((_, r) => r.of('Node', 'node1'))).toBe(start + 1);
    // A change that fails leaves the revision (and every object's) as it was.
    expect(() => as(store, createVolume('a'))).toThrow();
    expect(store.revision()).toBe(start + 3);
    // Events keep the revision of the change that recorded them.
    expect(store.revisedEvents(-1).every((e) => e.revision > start && e.revision <= start + 3)).toBe(true);
    store.close();
    const again = Store.open(path);
    expect(again.revision()).toBe(start + 3);
    expect([volumeRevision(again, 'a'), volumeRevision(again, 'b')]).toEqual([start + 2, start + 3]);
    again.close();
  });

  it('gives each change of a group its own revision in one transaction; a failed one consumes none', async () => {
    const path = join(tempDir('anvil-revision-'), 'state.db');
    const store = Store.open(path, tickingClock());
    as(store, (cp) => cp.createCluster({ name: 'c', nodes: 2 }));
    as(store, createVolume('taken'));
    const start = store.revision();
    const groups = store.groupsCommitted;
    const results = await Promise.allSettled(
      ['x', 'taken', 'y'].map((n) => store.changeInGroup(ADMIN, 'create volumes', `volumes/default/${n}`, createVolume(n))),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(store.groupsCommitted - groups).toBe(1);
    expect(store.revision()).toBe(start + 2);
    expect([volumeRevision(store, 'x'), volumeRevision(store, 'y')]).toEqual([start + 1, start + 2]);
    store.close();
    const again = Store.open(path);
    expect(again.revision()).toBe(start + 2);
    again.close();
  });

  it('is seen by another connection (the CLI changing the file under a running server)', () => {
    const path = join(tempDir('anvil-revision-'), 'state.db');
    const server = Store.open(path, tickingClock());
    const cli = Store.open(path, tickingClock());
    const start = server.revision();
    as(cli, (cp) => cp.createCluster({ name: 'c', nodes: 1 }));
    expect(server.revision()).toBe(start + 1);
    expect(server.read((_, r) => r.of('Node', 'node1'))).toBe(start + 1);
    cli.close();
    server.close();
  });
});
