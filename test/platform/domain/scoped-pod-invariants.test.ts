/**
 * A commit that changed pods checks those pods, the nodes they ran or run on and the endpoints at their
 * addresses (pod-invariants.ts), not every pod and volume. That check must catch every broken pod change the
 * whole-state check catches: a sound state (running pods with endpoints, one on a persistent endpoint, one
 * with a mirrored volume whose writes other nodes carry, a pending one) is changed by random edits of pods
 * without volumes (requests grown, VFs and addresses moved or shared, pods moved to another or a missing
 * node, copied, made pending, deleted), and the scoped check finds a violation exactly when the whole does.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterState } from '../../../platform/domain/cluster-state.js';
import { ControlPlane } from '../../../platform/domain/control-plane.js';
import { invariantViolations, scopedInvariantViolations } from '../../../platform/domain/invariants.js';
import type { Pod } from '../../../platform/domain/pod.js';
import { remotePlexHolds } from '../../../platform/domain/storage-admission.js';
import { keyOf } from '../../../platform/domain/volume.js';
import { Store } from '../../../platform/state/store.js';
import { tempDir } from '../../cli-harness.js';
import { ADMIN, BLUE, podSpec, tickingClock } from '../control-plane-harness.js';

const GIB = 2 ** 30;

type Running = Extract<Pod['status'], { state: 'running' }>;

/** A sound state; its scope taken, so only later edits are in it. */
function soundState(): ClusterState {
  const state = new ClusterState();
  const cp = new ControlPlane(state, ADMIN, tickingClock());
  cp.createCluster({ name: 'c', nodes: 4 });
  cp.createNetwork(BLUE);
  cp.createEndpoint('default', 'ep', 'blue');
  cp.createEndpoint('default', 'spare', 'blue');
  cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 64 * GIB, mirrors: 3, perf_tier: 'high' });
  cp.createPod(podSpec('db', { volumes: ['data'], perf_tier: 'high' }));
  cp.createPod(podSpec('fixed', { endpoints: [{ network: 'blue', perf_tier: 'best-effort', endpoint: 'ep' }] }));
  for (let i = 0; i < 10; i++)
    cp.createPod(podSpec(`p${i}`, { perf_tier: i % 2 === 0 ? 'high' : 'best-effort', cpu_millicores: 100 * (i + 1) }));
  cp.createPod(podSpec('waits', { node_selector: { nowhere: 'x' } }));
  expect(invariantViolations(state)).toEqual([]);
  expect([...state.pods.values()].filter((p) => p.status.state === 'running')).toHaveLength(12);
  state.takeInvariantScope();
  return state;
}

type Edit =
  | { kind: 'cpu' | 'memory' | 'iops' | 'bandwidth'; pick: number; factor: number }
  | { kind: 'vf'; pick: number; vf: number }
  | { kind: 'port'; pick: number }
  | { kind: 'shareAddress'; pick: number; other: number; mac: boolean; ip: boolean; statusToo: boolean }
  | { kind: 'ipAt'; pick: number; last: number }
  | { kind: 'pendingShare'; pick: number; other: number; mac: boolean }
  | { kind: 'iopsToEdge'; pick: number; over: number }
  | { kind: 'move'; pick: number; node: number }
  | { kind: 'copy'; pick: number }
  | { kind: 'pending' | 'delete' | 'dropEndpoint' | 'doubleAddress'; pick: number };

const pick = fc.nat();
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('cpu' as const, 'memory' as const, 'iops' as const, 'bandwidth' as const),
    pick,
    factor: fc.integer({ min: 2, max: 2000 }),
  }),
  fc.record({ kind: fc.constant('vf' as const), pick, vf: fc.integer({ min: -1, max: 70 }) }),
  fc.record({ kind: fc.constant('port' as const), pick }),
  fc.record({
    kind: fc.constant('shareAddress' as const),
    pick,
    other: fc.nat(),
    mac: fc.boolean(),
    ip: fc.boolean(),
    statusToo: fc.boolean(),
  }),
  // Around the range's start (.101): outside it, the persistent endpoints' IPs (.101, .102), the pods'.
  fc.record({ kind: fc.constant('ipAt' as const), pick, last: fc.integer({ min: 99, max: 112 }) }),
  fc.record({ kind: fc.constant('pendingShare' as const), pick, other: fc.nat(), mac: fc.boolean() }),
  fc.record({ kind: fc.constant('iopsToEdge' as const), pick, over: fc.integer({ min: -1, max: 1 }) }),
  fc.record({ kind: fc.constant('move' as const), pick, node: fc.integer({ min: 1, max: 5 }) }),
  fc.record({
    kind: fc.constantFrom('copy' as const, 'pending' as const, 'delete' as const, 'dropEndpoint' as const, 'doubleAddress' as const),
    pick,
  }),
);

