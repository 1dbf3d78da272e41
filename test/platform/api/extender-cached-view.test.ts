/**
 * The extender keeps its scheduling view between calls (issue 19): built once per state, handed over by
 * bind (which places its pod with it rather than building its own), kept across changes that touch nothing
 * it is made of (a detached volume, a tenant), rebuilt after any other change (this process's or another's). Its answers, and where its binds place pods, equal a fresh view's on randomized
 * clusters and call sequences (fast-check).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../../platform/api/server.js';
import { anvilPodInput, KUBE_SCHEDULER, PodAssessment, readOnlySession, unknownNodeReason } from '../../../platform/api/extender/assess.js';
import type { ClusterState } from '../../../platform/domain/cluster-state.js';
import { ControlPlane } from '../../../platform/domain/control-plane.js';
import { MAX_EXTENDER_PRIORITY } from '../../../platform/api/extender/k8s-types.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { isAnvilError } from '../../../platform/errors.js';
import { Store } from '../../../platform/state/store.js';
import { tickingClock } from '../control-plane-harness.js';

const k8sPod = (name: string, cpuMillicores: number, selector?: string) => ({
  metadata: { name, namespace: 'a', uid: `uid-${name}` },
  spec: {
    containers: [{ name: 'c', resources: { requests: { cpu: `${cpuMillicores}m`, memory: '64Mi' } } }],
    ...(selector !== undefined ? { nodeSelector: { 'kubernetes.io/hostname': selector } } : {}),
  },
});

async function served(statePath: string, nodes: number) {
  const { app, api } = await buildServer({ statePath, clock: tickingClock() });
  api.store.change(localAdmin('admin'), 'seed', 'seed', (cp) => {
    cp.createCluster({ name: 'c1', nodes });
    cp.createNetwork({ name: 'net1', subnet: '10.1.0.0/16', start: '10.1.0.10', end: '10.1.250.200', gateway: '10.1.0.1' });
    cp.createTenant('a');
  });
  const post = async (verb: string, body: unknown) => {
    const r = await app.inject({ method: 'POST', url: `/scheduler/${verb}`, payload: body as object });
    expect(r.statusCode).toBe(200);
    return r.json();
  };
  const viewsBuilt = async () => {
    const text = (await api.metrics.metrics()).split('\n').find((l) => l.startsWith('anvil_extender_views_built_total '));
    return Number(text?.split(' ')[1]);
  };
  return { app, api, post, viewsBuilt };
}

/**
 * Where a bind of a new pod would put it on a view built afresh from the state now (on a copy of it): the
 * placed pod's status, as the extender's bind answers it.
 */
function freshBind(store: Store, k8s: unknown, node: string) {
  return store.read((state) => {
    const cp = new ControlPlane(state.clone(), KUBE_SCHEDULER, () => new Date(0));
    const input = anvilPodInput(cp, k8s);
    const placed = cp.createPod({ ...input, node_selector: { ...input.node_selector, 'kubernetes.io/hostname': node } });
    return placed.status.state === 'running' ? { node: placed.status.node, endpoints: placed.status.endpoints } : 'fails';
  });
}

// The reference the extender's answers are held to: a view built afresh for each question, its verdicts in
// a Map and scaled in plain steps. The extender's own loops (plugins/extender.ts) answer from the cached
// view without these per-call Maps, which cost ~10x at 5,000 candidates (measured when c2d682d reused them).
type NodeVerdict = { state: 'fits'; score: number } | { state: 'fails'; reason: string } | { state: 'unknown'; reason: string };

/** Per candidate name, in order (a name given twice once): fits with a raw score, fails, or not an Anvil node. */
function assessNodes(state: ClusterState, k8s: unknown, nodeNames: readonly string[]): Map<string, NodeVerdict> {
  const assessment = new PodAssessment(readOnlySession(state), state, k8s);
  const out = new Map<string, NodeVerdict>();
  for (const name of nodeNames) {
    const i = assessment.indexOf(name);
    if (i === undefined) out.set(name, { state: 'unknown', reason: unknownNodeReason(name) });
    else if (assessment.fits(i)) out.set(name, { state: 'fits', score: assessment.score(i) });
    else out.set(name, { state: 'fails', reason: assessment.reason(i) });
  }
  return out;
}

/** Raw scores scaled to 0..max over the fitting nodes (the best gets max); the others 0. */
function scaledScores(verdicts: ReadonlyMap<string, NodeVerdict>, max: number): { Host: string; Score: number }[] {
  const fits = [...verdicts.values()].flatMap((v) => (v.state === 'fits' ? [v.score] : []));
  const lo = Math.min(...fits);
  const hi = Math.max(...fits);
  return [...verdicts].map(([Host, v]) => ({
    Host,
    Score: v.state !== 'fits' ? 0 : hi === lo ? max : Math.round(((v.score - lo) / (hi - lo)) * max),
  }));
}

