/**
 * Issue 18, "why this node": the scheduler's decision is stored with the pod in the change that places it
 * (placement_decisions, migration 5), survives the state file being reopened, goes when the pod is deleted,
 * and a state file made before decisions were recorded opens with its pods saying "not recorded".
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ControlPlane } from '../../platform/domain/control-plane.js';
import { Store } from '../../platform/state/store.js';
import { ADMIN, as, BLUE, openStore, podSpec, tickingClock } from './control-plane-harness.js';

/** A pod's scheduling answer as the API gives it, from `store`. */
const scheduling = (store: Store, name: string) =>
  store.read((state) =>
    new ControlPlane(state, ADMIN, tickingClock()).podScheduling('default', name, (ns, n) => store.placementDecision(ns, n)),
  );

function seeded(): { store: Store; path: string } {
  const opened = openStore();
  as(opened.store, (cp) => {
    cp.createCluster({ name: 'c', nodes: 3 });
    cp.createNetwork(BLUE);
  });
  as(opened.store, (cp) => cp.createPod(podSpec('web')));
  return opened;
}

describe('placement decisions in the state file', () => {
  it('are stored in the change that places the pod, at its revision, and survive a reopen', () => {
    const { store, path } = seeded();
    const placedAt = store.revision();
    const before = scheduling(store, 'web');
    if (before.state !== 'running' || !('decision' in before)) throw new Error('web is not running');
    expect(before.decision).toMatchObject({ recorded: true, revision: placedAt, chosen: before.node, nodes_in_cluster: 3 });
    store.close();

    const reopened = Store.open(path, tickingClock());
    const after = scheduling(reopened, 'web');
    if (after.state !== 'running' || !('decision' in after)) throw new Error('web is not running after the reopen');
    expect(after.decision).toEqual(before.decision);
    // Deleting the pod drops its decision with it: a pod of the same name later gets its own.
    as(reopened, (cp) => cp.deletePod('default', 'web'));
    expect(reopened.placementDecision('default', 'web')).toBeUndefined();
    reopened.close();
  });

  it('a change that fails stores no decision', () => {
    const { store } = seeded();
    expect(() =>
      as(store, (cp) => {
        cp.createPod(podSpec('doomed'));
        throw new Error('the change fails after placing the pod');
      }),
    ).toThrow(/the change fails/);
    expect(store.placementDecision('default', 'doomed')).toBeUndefined();
    store.close();
  });

  it('a state file made before decisions were recorded opens, and its pods say "not recorded" with the reasons worked out now', () => {
    const { store, path } = seeded();
    store.close();
    // As a build before migration 5 left the file.
    const db = new Database(path);
    db.exec('DROP TABLE placement_decisions; DELETE FROM migrations WHERE version = 5;');
    db.close();

    const reopened = Store.open(path, tickingClock());
    expect(reopened.schemaVersion()).toBe(5);
    const old = scheduling(reopened, 'web');
    if (old.state !== 'running' || !('decision' in old)) throw new Error('web is not running');
    expect(old.decision).toMatchObject({ recorded: false, code: 'not-recorded' });
    expect(old.placement.basis).toBe('worked-out-now');
    // A pod placed from now on has its decision recorded.
    as(reopened, (cp) => cp.createPod(podSpec('api')));
    const fresh = scheduling(reopened, 'api');
    expect(fresh.state === 'running' && 'decision' in fresh && fresh.decision.recorded).toBe(true);
    reopened.close();
  });
});
