/**
 * A volume's copies through node failures and removals: a pod runs only with an in-sync copy on a live
 * node, a plex resyncs only from an in-sync plex, a volume with no copy left says so, and a plex removed
 * with its node can be brought back elsewhere (`--mirrors` one step down or up).
 */
import { describe, expect, it } from 'vitest';
import { caughtAnvilError } from '../caught.js';
import { invariantViolations } from '../../platform/domain/invariants.js';
import type { Pod } from '../../platform/domain/pod.js';
import type { Volume } from '../../platform/domain/volume.js';
import type { Store } from '../../platform/state/store.js';
import { as, BLUE, openStore, podSpec } from './control-plane-harness.js';

/** The catalogue code `fn` throws. */
const codeOf = (fn: () => unknown): string => caughtAnvilError(fn).code;

function cluster(nodes: number): Store {
  const { store } = openStore();
  as(store, (cp) => cp.createCluster({ name: 'c1', nodes }));
  as(store, (cp) => cp.createNetwork(BLUE));
  return store;
}

const volume = (store: Store, name = 'data'): Volume => store.read((s) => s.volumes.get(`default/${name}`)!);
const pod = (store: Store, name = 'db'): Pod => store.read((s) => s.pods.get(`default/${name}`)!);
const sound = (store: Store) => store.read((s) => invariantViolations(s));
const events = (store: Store, reason: string) => store.events({ limit: 1000 }).filter((e) => e.reason === reason);

describe('a volume with one mirror whose node fails', () => {
  it('keeps its pod pending with the reason (not running against a down node), and starts it when the copy comes back', () => {
    const store = cluster(2);
    as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30 }));
    const node = volume(store).plexes[0]!.node;
    as(store, (cp) => cp.createPod(podSpec('db', { volumes: ['data'] })));
    expect(pod(store).status).toMatchObject({ state: 'running', node });
    const r = as(store, (cp) => cp.failNode(node));
    expect(r).toEqual({ moved: [], pending: ['default/db'] });
    const waiting = pod(store).status;
    expect(waiting.state).toBe('pending');
    expect(waiting.state === 'pending' && waiting.failure.summary).toBe(
      `volume data is unavailable: no in-sync copy on a live node (its current copy is on ${node}, which is down; the pod starts when it recovers)`,
    );
    expect(volume(store)).toMatchObject({ state: 'unavailable', plexes: [{ node, state: 'offline' }], attachment: { state: 'detached' } });
    expect(events(store, 'VolumeUnavailable').map((e) => e.severity)).toEqual(['error']);
    expect(sound(store)).toEqual([]);
    // No copy to copy from: no new plex, no snapshot.
    expect(codeOf(() => as(store, (cp) => cp.updateVolume('default', 'data', { mirrors: 2 })))).toBe('ANVIL_ERR_VOLUME_UNAVAILABLE');
    expect(codeOf(() => as(store, (cp) => cp.createSnapshot('default', 's1', 'data')))).toBe('ANVIL_ERR_VOLUME_UNAVAILABLE');

    as(store, (cp) => cp.recoverNode(node));
    // The offline plex held the current data: it is back, not "resynced" from nothing.
    expect(events(store, 'PlexResynced')).toEqual([]);
    expect(events(store, 'PlexOnline').map((e) => e.message)).toEqual([`plex on ${node} is back with the volume's current data`]);
    expect(volume(store)).toMatchObject({
      state: 'in-sync',
      plexes: [{ node, state: 'in-sync' }],
      attachment: { state: 'attached', pod: 'db', node, via: 'local' },
    });
    expect(pod(store).status).toMatchObject({ state: 'running', node });
    expect(sound(store)).toEqual([]);
  });

  it('stops a pod on another node that reads it remotely', () => {
    const store = cluster(2);
    as(store, (cp) =>
      cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, node_selector: { 'kubernetes.io/hostname': 'node1' } }),
    );
    as(store, (cp) => cp.createPod(podSpec('db', { volumes: ['data'], node_selector: { 'kubernetes.io/hostname': 'node2' } })));
    expect(volume(store).attachment).toMatchObject({ state: 'attached', node: 'node2', via: 'remote' });
    expect(as(store, (cp) => cp.failNode('node1')).pending).toEqual(['default/db']);
    expect(pod(store).status.state).toBe('pending');
    expect(events(store, 'FailedScheduling').map((e) => [e.object, e.message])).toEqual([
      ['pod/default/db', expect.stringMatching(/^volume data is unavailable: /)],
    ]);
    expect(sound(store)).toEqual([]);
    as(store, (cp) => cp.recoverNode('node1'));
    expect(pod(store).status).toMatchObject({ state: 'running', node: 'node2' });
  });
});

