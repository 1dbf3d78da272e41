/**
 * The placement index (platform/domain/placement-index.ts): placement reads each node's storage in use from
 * an index kept by the changes instead of working it out from every volume. Random sequences of creates,
 * deletes, grows, mirror changes, snapshots, restores, pods and faults run twice: on the SQLite store (the
 * index, kept across changes and rebuilt when a failed change makes the store read the file again) and on
 * states that work the use out afresh every time (the code before the index). Every answer (placements,
 * errors) must be the same, and the index after a reopen of the file must hold what the fresh computation
 * gives.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterState } from '../../platform/domain/cluster-state.js';
import { ControlPlane } from '../../platform/domain/control-plane.js';
import { freshPlacementUse, placementContents } from '../../platform/domain/placement-index.js';
import { isAnvilError } from '../../platform/errors.js';
import { requireInvariants } from '../../platform/state/change-rules.js';
import { Store } from '../../platform/state/store.js';
import { tempDir } from '../cli-harness.js';
import { ADMIN, BLUE, podSpec, smallProfilePath } from './control-plane-harness.js';

const GIB = 2 ** 30;

type Op =
  | { kind: 'create'; size: number; mirrors: number; spread: boolean }
  | { kind: 'delete' | 'snapshot' | 'restore' | 'pod' | 'deletePod'; pick: number }
  | { kind: 'grow'; pick: number; more: number }
  | { kind: 'mirrors'; pick: number; delta: 1 | -1 }
  | { kind: 'failNode' | 'recover' | 'removeNode'; node: number }
  | { kind: 'failDrive'; node: number; drive: number }
  | { kind: 'addNode' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      size: fc.integer({ min: 1, max: 6 }),
      mirrors: fc.integer({ min: 1, max: 3 }),
      spread: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('delete' as const, 'snapshot' as const, 'restore' as const, 'pod' as const, 'deletePod' as const),
      pick: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('grow' as const), pick: fc.nat(), more: fc.integer({ min: 1, max: 4 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('mirrors' as const), pick: fc.nat(), delta: fc.constantFrom(1 as const, -1 as const) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom('failNode' as const, 'recover' as const, 'removeNode' as const), node: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('failDrive' as const), node: fc.nat(), drive: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('addNode' as const) }) },
);

/** Two drives per node (100 GB and 60 GB, in 8 GiB plexes they fragment), 20 volumes a node at most. */
const profile = smallProfilePath({ drives: '[{ profile: intel-p4510-4tb, capacity: 100G }, { profile: intel-p4510-4tb, capacity: 60G }]' });

/** The change each op stands for, the same on both sides: names are picked from the ops so far, not the state. */
function changeOf(o: Op, step: number, volumes: string[], nodes: string[]): (cp: ControlPlane) => unknown {
  const vol = (pick: number) => volumes[pick % Math.max(1, volumes.length)] ?? 'none';
  const node = (n: number) => nodes[n % nodes.length]!;
  switch (o.kind) {
    case 'create': {
      const name = `v${step}`;
      volumes.push(name);
      return (cp) =>
        cp.createVolume({ namespace: 'default', name, size_bytes: o.size * 8 * GIB, mirrors: o.mirrors, spread_zones: o.spread });
    }
    case 'delete':
      return (cp) => cp.deleteVolume('default', vol(o.pick), true);
    case 'grow':
      return (cp) => {
        const v = cp.state.volumes.get(`default/${vol(o.pick)}`);
        return cp.updateVolume('default', vol(o.pick), { size_bytes: (v?.size_bytes ?? GIB) + o.more * 4 * GIB });
      };
    case 'mirrors':
      return (cp) =>
        cp.updateVolume('default', vol(o.pick), {
          mirrors: (cp.state.volumes.get(`default/${vol(o.pick)}`)?.plexes.length ?? 1) + o.delta,
        });
    case 'snapshot':
      return (cp) => cp.createSnapshot('default', `s${step}`, vol(o.pick));
    case 'restore': {
      const name = `r${step}`;
      volumes.push(name);
      return (cp) => {
        const snap = [...cp.state.snapshots.values()][o.pick % Math.max(1, cp.state.snapshots.size)];
        return cp.restoreSnapshot('default', snap?.name ?? 'none', name);
      };
    }
    case 'pod':
      return (cp) => cp.createPod(podSpec(`p${step}`, { volumes: [vol(o.pick)] }));
    case 'deletePod':
      return (cp) => {
        const pod = [...cp.state.pods.values()][o.pick % Math.max(1, cp.state.pods.size)];
        cp.deletePod('default', pod?.name ?? 'none');
      };
    case 'failNode':
      return (cp) => cp.failNode(node(o.node));
    case 'recover':
      return (cp) => cp.recoverNode(node(o.node));
    case 'removeNode':
      return (cp) => cp.removeNode(node(o.node), true);
    case 'failDrive':
      return (cp) => cp.failDrive(node(o.node), o.drive);
    case 'addNode': {
      const name = `extra${step}`;
      nodes.push(name);
      return (cp) => cp.addNode({ name, profile, zone: `zone-${step % 2}` });
    }
  }
}

