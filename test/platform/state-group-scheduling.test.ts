/**
 * Pods created through the API at once (group commit, store.changeInGroup) share one scheduler's view: the
 * group's first pod builds it, the others are placed on it as it stands after the ones before. The outcome
 * is the one of the same creates made one at a time, and a change of the group that fails leaves nothing of
 * itself in the view the next change is placed on.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnvilError } from '../../platform/errors.js';
import type { ControlPlane } from '../../platform/domain/control-plane.js';
import type { Pod } from '../../platform/domain/pod.js';
import * as session from '../../platform/domain/scheduling-session.js';
import { Store } from '../../platform/state/store.js';
import { tempDir } from '../cli-harness.js';
import { ADMIN, as, BLUE, podSpec, tickingClock } from './control-plane-harness.js';

function storeWithCluster(): Store {
  const store = Store.open(join(tempDir('anvil-group-sched-'), 'state.db'), tickingClock());
  as(store, (cp) => cp.createCluster({ name: 'c', nodes: 3 }));
  as(store, (cp) => cp.createNetwork(BLUE));
  return store;
}

const createPod = (name: string) => (cp: ControlPlane) => cp.createPod(podSpec(name, { cpu_millicores: 7000 }));

/** Where each pod runs and with which address: what a view shared wrongly would get wrong. */
function placements(store: Store): string[] {
  return store.read((s) =>
    [...s.pods.values()].map((p: Pod) =>
      p.status.state === 'running'
        ? `${p.name} ${p.status.node} ${p.status.endpoints.map((e) => `${e.ip} ${e.mac} ${e.port}/${e.vf}`).join(',')}`
        : `${p.name} pending`,
    ),
  );
}

describe('pods created in one group', () => {
  it('are placed on one view built once, as the same creates one at a time place them', async () => {
    const names = Array.from({ length: 24 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    const one = storeWithCluster();
    for (const n of names) as(one, createPod(n));
    const grouped = storeWithCluster();
    const builtBefore = session.schedulingSessionsBuilt;
    const groupsBefore = grouped.groupsCommitted;
    await Promise.all(names.map((n) => grouped.changeInGroup(ADMIN, 'create pods', `pods/default/${n}`, createPod(n))));
    expect(grouped.groupsCommitted - groupsBefore).toBe(1);
    expect(session.schedulingSessionsBuilt - builtBefore).toBe(1);
    // 7 cores each on 40-core nodes: the nodes fill up, so a view that missed the pods before would overbook.
    expect(placements(grouped)).toEqual(placements(one));
    expect(placements(grouped).some((p) => p.endsWith('pending'))).toBe(true);
    one.close();
    grouped.close();
  });

  it('place the change after a failed one on a view without it', async () => {
    const one = storeWithCluster();
    for (const n of ['a', 'b', 'c']) as(one, createPod(n));
    const grouped = storeWithCluster();
    const outcomes = await Promise.allSettled([
      grouped.changeInGroup(ADMIN, 'create pods', 'pods/default/a', createPod('a')),
      grouped.changeInGroup(ADMIN, 'create pods', 'pods/default/half', (cp) => {
        // Placed on the shared view (it takes a node's cores, an IP, a MAC and a VF), then refused.
        createPod('half')(cp);
        throw new AnvilError('ANVIL_ERR_NO_CAPACITY', 'half-made change');
      }),
      grouped.changeInGroup(ADMIN, 'create pods', 'pods/default/b', createPod('b')),
      grouped.changeInGroup(ADMIN, 'create pods', 'pods/default/c', createPod('c')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    // b and c got what they would have got had 'half' never been asked for: no address or core of it held.
    expect(placements(grouped)).toEqual(placements(one));
    one.close();
    grouped.close();
  });

  it('keep the view from group to group, and build it afresh after a change of the nodes or pods outside them', async () => {
    const one = storeWithCluster();
    const grouped = storeWithCluster();
    const inGroup = (n: string) => grouped.changeInGroup(ADMIN, 'create pods', `pods/default/${n}`, createPod(n));
    const builtBefore = session.schedulingSessionsBuilt;
    await Promise.all(['a', 'b'].map(inGroup));
    await Promise.all(['c', 'd'].map(inGroup));
    expect(session.schedulingSessionsBuilt - builtBefore).toBe(1);
    // Outside the groups: a pod placed by a change of its own, then a node drained.
    as(grouped, createPod('e'));
    as(grouped, (cp) => cp.drainNode('node1'));
    const builtAfter = session.schedulingSessionsBuilt;
    await Promise.all(['f', 'g'].map(inGroup));
    expect(session.schedulingSessionsBuilt - builtAfter).toBe(1);
    for (const n of ['a', 'b', 'c', 'd', 'e']) as(one, createPod(n));
    as(one, (cp) => cp.drainNode('node1'));
    for (const n of ['f', 'g']) as(one, createPod(n));
    expect(placements(grouped)).toEqual(placements(one));
    expect(placements(grouped).filter((p) => p.includes(' node1 '))).toEqual([]);
    one.close();
    grouped.close();
  });
});
