/**
 * A commit checks the invariants of what it changed (invariant-scope.ts, scopedInvariantViolations): the
 * volumes and snapshots a change touched and the nodes holding them, every invariant when it changed
 * anything else. The check of what changed must catch every broken volume change the whole-state check
 * catches: a sound state is changed by one random edit of a volume (its plexes moved, doubled, grown,
 * put on another drive or node; its snapshots multiplied), and whenever the whole state is broken, the
 * scoped check says so too. Through the store, a group that breaks a volume invariant is refused by the
 * scoped check itself (not by the tests' whole-state check behind it).
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterState } from '../../../platform/domain/cluster-state.js';
import { ControlPlane } from '../../../platform/domain/control-plane.js';
import { invariantViolations, scopedInvariantViolations } from '../../../platform/domain/invariants.js';
import { keyOf, type Snapshot, type Volume } from '../../../platform/domain/volume.js';
import { Store } from '../../../platform/state/store.js';
import { tempDir } from '../../cli-harness.js';
import { ADMIN, tickingClock } from '../control-plane-harness.js';

const GIB = 2 ** 30;

/** A sound state of 4 nodes and `volumes` volumes of 1-3 mirrors; its scope taken, so only later edits are in it. */
function soundState(volumes: number): ClusterState {
  const state = new ClusterState();
  const cp = new ControlPlane(state, ADMIN, tickingClock());
  cp.createCluster({ name: 'c', nodes: 4 });
  for (let i = 0; i < volumes; i++)
    cp.createVolume({ namespace: 'default', name: `v${i}`, size_bytes: (1 + (i % 5)) * 64 * GIB, mirrors: 1 + (i % 3) });
  cp.createSnapshot('default', 's0', 'v0');
  expect(invariantViolations(state)).toEqual([]);
  state.takeInvariantScope();
  return state;
}

type Edit =
  | { kind: 'plexNode'; pick: number; plex: number; node: number }
  | { kind: 'plexDrive'; pick: number; plex: number; drive: number }
  | { kind: 'plexOffset'; pick: number; plex: number; offsetGib: number }
  | { kind: 'duplicatePlex'; pick: number }
  | { kind: 'grow'; pick: number; gib: number }
  | { kind: 'mirrors'; pick: number; mirrors: number }
  | { kind: 'snapshots'; pick: number; count: number }
  | { kind: 'newVolume'; node: number; drive: number; offsetGib: number; gib: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('plexNode' as const), pick: fc.nat(), plex: fc.nat(), node: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('plexDrive' as const), pick: fc.nat(), plex: fc.nat(), drive: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ kind: fc.constant('plexOffset' as const), pick: fc.nat(), plex: fc.nat(), offsetGib: fc.integer({ min: 0, max: 4000 }) }),
  fc.record({ kind: fc.constant('duplicatePlex' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('grow' as const), pick: fc.nat(), gib: fc.integer({ min: 1, max: 40000 }) }),
  fc.record({ kind: fc.constant('mirrors' as const), pick: fc.nat(), mirrors: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('snapshots' as const), pick: fc.nat(), count: fc.integer({ min: 1, max: 20 }) }),
  fc.record({
    kind: fc.constant('newVolume' as const),
    node: fc.integer({ min: 1, max: 5 }),
    drive: fc.integer({ min: 0, max: 3 }),
    offsetGib: fc.integer({ min: 0, max: 4000 }),
    gib: fc.integer({ min: 1, max: 4000 }),
  }),
);