/** A change's answer as the user sees it: what it returned, or the coded error. */
function answerOf(fn: () => unknown): string {
  try {
    return JSON.stringify(fn() ?? null);
  } catch (e) {
    if (isAnvilError(e)) return `${e.code}: ${e.message} ${JSON.stringify(e.details ?? [])}`;
    throw e;
  }
}

const setup: ((cp: ControlPlane) => unknown)[] = [
  (cp) => cp.createCluster({ name: 'c', nodes: 4, nodeProfile: profile, zones: 2 }),
  (cp) => cp.createNetwork(BLUE),
];

describe('the placement index', () => {
  it('places exactly as the fresh computation from every volume, and holds after a reopen what the volumes give', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 70 }), (ops) => {
        let at = Date.UTC(2026, 0, 1);
        const clock = () => new Date(at);
        const path = join(tempDir('anvil-placement-index-'), 'state.db');
        const store = Store.open(path, clock);
        // The reference: a state without an index, changed on a copy kept only when the change succeeds.
        let fresh = new ClusterState({ placementIndex: false });
        const onBoth = (fn: (cp: ControlPlane) => unknown) => {
          at += 1000;
          const indexed = answerOf(() => store.change(ADMIN, 'test', 'test', fn));
          const answer = answerOf(() => {
            const work = fresh.clone();
            const result = fn(new ControlPlane(work, ADMIN, clock));
            requireInvariants(work, 'test', 'test');
            // As a store commits: each kind in key order, the order it reads them back in.
            for (const kind of ['Node', 'Network', 'PerfTier', 'Volume', 'Snapshot', 'Pod', 'Endpoint', 'Tenant', 'User', 'Quota'])
              work.sortByKey(kind);
            fresh = work;
            return result;
          });
          expect(indexed).toBe(answer);
        };
        setup.forEach(onBoth);
        const volumes: string[] = [];
        const nodes = store.read((s) => [...s.nodes.keys()]);
        ops.forEach((o, step) => onBoth(changeOf(o, step, volumes, nodes)));
        const kept = store.read((s) => placementContents(s.placementUse(), s));
        const reference = placementContents(freshPlacementUse(fresh), fresh);
        expect(kept).toEqual(reference);
        store.close();
        const reopened = Store.open(path, clock);
        try {
          expect(reopened.read((s) => placementContents(s.placementUse(), s))).toEqual(reference);
          // Every object as written by the commits (only what each change set or deleted) and read back.
          expect(reopened.read((s) => JSON.stringify([...s.documents()]))).toBe(JSON.stringify([...fresh.documents()]));
        } finally {
          reopened.close();
        }
      }),
      { numRuns: 25, seed: 19 },
    );
  });

  it('places a volume without walking every volume', () => {
    const state = new ClusterState();
    const cp = () => new ControlPlane(state, ADMIN, () => new Date(Date.UTC(2026, 0, 1)));
    setup.forEach((fn) => fn(cp()));
    for (let i = 0; i < 30; i++) cp().createVolume({ namespace: 'default', name: `v${i}`, size_bytes: GIB, mirrors: 2 });
    // Any walk of the volumes (values, keys, entries, for-of, forEach) from here on is counted.
    let walks = 0;
    const volumes = state.volumes as Map<string, unknown> & Record<string, unknown>;
    for (const method of ['values', 'keys', 'entries', 'forEach', Symbol.iterator] as const) {
      const original = (Map.prototype as unknown as Record<PropertyKey, (...args: unknown[]) => unknown>)[method]!;
      Object.defineProperty(volumes, method, {
        value(this: Map<string, unknown>, ...args: unknown[]) {
          walks++;
          return original.apply(this, args);
        },
      });
    }
    const placed = cp().createVolume({ namespace: 'default', name: 'new', size_bytes: GIB, mirrors: 2 });
    expect(placed.plexes).toHaveLength(2);
    expect(walks).toBe(0);
    // The counting is live: a listing walks them.
    void [...state.volumes.values()];
    expect(walks).toBe(1);
  });
});
