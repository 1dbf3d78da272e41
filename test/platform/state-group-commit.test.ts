/**
 * Group commit (store.changeInGroup, what the API's changes go through): changes asked for at once are
 * committed in one transaction; each is acknowledged only once its group is durable, and one that fails
 * fails alone, with its own error, leaving nothing of itself behind while the others of its group commit.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnvilError } from '../../platform/errors.js';
import type { ControlPlane } from '../../platform/domain/control-plane.js';
import { Store } from '../../platform/state/store.js';
import { tempDir } from '../cli-harness.js';
import { ADMIN, as, tickingClock } from './control-plane-harness.js';

function storeWithCluster(): { store: Store; path: string } {
  const path = join(tempDir('anvil-group-'), 'state.db');
  const store = Store.open(path, tickingClock());
  as(store, (cp) => cp.createCluster({ name: 'c', nodes: 4 }));
  return { store, path };
}

const createVolume = (name: string) => (cp: ControlPlane) => cp.createVolume({ namespace: 'default', name, size_bytes: 2 ** 30 });

function inGroup(store: Store, name: string, fn: (cp: ControlPlane) => unknown = createVolume(name)): Promise<unknown> {
  return store.changeInGroup(ADMIN, 'create volumes', `volumes/default/${name}`, fn);
}

/** The volumes and the create audit rows a fresh process reads from the file. */
function onDisk(path: string): { volumes: string[]; audited: string[] } {
  const again = Store.open(path);
  try {
    return {
      volumes: again.read((s) => [...s.volumes.keys()]),
      audited: again
        .audit(1000)
        .filter((a) => a.action === 'create volumes')
        .map((a) => a.target),
    };
  } finally {
    again.close();
  }
}

describe('group commit', () => {
  it('commits concurrent changes in one transaction, each acknowledged and durable', async () => {
    const { store, path } = storeWithCluster();
    const names = Array.from({ length: 40 }, (_, i) => `v${i}`);
    const before = store.groupsCommitted;
    const created = await Promise.all(names.map((n) => inGroup(store, n)));
    expect(created.map((v) => (v as { name: string }).name)).toEqual(names);
    // All 40 were asked for in the same turn of the event loop: one group, one transaction.
    expect(store.groupsCommitted - before).toBe(1);
    store.close();
    const disk = onDisk(path);
    expect(disk.volumes.sort()).toEqual(names.map((n) => `default/${n}`).sort());
    expect(disk.audited.sort()).toEqual(names.map((n) => `volumes/default/${n}`).sort());
  });

  it('fails one bad change of a group alone, with its own coded error, and commits the others', async () => {
    const { store, path } = storeWithCluster();
    await inGroup(store, 'taken');
    const before = store.groupsCommitted;
    const good = Array.from({ length: 10 }, (_, i) => `g${i}`);
    // In the middle of the group: a create of a name in use, and one that changes the state and then throws.
    const asked = [
      ...good.slice(0, 5).map((n) => inGroup(store, n)),
      inGroup(store, 'taken'),
      inGroup(store, 'half', (cp) => {
        createVolume('half')(cp);
        throw new AnvilError('ANVIL_ERR_NO_CAPACITY', 'half-made change');
      }),
      ...good.slice(5).map((n) => inGroup(store, n)),
    ];
    const outcomes = await Promise.allSettled(asked);
    expect(store.groupsCommitted - before).toBe(1);
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [[i, (o.reason as AnvilError).code]] : []));
    expect(failed).toEqual([
      [5, 'ANVIL_ERR_OBJECT_EXISTS'],
      [6, 'ANVIL_ERR_NO_CAPACITY'],
    ]);
    // The changes after the failed ones saw the state without them (nothing of 'half' kept in memory).
    expect(store.read((s) => s.volumes.has('default/half'))).toBe(false);
    store.close();
    const disk = onDisk(path);
    expect(disk.volumes.sort()).toEqual(['taken', ...good].map((n) => `default/${n}`).sort());
    expect(disk.audited.sort()).toEqual(['taken', ...good].map((n) => `volumes/default/${n}`).sort());
  });

  it('when the group breaks an invariant, tries each change alone: only the one at fault fails', async () => {
    const { store, path } = storeWithCluster();
    const breaksInvariant = (cp: ControlPlane) => {
      const node = [...cp.state.nodes.values()][0]!;
      cp.state.nodes.set(node.name, { ...node, links_down: ['no-such-port'] });
    };
    const outcomes = await Promise.allSettled([
      inGroup(store, 'a'),
      store.changeInGroup(ADMIN, 'fail links', 'nodes/x', breaksInvariant),
      inGroup(store, 'b'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/would break invariants: node .*link down on port no-such-port/);
    store.close();
    expect(onDisk(path).volumes.sort()).toEqual(['default/a', 'default/b']);
  });

  it('commits what waits for its group when the store is closed', async () => {
    const { store, path } = storeWithCluster();
    const pending = inGroup(store, 'last');
    store.close();
    await expect(pending).resolves.toMatchObject({ name: 'last' });
    expect(onDisk(path).volumes).toEqual(['default/last']);
  });
});
