/**
 * Issue 12: the in-memory store of the control plane. A change that throws (a refused input half-way, a
 * bug, a broken invariant, a change in steps) leaves its state, order, counters, events and audit log as
 * they were; the simulated clock maps simulated nanoseconds to `Date`, and the events, audit rows and
 * objects of a model-driven control plane carry that time; events are queried as the SQLite table is.
 */
import { describe, expect, it } from 'vitest';
import { simulatedClock, wallClock } from '../../platform/domain/clock.js';
import type { ControlPlane } from '../../platform/domain/control-plane.js';
import { macFromCounter } from '../../platform/domain/scheduling-session.js';
import type { ControlPlaneStore } from '../../platform/state/control-plane-store.js';
import { MemoryStore } from '../../platform/state/memory-store.js';
import { ADMIN, as, BLUE, podSpec } from './control-plane-harness.js';
import { codeOf, openRig, START_MS, snapshotOf, STORE_KINDS } from './store-scenarios.js';

/** Three nodes, a network, a mirrored volume and pods: a state with something in every map. */
function populated(store: ControlPlaneStore): void {
  as(store, (cp) => cp.createCluster({ name: 'c1', nodes: 3 }));
  as(store, (cp) => cp.createNetwork(BLUE));
  as(store, (cp) => cp.createTenant('zeta'));
  as(store, (cp) => cp.createTenant('alpha'));
  as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, mirrors: 2 }));
  as(store, (cp) => cp.createPod(podSpec('db', { volumes: ['data'] })));
  for (const n of ['web-2', 'web-1']) as(store, (cp) => cp.createPod(podSpec(n)));
}

const keyOrder = (store: ControlPlaneStore) => store.read((s) => [...s.documents()].map(([kind, key]) => `${kind}/${key}`));

describe('a failing change on the in-memory store', () => {
  const failures: [string, (cp: ControlPlane) => unknown, RegExp | string][] = [
    [
      'a refusal half-way, after a pod was placed',
      (cp) => [cp.createPod(podSpec('ok')), cp.createPod(podSpec('ok'))],
      'ANVIL_ERR_OBJECT_EXISTS',
    ],
    [
      'a throw after a node failed and a tenant was made',
      (cp) => {
        cp.createTenant('aaa');
        cp.failNode('node1');
        throw new Error('boom');
      },
      /^boom$/,
    ],
    // A bug the store must catch: the node goes from the state without its pods.
    [
      'a broken invariant (a running pod on a node that is gone)',
      (cp) => cp.state.nodes.delete('node1'),
      /would break invariants: pod default\/.* runs on missing node node1/,
    ],
    [
      'a counter moved before the refusal',
      (cp) => [cp.createEndpoint('default', 'e1', 'blue'), cp.createEndpoint('default', 'e1', 'blue')],
      'ANVIL_ERR_OBJECT_EXISTS',
    ],
  ];

  it.each(failures)('leaves the state, its order, counters, events and audit log untouched: %s', (_name, fn, error) => {
    const store = new MemoryStore();
    populated(store);
    const before = snapshotOf(store);
    const order = keyOrder(store);
    if (typeof error === 'string') expect(codeOf(() => as(store, fn))).toBe(error);
    else expect(() => as(store, fn)).toThrow(error);
    expect(snapshotOf(store)).toEqual(before);
    expect(keyOrder(store)).toEqual(order);
    // The next change starts from the state before: the MAC and sequence number the failed one took are given again.
    const next = as(store, (cp) => cp.createPod(podSpec('next')));
    const counters = store.read((s) => s.counters);
    expect(next.seq).toBe(counters.next_pod_seq - 1);
    expect(next.status.state === 'running' && next.status.endpoints[0]!.mac).toBe(macFromCounter(counters.next_mac - 1));
    expect(JSON.parse(before.documents)[1][2]).toMatchObject({ next_pod_seq: next.seq, next_mac: counters.next_mac - 1 });
  });

  it('leaves it untouched when a change in steps throws half-way', async () => {
    const store = new MemoryStore();
    populated(store);
    const before = snapshotOf(store);
    function* steps(cp: ControlPlane): Generator<void, void, void> {
      for (let i = 0; i < 120; i++) {
        cp.createPod(podSpec(`bulk-${i}`, { memory_bytes: 2 ** 20 }));
        yield;
      }
      throw new Error('the last step fails');
    }
    await expect(store.changeInSteps(ADMIN, 'apply manifests', 'namespaces/default', steps)).rejects.toThrow('the last step fails');
    expect(snapshotOf(store)).toEqual(before);
  });
});