/** Applies one edit to a pod without volumes, as a faulty service would (objects replaced, as the domain does). */
function applyEdit(state: ClusterState, e: Edit): void {
  const pods = [...state.pods.values()].filter((p) => p.volumes.length === 0);
  const pod = pods[e.pick % pods.length]!;
  const key = keyOf(pod.namespace, pod.name);
  const set = (p: Pod) => void state.pods.set(key, p);
  if (e.kind === 'delete') return void state.pods.delete(key);
  if (e.kind === 'copy') return void state.pods.set(`${key}-copy`, { ...pod, name: `${pod.name}-copy` });
  if (e.kind === 'pending') return set({ ...pod, status: { state: 'pending', failure: { summary: 'edited', nodes: [] } } });
  // The pod's one address held twice by the pod itself: only the addresses' holders say so.
  if (e.kind === 'doubleAddress') return pod.addresses?.[0] ? set({ ...pod, addresses: [pod.addresses[0], pod.addresses[0]] }) : undefined;
  if (e.kind === 'pendingShare') {
    // A waiting pod keeps its addresses: only the addresses' holders say that another pod has one too.
    const other = pods[e.other % pods.length]!.addresses?.[0];
    const own = pod.addresses?.[0];
    if (!other || !own) return;
    return set({
      ...pod,
      addresses: [e.mac ? { ...own, mac: other.mac } : { ...own, ip: other.ip }],
      status: { state: 'pending', failure: { summary: 'edited', nodes: [] } },
    });
  }
  if (e.kind === 'shareAddress') {
    const other = pods[e.other % pods.length]!.addresses?.[0];
    const own = pod.addresses?.[0];
    if (!other || !own) return;
    const address = { network: own.network, ip: e.ip ? other.ip : own.ip, mac: e.mac ? other.mac : own.mac };
    const status = pod.status;
    return set({
      ...pod,
      addresses: [address],
      ...(e.statusToo && status.state === 'running'
        ? { status: { ...status, endpoints: status.endpoints.map((b) => ({ ...b, ip: address.ip, mac: address.mac })) } }
        : {}),
    });
  }
  const status = pod.status;
  if (status.state !== 'running') return;
  const withStatus = (over: Partial<Running>, podOver: Partial<Pod> = {}) => set({ ...pod, ...podOver, status: { ...status, ...over } });
  const first = (over: Partial<Running['endpoints'][number]>) => status.endpoints.map((b, i) => (i === 0 ? { ...b, ...over } : b));
  switch (e.kind) {
    case 'iopsToEdge': {
      // The pod's node's IOPS brought to `over` past its guaranteeable IOPS, the writes of the mirrored
      // volume's pod (db) that the node's plex carries counted: a node without such a plex is left alone.
      const node = state.nodes.get(status.node)!;
      const db = state.pods.get('default/db')!.status as Running;
      const holds = remotePlexHolds(state, state.pods.get('default/db')!, db.volume_reservations, db.node);
      const plex = holds.find((h) => h.node === node.name)?.iops ?? 0;
      if (plex === 0) return;
      let used = plex;
      for (const p of state.pods.values())
        if (p.status.state === 'running' && p.status.node === node.name) used += p.status.admitted_iops ?? p.status.reserved_iops;
      const own = status.admitted_iops ?? status.reserved_iops;
      const reserved = own + node.inventory.guaranteeable_iops - used + e.over;
      return withStatus({ reserved_iops: reserved, ...(status.admitted_iops === undefined ? {} : { admitted_iops: reserved }) });
    }
    case 'cpu':
      return set({ ...pod, cpu_millicores: pod.cpu_millicores * e.factor });
    case 'memory':
      return set({ ...pod, memory_bytes: pod.memory_bytes * e.factor });
    case 'iops':
      return withStatus({ reserved_iops: (status.reserved_iops + 1) * e.factor * 50 });
    case 'bandwidth':
      return withStatus({ reserved_bandwidth_bits_per_s: (status.reserved_bandwidth_bits_per_s + 1) * e.factor * 1e6 });
    case 'vf':
      return withStatus({ endpoints: first({ vf: e.vf }) });
    case 'port':
      return withStatus({ endpoints: first({ port: 'storage0' }) });
    case 'ipAt': {
      const ip = `192.168.30.${e.last}`;
      const addresses = (pod.addresses ?? []).map((a, i) => (i === 0 ? { ...a, ip } : a));
      return withStatus({ endpoints: first({ ip }) }, { addresses });
    }
    case 'move':
      return withStatus({ node: `node${e.node}` });
    case 'dropEndpoint':
      return withStatus({ endpoints: [] });
  }
}