/** Applies one edit to the state's maps, as a faulty service would (objects replaced, as the domain does). */
function applyEdit(state: ClusterState, e: Edit): void {
  const volumes = [...state.volumes.values()];
  if (e.kind === 'newVolume') {
    const template = volumes[0]!;
    const v: Volume = {
      ...template,
      name: 'edited',
      size_bytes: e.gib * GIB,
      mirrors: 1,
      plexes: [{ ...template.plexes[0]!, node: `node${e.node}`, drive: e.drive, offset_bytes: e.offsetGib * GIB }],
    };
    state.volumes.set(keyOf(v.namespace, v.name), v);
    return;
  }
  const v = volumes[e.pick % volumes.length]!;
  const key = keyOf(v.namespace, v.name);
  const at = (plex: number) => plex % v.plexes.length;
  const withPlex = (plex: number, over: Partial<Volume['plexes'][number]>): Volume => ({
    ...v,
    plexes: v.plexes.map((p, i) => (i === at(plex) ? ({ ...p, ...over } as typeof p) : p)),
  });
  switch (e.kind) {
    case 'plexNode':
      return void state.volumes.set(key, withPlex(e.plex, { node: `node${e.node}` }));
    case 'plexDrive':
      return void state.volumes.set(key, withPlex(e.plex, { drive: e.drive }));
    case 'plexOffset':
      return void state.volumes.set(key, withPlex(e.plex, { offset_bytes: e.offsetGib * GIB }));
    case 'duplicatePlex':
      return void state.volumes.set(key, { ...v, mirrors: v.mirrors + 1, plexes: [...v.plexes, v.plexes[0]!] });
    case 'grow':
      return void state.volumes.set(key, { ...v, size_bytes: e.gib * GIB });
    case 'mirrors':
      return void state.volumes.set(key, { ...v, mirrors: e.mirrors });
    case 'snapshots':
      for (let i = 0; i < e.count; i++) {
        const s: Snapshot = { ...state.snapshots.get('default/s0')!, name: `e${i}`, volume: v.name, nodes: v.plexes.map((p) => p.node) };
        state.snapshots.set(keyOf(s.namespace, s.name), s);
      }
  }
}

describe('the invariants of what a change touched', () => {
  it('catch every broken volume edit the whole-state check catches', () => {
    let broken = 0;
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 3 }), (edits) => {
        const state = soundState(12);
        for (const e of edits) applyEdit(state, e);
        const whole = invariantViolations(state);
        const scope = state.takeInvariantScope();
        expect(scope.wide).toBe(false);
        const scoped = scopedInvariantViolations(state, scope);
        if (whole.length > 0) broken++;
        // It finds something whenever the whole check does, and nothing when that finds nothing (no false alarm).
        expect({ edits, scoped: scoped.length > 0 }).toEqual({ edits, scoped: whole.length > 0 });
      }),
      { numRuns: 300, seed: 19 },
    );
    // The edits do break the state often: the property is not vacuous.
    expect(broken).toBeGreaterThan(100);
  });

  it('check the whole state after a change of anything else, and after a load', () => {
    const state = soundState(3);
    const node = state.nodes.get('node1')!;
    state.nodes.set('node1', { ...node, links_down: ['no-such-port'] });
    const scope = state.takeInvariantScope();
    expect(scope.wide).toBe(true);
    expect(scopedInvariantViolations(state, scope).join()).toMatch(/link down on port no-such-port/);
    expect(new ClusterState().takeInvariantScope().wide).toBe(true);
  });

  it('refuse, through the store, a group that breaks a volume invariant, by the scoped check itself', async () => {
    const store = Store.open(join(tempDir('anvil-scoped-'), 'state.db'), tickingClock());
    store.change(ADMIN, 'test', 'test', (cp) => cp.createCluster({ name: 'c', nodes: 3 }));
    await store.changeInGroup(ADMIN, 'create volumes', 'volumes/default/a', (cp) =>
      cp.createVolume({ namespace: 'default', name: 'a', size_bytes: GIB }),
    );
    const outcomes = await Promise.allSettled([
      store.changeInGroup(ADMIN, 'create volumes', 'volumes/default/b', (cp) =>
        cp.createVolume({ namespace: 'default', name: 'b', size_bytes: GIB }),
      ),
      store.changeInGroup(ADMIN, 'overlap', 'volumes/default/c', (cp) => {
        const a = cp.state.volumes.get('default/a')!;
        // A volume whose plex lies on a's extent: only the nodes' extents say so.
        cp.state.volumes.set('default/c', { ...a, name: 'c' });
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    const reason = String((outcomes[1] as PromiseRejectedResult).reason);
    expect(reason).toMatch(/would break invariants: node node\d drive \d: plexes of default\/a and default\/c overlap/);
    expect(reason).not.toMatch(/missed by the check of what changed/);
    expect(store.read((s) => [...s.volumes.keys()])).toEqual(['default/a', 'default/b']);
    store.close();
  });
});