describe('a control plane on a simulated clock', () => {
  it('maps simulated nanoseconds after the start epoch to Date, truncated to the millisecond', () => {
    let ns = 0;
    const clock = simulatedClock(START_MS, () => ns);
    expect(clock().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    ns = 1_999_999;
    expect(clock().toISOString()).toBe('2026-01-01T00:00:00.001Z');
    ns = 86_400e9 + 250e6;
    expect(clock().toISOString()).toBe('2026-01-02T00:00:00.250Z');
    ns = -1;
    expect(() => clock()).toThrow(RangeError);
    ns = Number.NaN;
    expect(() => clock()).toThrow(/not a finite time/);
    expect(() => simulatedClock(Number.NaN, () => 0)).toThrow(RangeError);
  });

  it.each(STORE_KINDS)('stamps objects, events and audit rows with simulated time on the %s store', (kind) => {
    const rig = openRig(kind);
    rig.change((cp) => cp.createCluster({ name: 'c1', nodes: 2 })); // at 1 s
    rig.change((cp) => cp.createNetwork(BLUE)); // at 2 s
    const db = rig.change((cp) => cp.createPod(podSpec('db'))); // at 3 s
    expect(db.created_at).toBe('2026-01-01T00:00:03.000Z');
    // A node fails 90 simulated minutes and 1.5 ms later, as a model's failure event would make it.
    rig.advance(90 * 60e9 + 1.5e6);
    const node = db.status.state === 'running' ? db.status.node : 'node1';
    rig.change((cp) => cp.failNode(node)); // at 3 s + 1 s + 90 min + 1.5 ms
    const at = '2026-01-01T01:30:04.001Z';
    const down = rig.store.events({ limit: -1 }).filter((e) => e.reason === 'NodeDown');
    expect(down.map((e) => e.at)).toEqual([at]);
    expect(rig.store.read((s) => s.nodes.get(node)!.status)).toEqual({ state: 'down', since: at });
    expect(rig.store.audit(1).map((a) => a.at)).toEqual([at]);
    expect(
      rig.store
        .events({ limit: -1 })
        .filter((e) => e.reason === 'Scheduled')
        .map((e) => e.at),
    ).toEqual(['2026-01-01T00:00:03.000Z', at]);
    rig.store.close();
  });

  it('reads the wall clock by default', () => {
    const before = Date.now();
    const store = new MemoryStore();
    as(store, (cp) => cp.createTenant('t1'));
    const at = Date.parse(store.audit(1)[0]!.at);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(wallClock().getTime());
  });
});

describe('events on the in-memory store', () => {
  it('are queried as the SQLite table is: newest last, limits, severity, and LIKE on the object', () => {
    const [sqlite, memory] = [openRig('sqlite'), openRig('memory')];
    for (const rig of [sqlite, memory]) {
      rig.change((cp) => cp.createCluster({ name: 'c1', nodes: 2 }));
      rig.change((cp) => cp.createNetwork(BLUE));
      for (let i = 0; i < 60; i++)
        rig.change((cp) => cp.createPod(podSpec(`web-${i % 7}x${i}`, { cpu_millicores: 10, memory_bytes: 2 ** 20 })));
      rig.change((cp) => cp.failNode('node1'));
    }
    const queries = [
      ...[{}, { limit: 0 }, { limit: 5 }, { limit: -1 }, { severity: 'error' as const }, { severity: 'info' as const, limit: 3 }],
      // LIKE: ASCII case ignored, `_` any one character, `%` any run.
      ...[
        { object: 'node1' },
        { object: 'WEB_3' },
        { object: 'web_3x1' },
        { object: 'web%x1' },
        { object: 'POD/default/web_1x1_' },
        { object: 'no-such' },
      ],
    ];
    for (const q of queries) {
      const expected = sqlite.store.events(q);
      expect(memory.store.events(q), JSON.stringify(q)).toEqual(expected);
    }
    // The queries above are not all empty or all alike.
    expect(new Set(queries.map((q) => memory.store.events(q).length)).size).toBeGreaterThan(5);
    for (const limit of [0, 1, 100, -1]) expect(memory.store.audit(limit)).toEqual(sqlite.store.audit(limit));
    sqlite.store.close();
  });
});