describe('the invariants of the pods a change touched', () => {
  it('catch every broken pod edit the whole-state check catches, and nothing else', () => {
    let broken = 0;
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 3 }), (edits) => {
        const state = soundState();
        for (const e of edits) applyEdit(state, e);
        const whole = invariantViolations(state);
        const scope = state.takeInvariantScope();
        expect(scope.wide).toBe(false);
        const scoped = scopedInvariantViolations(state, scope);
        if (whole.length > 0) broken++;
        expect({ edits, scoped: scoped.length > 0, whole }).toEqual({ edits, scoped: whole.length > 0, whole });
      }),
      { numRuns: 300, seed: 19 },
    );
    // The edits do break the state often, and leave it sound often: the property is not vacuous either way.
    expect(broken).toBeGreaterThan(100);
    expect(broken).toBeLessThan(290);
  });

  it('check the whole state after a change of a pod that names, reserves or holds a volume', () => {
    const state = soundState();
    const db = state.pods.get('default/db')!;
    state.pods.set('default/db', { ...db, cpu_millicores: db.cpu_millicores + 1 });
    expect(state.takeInvariantScope().wide).toBe(true);
    // A pod without volumes made to name and reserve one: its writes would load the nodes of the volume's plexes.
    const p0 = state.pods.get('default/p0')!;
    const running = p0.status as Running;
    state.pods.set('default/p0', {
      ...p0,
      volumes: ['data'],
      status: { ...running, volume_reservations: [{ volume: 'data', iops: running.reserved_iops }] },
    });
    expect(state.takeInvariantScope().wide).toBe(true);
    // Deleting a pod a volume is attached to, though it no longer names the volume.
    state.pods.set('default/db', { ...db, volumes: [], status: { state: 'pending', failure: { summary: 'x', nodes: [] } } });
    state.takeInvariantScope();
    state.pods.delete('default/db');
    const scope = state.takeInvariantScope();
    expect(scope.wide).toBe(true);
    expect(scopedInvariantViolations(state, scope).join()).toMatch(/volume default\/data attached to db, which is not running/);
  });

  it('refuse, through the store, a group whose pod overruns its node, by the scoped check itself', async () => {
    const store = Store.open(join(tempDir('anvil-scoped-pods-'), 'state.db'), tickingClock());
    store.change(ADMIN, 'test', 'test', (cp) => {
      cp.createCluster({ name: 'c', nodes: 2 });
      cp.createNetwork(BLUE);
    });
    await store.changeInGroup(ADMIN, 'create pods', 'pods/default/a', (cp) => cp.createPod(podSpec('a')));
    const outcomes = await Promise.allSettled([
      store.changeInGroup(ADMIN, 'create pods', 'pods/default/b', (cp) => cp.createPod(podSpec('b'))),
      store.changeInGroup(ADMIN, 'grow', 'pods/default/a', (cp) => {
        const a = cp.state.pods.get('default/a')!;
        cp.state.pods.set('default/a', { ...a, cpu_millicores: 10 ** 9 });
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    const reason = String((outcomes[1] as PromiseRejectedResult).reason);
    expect(reason).toMatch(/would break invariants: node node\d: 1000000\d{3}m cpu requested/);
    expect(reason).not.toMatch(/missed by the check of what changed/);
    expect(store.read((s) => [...s.pods.keys()])).toEqual(['default/a', 'default/b']);
    store.close();
  });
});