describe('a mirrored volume', () => {
  it('runs degraded on its surviving plex, and resyncs a plex only from an in-sync one', () => {
    const store = cluster(3);
    as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, mirrors: 2 }));
    const [a, b] = volume(store).plexes.map((p) => p.node) as [string, string];
    as(store, (cp) => cp.createPod(podSpec('db', { volumes: ['data'] })));
    as(store, (cp) => cp.failNode(a));
    expect(volume(store)).toMatchObject({
      state: 'degraded',
      plexes: [
        { node: a, state: 'out-of-sync' },
        { node: b, state: 'in-sync' },
      ],
    });
    expect(pod(store).status).toMatchObject({ state: 'running', node: b });
    // The second copy fails too: it is the last current copy, so it goes offline and the pod waits.
    as(store, (cp) => cp.failNode(b));
    expect(volume(store)).toMatchObject({
      state: 'unavailable',
      plexes: [
        { node: a, state: 'out-of-sync' },
        { node: b, state: 'offline' },
      ],
    });
    expect(pod(store).status.state).toBe('pending');
    // The stale copy comes back first: nothing in sync to resync it from, so it stays out of sync.
    as(store, (cp) => cp.recoverNode(a));
    expect(volume(store)).toMatchObject({
      state: 'unavailable',
      plexes: [
        { node: a, state: 'out-of-sync' },
        { node: b, state: 'offline' },
      ],
    });
    expect(events(store, 'PlexResynced')).toEqual([]);
    expect(events(store, 'PlexNotResynced').map((e) => e.message)).toEqual([
      `plex on ${a} stays out of sync: the volume has no in-sync plex to copy from`,
    ]);
    expect(pod(store).status.state).toBe('pending');
    expect(sound(store)).toEqual([]);
    // The current copy comes back: it is the source, and the stale one resyncs from it; the pod runs on
    // the current copy meanwhile, and the volume is in sync once the copy time has passed.
    as(store, (cp) => cp.recoverNode(b));
    expect(volume(store)).toMatchObject({
      state: 'degraded',
      plexes: [
        { node: a, state: 'resyncing', resync: { source: b, bytes: 2 ** 30 } },
        { node: b, state: 'in-sync' },
      ],
    });
    expect(pod(store).status).toMatchObject({ state: 'running', node: b });
    as(store, (cp) => cp.advanceResyncs());
    expect(volume(store)).toMatchObject({
      state: 'in-sync',
      plexes: [
        { node: a, state: 'in-sync' },
        { node: b, state: 'in-sync' },
      ],
    });
    expect(events(store, 'PlexResynced').map((e) => e.message)).toEqual([
      `plex on ${a} resynced from the plex on ${b} (${2 ** 30} bytes); 2 of 2 mirrors in sync`,
    ]);
    expect(pod(store).status.state).toBe('running');
    expect(sound(store)).toEqual([]);
  });
});

describe('a node removed with --force', () => {
  it('takes its plexes with it; the volume is brought back to its mirror count on another node', () => {
    const store = cluster(3);
    as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, mirrors: 2, node_selector: {} }));
    const [a, b] = volume(store).plexes.map((p) => p.node) as [string, string];
    expect(codeOf(() => as(store, (cp) => cp.removeNode(a)))).toBe('ANVIL_ERR_IN_USE');
    as(store, (cp) => cp.removeNode(a, true));
    expect(volume(store)).toMatchObject({ mirrors: 2, state: 'degraded', plexes: [{ node: b, state: 'in-sync' }] });
    expect(events(store, 'PlexDropped').map((e) => e.message)).toEqual([
      `plex on ${a} was removed with its node; 1 of 2 plexes left (add one back with: anvil volume update data -n default --mirrors 2)`,
    ]);
    // A new node of the same name holds nothing of the old one's.
    as(store, (cp) => cp.addNode({ name: a }));
    expect(volume(store).plexes.map((p) => p.node)).toEqual([b]);
    expect(sound(store)).toEqual([]);
    // Two steps up from one plex is refused; one step brings the mirror back, copied from the in-sync plex.
    expect(codeOf(() => as(store, (cp) => cp.updateVolume('default', 'data', { mirrors: 3 })))).toBe('ANVIL_ERR_FIELD_INVALID');
    const back = as(store, (cp) => cp.updateVolume('default', 'data', { mirrors: 2 }));
    expect(back).toMatchObject({ mirrors: 2, state: 'in-sync' });
    expect(back.plexes).toHaveLength(2);
    expect(back.plexes[1]!.node).not.toBe(b);
    expect(events(store, 'PlexAdded').at(-1)!.message).toMatch(new RegExp(`copied from the plex on ${b}; 2 of 2 mirrors in sync$`));
    expect(sound(store)).toEqual([]);
  });

  it('leaves a volume whose last copy it held lost, never in sync, with pods pending on it', () => {
    const store = cluster(2);
    as(store, (cp) =>
      cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, node_selector: { 'kubernetes.io/hostname': 'node1' } }),
    );
    as(store, (cp) => cp.createPod(podSpec('db', { volumes: ['data'] })));
    as(store, (cp) => cp.removeNode('node1', true));
    expect(volume(store)).toMatchObject({ mirrors: 1, plexes: [], state: 'lost' });
    expect(events(store, 'VolumeLost').map((e) => e.severity)).toEqual(['error']);
    const status = pod(store).status;
    expect(status.state === 'pending' && status.failure.summary).toMatch(/^volume data is lost: no current copy is left on any node/);
    expect(codeOf(() => as(store, (cp) => cp.updateVolume('default', 'data', { mirrors: 1 })))).toBe('ANVIL_ERR_VOLUME_UNAVAILABLE');
    as(store, (cp) => cp.addNode({ name: 'node1' }));
    expect(volume(store).state).toBe('lost');
    expect(pod(store).status.state).toBe('pending');
    expect(sound(store)).toEqual([]);
  });
});

