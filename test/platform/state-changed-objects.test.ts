/**
 * A commit writes the objects a change set or deleted in the state's maps (ClusterState.takeChanged), not
 * every object: what it writes is what a reopened file holds, and a change that replaces an object behind
 * its map's back is caught in the tests (ANVIL_STORE_VERIFY=1) rather than silently not written.
 */
import { describe, expect, it } from 'vitest';
import type { Node } from '../../platform/domain/node.js';
import { Store } from '../../platform/state/store.js';
import { ADMIN, as, openStore } from './control-plane-harness.js';

describe('a commit', () => {
  it('writes what each change set or deleted, as a reopened file shows, and counts them in the audit row', () => {
    const { store, path } = openStore();
    as(store, (cp) => cp.createCluster({ name: 'c', nodes: 3 }));
    as(store, (cp) => {
      for (let i = 0; i < 12; i++) cp.createVolume({ namespace: 'default', name: `v${i}`, size_bytes: 2 ** 30 });
    });
    as(store, (cp) => cp.deleteVolume('default', 'v3'));
    as(store, (cp) => cp.updateVolume('default', 'v7', { size_bytes: 2 ** 31 }));
    const audit = store.audit().map((a) => a.changes);
    const before = store.read((s) => JSON.stringify([...s.documents()]));
    store.close();
    const reopened = Store.open(path);
    try {
      expect(reopened.read((s) => JSON.stringify([...s.documents()]))).toBe(before);
      expect(reopened.read((s) => [...s.volumes.keys()])).toEqual(
        ['v0', 'v1', 'v10', 'v11', 'v2', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9'].map((n) => `default/${n}`),
      );
      expect(reopened.read((s) => s.volumes.get('default/v7')!.size_bytes)).toBe(2 ** 31);
    } finally {
      reopened.close();
    }
    // The counters change with every change; the creates wrote 12 volumes, the delete removed one, the grow wrote one.
    expect(audit.slice(-3)).toEqual([12, 1, 1]);
  });

  it('refuses, in the tests, an object replaced without its map seeing it', () => {
    const { store } = openStore();
    as(store, (cp) => cp.createCluster({ name: 'c', nodes: 3 }));
    const name = store.read((s) => [...s.nodes.keys()][0]!);
    expect(() =>
      store.change(ADMIN, 'test', 'test', (cp) => {
        const node = cp.state.nodes.get(name)!;
        Map.prototype.set.call(cp.state.nodes, name, { ...node, labels: { ...node.labels, rack: 'r9' } } satisfies Node);
      }),
    ).toThrow(new RegExp(`Node ${name} changed without its map seeing it`));
    expect(store.read((s) => s.nodes.get(name)!.labels.rack)).toBeUndefined();
  });
});