/** What a fresh assessment of the state now answers, in the extender's shapes. */
function fresh(store: Store, pod: unknown, names: string[]) {
  return store.read((state) => {
    const verdicts = assessNodes(state, pod, names);
    const failed: Record<string, string> = {};
    const unresolvable: Record<string, string> = {};
    for (const [n, v] of verdicts) {
      if (v.state === 'fails') failed[n] = v.reason;
      if (v.state === 'unknown') unresolvable[n] = v.reason;
    }
    return {
      filter: {
        NodeNames: names.filter((n) => verdicts.get(n)?.state === 'fits'),
        FailedNodes: failed,
        FailedAndUnresolvableNodes: unresolvable,
      },
      prioritize: scaledScores(verdicts, MAX_EXTENDER_PRIORITY),
    };
  });
}

describe('the extender keeps its scheduling view', () => {
  it('builds it once per state: filter and prioritize of pods in a row share it, a bind hands its own over, other changes make it anew', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-extender-view-'));
    const statePath = join(dir, 'state.db');
    const w = await served(statePath, 4);
    const names = ['node1', 'node2', 'node3', 'node4'];
    try {
      for (const name of ['p1', 'p2', 'p3']) {
        await w.post('filter', { Pod: k8sPod(name, 500), NodeNames: names });
        await w.post('prioritize', { Pod: k8sPod(name, 500), NodeNames: names });
      }
      expect(await w.viewsBuilt()).toBe(1);
      expect((await w.post('bind', { PodName: 'p1', PodNamespace: 'a', PodUID: 'uid-p1', Node: 'node2' })).Error).toBe('');
      // node2 now holds p1's 500m: a pod of every node's whole CPU fits everywhere but there.
      const whole = w.api.store.read((s) => s.nodes.get('node1')!.inventory.cpu_millicores);
      const afterBind = await w.post('filter', { Pod: k8sPod('big', whole), NodeNames: names });
      expect(await w.viewsBuilt()).toBe(1);
      expect(afterBind.NodeNames).toEqual(['node1', 'node3', 'node4']);
      expect(Object.keys(afterBind.FailedNodes)).toEqual(['node2']);
      expect(afterBind).toMatchObject(fresh(w.api.store, k8sPod('big', whole), names).filter);
      // A bind right after another change builds the one view (counted), and hands it to the next filter.
      w.api.store.change(localAdmin('admin'), 'cordon nodes', 'nodes/node4', (cp) => cp.cordonNode('node4'));
      await w.post('filter', { Pod: k8sPod('p2', 500), NodeNames: names });
      expect(await w.viewsBuilt()).toBe(2);
      w.api.store.change(localAdmin('admin'), 'uncordon nodes', 'nodes/node4', (cp) => cp.uncordonNode('node4'));
      expect((await w.post('bind', { PodName: 'p2', PodNamespace: 'a', PodUID: 'uid-p2', Node: 'node2' })).Error).toBe('');
      expect(await w.viewsBuilt()).toBe(3);
      expect((await w.post('filter', { Pod: k8sPod('p3', 500), NodeNames: names })).NodeNames).toEqual(names);
      expect(await w.viewsBuilt()).toBe(3);
      // Another process cordons node3 on the same file: the next call sees it.
      const other = Store.open(statePath, tickingClock());
      other.change(localAdmin('admin'), 'cordon nodes', 'nodes/node3', (cp) => cp.cordonNode('node3'));
      other.close();
      const afterOther = await w.post('filter', { Pod: k8sPod('p4', 500), NodeNames: names });
      expect(Object.keys(afterOther.FailedNodes)).toEqual(['node3']);
      expect(await w.viewsBuilt()).toBe(4);
      // A change through the API (not a bind) also makes the next call build a view.
      w.api.store.change(localAdmin('admin'), 'uncordon nodes', 'nodes/node3', (cp) => cp.uncordonNode('node3'));
      expect((await w.post('filter', { Pod: k8sPod('p4', 500), NodeNames: names })).NodeNames).toEqual(names);
      expect(await w.viewsBuilt()).toBe(5);
      // A change that touches nothing the view is made of (a detached volume, a tenant) keeps it.
      w.api.store.change(localAdmin('admin'), 'create volumes', 'volumes/a/data', (cp) =>
        cp.createVolume({ namespace: 'a', name: 'data', size_bytes: 2 ** 30, mirrors: 2 }),
      );
      w.api.store.change(localAdmin('admin'), 'create namespaces', 'namespaces/b', (cp) => cp.createTenant('b'));
      const afterVolume = await w.post('filter', { Pod: k8sPod('p5', whole), NodeNames: names });
      expect(await w.viewsBuilt()).toBe(5);
      expect(afterVolume).toMatchObject(fresh(w.api.store, k8sPod('p5', whole), names).filter);
      expect((await w.post('bind', { PodName: 'p5', PodNamespace: 'a', PodUID: 'uid-p5', Node: 'node1' })).Error).toBe('');
      expect(await w.viewsBuilt()).toBe(5);
    } finally {
      await w.app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers as a fresh assessment would, over random clusters and random filter, prioritize, bind and delete sequences', async () => {
    type Step =
      | { kind: 'ask'; pod: number; cpu: number; candidates: number[]; selector: number | undefined }
      | { kind: 'bind'; pod: number; cpu: number; node: number }
      | { kind: 'delete'; pod: number }
      | { kind: 'cordon'; node: number }
      | { kind: 'volume'; n: number; mirrors: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant('ask' as const),
        pod: fc.nat(5),
        cpu: fc.integer({ min: 100, max: 12_000 }),
        // Indices past the cluster's size name nodes Anvil does not have.
        candidates: fc.array(fc.nat(9), { maxLength: 8 }),
        selector: fc.option(fc.nat(6), { nil: undefined }),
      }),
      fc.record({ kind: fc.constant('bind' as const), pod: fc.nat(5), cpu: fc.integer({ min: 100, max: 12_000 }), node: fc.nat(6) }),
      fc.record({ kind: fc.constant('delete' as const), pod: fc.nat(5) }),
      fc.record({ kind: fc.constant('cordon' as const), node: fc.nat(6) }),
      // A change the view is not made of: it keeps the view, whose answers must still be a fresh one's.
      fc.record({ kind: fc.constant('volume' as const), n: fc.nat(3), mirrors: fc.integer({ min: 1, max: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 7 }), fc.array(step, { minLength: 1, maxLength: 14 }), async (nodes, steps) => {
        const w = await served(':memory:', nodes);
        const name = (i: number) => `node${i + 1}`;
        try {
          for (const s of steps) {
            const podName = `p${s.kind === 'cordon' || s.kind === 'volume' ? 0 : s.pod}`;
            if (s.kind === 'ask') {
              const pod = k8sPod(podName, s.cpu, s.selector === undefined ? undefined : name(s.selector));
              const names = [...new Set(s.candidates.map(name))];
              const want = fresh(w.api.store, pod, names);
              const filter = await w.post('filter', { Pod: pod, NodeNames: names });
              if (filter.Error !== '') continue; // a pod Anvil cannot read: no verdicts to compare
              expect(filter).toMatchObject(want.filter);
              expect(await w.post('prioritize', { Pod: pod, NodeNames: names })).toEqual(want.prioritize);
            } else if (s.kind === 'bind') {
              const pod = k8sPod(podName, s.cpu);
              await w.post('filter', { Pod: pod, NodeNames: [name(s.node)] });
              const isNew = !w.api.store.read((state) => state.pods.has(`a/${podName}`));
              const want = isNew ? freshBind(w.api.store, pod, name(s.node)) : undefined;
              const bound = await w.post('bind', { PodName: podName, PodNamespace: 'a', PodUID: `uid-${podName}`, Node: name(s.node) });
              // The bind placed the pod with the extender's view: where a fresh view would have, or not at all.
              if (want !== undefined) {
                const pod = w.api.store.read((state) => state.pods.get(`a/${podName}`));
                if (want === 'fails') expect([bound.Error !== '', pod]).toEqual([true, undefined]);
                else expect([bound.Error, pod?.status]).toMatchObject(['', { state: 'running', ...want }]);
              }
            } else if (s.kind === 'delete') {
              w.api.store.change(localAdmin('admin'), 'delete pods', `pods/a/${podName}`, (cp) => {
                if (cp.state.pods.has(`a/${podName}`)) cp.deletePod('a', podName);
              });
            } else if (s.kind === 'volume') {
              try {
                w.api.store.change(localAdmin('admin'), 'create volumes', `volumes/a/v${s.n}`, (cp) => {
                  if (cp.state.volumes.has(`a/v${s.n}`)) cp.deleteVolume('a', `v${s.n}`);
                  else cp.createVolume({ namespace: 'a', name: `v${s.n}`, size_bytes: 2 ** 30, mirrors: s.mirrors });
                });
              } catch (e) {
                // Too few nodes take a plex (cordoned, or fewer than the mirrors): the change is refused, nothing changes.
                if (!isAnvilError(e) || e.code !== 'ANVIL_ERR_NO_CAPACITY') throw e;
              }
            } else if (s.node < nodes) {
              w.api.store.change(localAdmin('admin'), 'cordon nodes', `nodes/${name(s.node)}`, (cp) => cp.cordonNode(name(s.node)));
            }
          }
        } finally {
          await w.app.close();
        }
      }),
      { numRuns: 25, seed: 19 },
    );
  });
});