describe('--mirrors down', () => {
  it('drops one plex at a time, an out-of-sync one first and never the one its pod reads locally', () => {
    const store = cluster(4);
    as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, mirrors: 3 }));
    as(store, (cp) => cp.createPod(podSpec('db', { volumes: ['data'] })));
    const local = volume(store).attachment;
    if (local.state !== 'attached') throw new Error('expected attached');
    const stale = volume(store)
      .plexes.map((p) => p.node)
      .find((n) => n !== local.node)!;
    // Its node is down: that plex falls out of sync (it would be resynced as soon as the node recovers).
    as(store, (cp) => cp.failNode(stale));
    expect(codeOf(() => as(store, (cp) => cp.updateVolume('default', 'data', { mirrors: 1 })))).toBe('ANVIL_ERR_FIELD_INVALID');
    const two = as(store, (cp) => cp.updateVolume('default', 'data', { mirrors: 2 }));
    expect(two.plexes.map((p) => p.node)).not.toContain(stale);
    expect(two).toMatchObject({ mirrors: 2, state: 'in-sync' });
    const one = as(store, (cp) => cp.updateVolume('default', 'data', { mirrors: 1 }));
    expect(one.plexes).toEqual([{ node: local.node, drive: 0, offset_bytes: 0, state: 'in-sync' }]);
    expect(one.attachment).toMatchObject({ state: 'attached', node: local.node, via: 'local' });
    expect(sound(store)).toEqual([]);
  });
});

describe('a state written by an older build', () => {
  it("loads its volumes up to date: a removed node's plex dropped, a failed node's only copy offline, each volume's state", async () => {
    const { default: Database } = await import('better-sqlite3');
    const { store, path } = openStore();
    as(store, (cp) => cp.createCluster({ name: 'c1', nodes: 3 }));
    as(store, (cp) =>
      cp.createVolume({ namespace: 'default', name: 'solo', size_bytes: 2 ** 30, node_selector: { 'kubernetes.io/hostname': 'node1' } }),
    );
    as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'pair', size_bytes: 2 ** 30, mirrors: 2, node_selector: {} }));
    as(store, (cp) => cp.failNode('node1'));
    store.close();
    // As those builds left them: no state, the failed node's only copy out of sync, a plex on a node long removed.
    const db = new Database(path);
    const edit = (name: string, change: (v: Record<string, unknown>) => void) => {
      const row = db.prepare("SELECT doc FROM objects WHERE kind = 'Volume' AND key = ?").get(`default/${name}`) as { doc: string };
      const v = JSON.parse(row.doc) as Record<string, unknown>;
      delete v.state;
      change(v);
      db.prepare("UPDATE objects SET doc = ? WHERE kind = 'Volume' AND key = ?").run(JSON.stringify(v), `default/${name}`);
    };
    edit('solo', (v) => (v.plexes = [{ node: 'node1', state: 'out-of-sync' }]));
    edit('pair', (v) => (v.plexes = [...(v.plexes as object[]), { node: 'gone', state: 'out-of-sync' }]));
    db.close();
    const { Store } = await import('../../platform/state/store.js');
    const again = Store.open(path, () => new Date(Date.UTC(2026, 1, 1)));
    expect(volume(again, 'solo')).toMatchObject({ state: 'unavailable', plexes: [{ node: 'node1', state: 'offline' }] });
    // pair's plexes are on node2 and node3 (node1 held less free space): in sync, without the ghost plex.
    expect(volume(again, 'pair')).toMatchObject({
      state: 'in-sync',
      plexes: [
        { node: 'node2', state: 'in-sync' },
        { node: 'node3', state: 'in-sync' },
      ],
    });
    expect(sound(again)).toEqual([]);
    // It stays changeable: the invariants hold, and the only copy comes back with its node.
    as(again, (cp) => cp.recoverNode('node1'));
    expect(volume(again, 'solo')).toMatchObject({ state: 'in-sync', plexes: [{ node: 'node1', state: 'in-sync' }] });
  });
});
