/**
 * The store keeps the state in memory between calls (a server must not re-read the file per request). It
 * must stay indistinguishable from a state read afresh: same objects in the same order, other writers'
 * commits seen, a failed change leaving nothing behind, in-place edits caught (ANVIL_STORE_VERIFY=1).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../platform/state/store.js';
import type { ClusterState } from '../../platform/domain/cluster-state.js';
import { tempDir } from '../cli-harness.js';
import { ADMIN, as, tickingClock } from './control-plane-harness.js';

const dump = (s: ClusterState) => JSON.stringify([...s.documents()]);

/** What a fresh process would read from the file. */
function fresh(path: string): string {
  const other = Store.open(path);
  try {
    return other.read(dump);
  } finally {
    other.close();
  }
}

describe('the state kept in memory', () => {
  it('after a stream of changes, holds what a fresh read of the file holds, in the same order', () => {
    const path = join(tempDir('anvil-cache-'), 'state.db');
    const store = Store.open(path, tickingClock());
    // Names whose creation order differs from key order (v10 sorts before v2, alpha before zeta).
    as(store, (cp) => cp.createCluster({ name: 'c', nodes: 12 }));
    as(store, (cp) =>
      cp.createNetwork({
        name: 'net1',
        subnet: '10.1.0.0/24',
        start: '10.1.0.10',
        end: '10.1.0.200',
        gateway: '10.1.0.1',
        is_default: true,
      }),
    );
    for (const ns of ['zeta', 'alpha', 'mid']) as(store, (cp) => cp.createTenant(ns));
    for (let i = 12; i >= 1; i--)
      as(store, (cp) =>
        cp.createVolume({
          namespace: 'alpha',
          name: `v${i}`,
          size_bytes: 2 ** 30,
          mirrors: 2,
          perf_tier: 'best-effort',
          node_selector: {},
          spread_zones: false,
        }),
      );
    as(store, (cp) => cp.deleteVolume('alpha', 'v7', false));
    as(store, (cp) => cp.updateVolume('alpha', 'v3', { mirrors: 3 }));
    as(store, (cp) => cp.createEndpoint('mid', 'e1', 'net1'));
    expect(store.read(dump)).toBe(fresh(path));
    expect(store.read((s) => [...s.tenants.keys()])).toEqual(['alpha', 'default', 'mid', 'zeta']);
    expect(store.read((s) => [...s.volumes.keys()]).slice(0, 4)).toEqual(['alpha/v1', 'alpha/v10', 'alpha/v11', 'alpha/v12']);
    store.close();
  });

  it('sees a change committed by another connection, and its own next change builds on it', () => {
    const path = join(tempDir('anvil-cache-'), 'state.db');
    const server = Store.open(path, tickingClock());
    as(server, (cp) => cp.createCluster({ name: 'c', nodes: 3 }));
    expect(server.read((s) => s.tenants.has('other'))).toBe(false);
    const cli = Store.open(path, tickingClock());
    as(cli, (cp) => cp.createTenant('other'));
    cli.close();
    expect(server.read((s) => s.tenants.has('other'))).toBe(true);
    as(server, (cp) =>
      cp.createVolume({
        namespace: 'other',
        name: 'v',
        size_bytes: 2 ** 30,
        mirrors: 1,
        perf_tier: 'best-effort',
        node_selector: {},
        spread_zones: false,
      }),
    );
    expect(fresh(path)).toBe(server.read(dump));
    server.close();
  });

  it('a change that fails half way leaves neither the file nor the memory changed', () => {
    const path = join(tempDir('anvil-cache-'), 'state.db');
    const store = Store.open(path, tickingClock());
    as(store, (cp) => cp.createCluster({ name: 'c', nodes: 3 }));
    const before = store.read(dump);
    expect(() =>
      as(store, (cp) => {
        cp.createTenant('half');
        cp.createTenant('half'); // refused: exists
      }),
    ).toThrow(/exists/);
    expect(store.read(dump)).toBe(before);
    expect(store.read((s) => s.tenants.has('half'))).toBe(false);
    expect(fresh(path)).toBe(before);
    store.close();
  });

  it('a change refused before it touched the state keeps the state in memory; one that touched it reads it again', async () => {
    const path = join(tempDir('anvil-cache-'), 'state.db');
    const store = Store.open(path, tickingClock());
    as(store, (cp) => cp.createCluster({ name: 'c', nodes: 2 }));
    as(store, (cp) => cp.createTenant('t'));
    const kept = store.read((s) => s);
    const before = store.read(dump);
    // Refused as a user's request is (the name is taken): nothing was set, so nothing is read again.
    expect(() => as(store, (cp) => cp.createTenant('t'))).toThrow(/exists/);
    expect(store.read((s) => s)).toBe(kept);
    // The counters are edited in place: a change that moved them and then failed is read again.
    expect(() =>
      as(store, (cp) => {
        cp.state.counters.next_mac += 7;
        throw new Error('refused after a MAC was taken');
      }),
    ).toThrow(/refused/);
    expect(store.read((s) => s)).not.toBe(kept);
    expect(store.read(dump)).toBe(before);
    // In a group: a refused change beside one that commits keeps the memory; one that set a tenant and then
    // failed has its savepoint undone and the memory read again, without the tenant.
    const again = store.read((s) => s);
    const refused = store.changeInGroup(ADMIN, 'test', 'test', (cp) => cp.createTenant('t'));
    const made = store.changeInGroup(ADMIN, 'test', 'test', (cp) => cp.createTenant('u'));
    await expect(refused).rejects.toThrow(/exists/);
    await made;
    expect(store.read((s) => s)).toBe(again);
    const half = store.changeInGroup(ADMIN, 'test', 'test', (cp) => {
      cp.createTenant('half');
      cp.createTenant('half');
    });
    await expect(half).rejects.toThrow(/exists/);
    expect(store.read((s) => s)).not.toBe(again);
    expect(store.read((s) => [...s.tenants.keys()])).toEqual(['default', 't', 'u']);
    expect(fresh(path)).toBe(store.read(dump));
    store.close();
  });

  it('an object edited in place (not replaced) is caught instead of silently not written', () => {
    expect(process.env.ANVIL_STORE_VERIFY).toBe('1');
    const path = join(tempDir('anvil-cache-'), 'state.db');
    const store = Store.open(path, tickingClock());
    as(store, (cp) => cp.createCluster({ name: 'c', nodes: 2 }));
    expect(() => as(store, (cp) => Object.assign(cp.state.nodes.get('node1')!, { zone: 'elsewhere' }))).toThrow(/edited in place/);
    expect(() => store.read((s) => Object.assign(s.nodes.get('node2')!, { zone: 'elsewhere' }))).toThrow(/a read changed Node node2/);
    // Nothing of either reached the file, and the memory was dropped and re-read.
    expect(store.read((s) => [s.nodes.get('node1')!.zone, s.nodes.get('node2')!.zone])).toEqual(['zone0', 'zone0']);
    store.close();
  });
});
