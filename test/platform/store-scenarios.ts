/**
 * Control-plane scenarios that run on either store (SQLite or memory) on a simulated clock: placement and
 * tier admission, node failure and recovery, mirrored volumes, quotas, drains and removals, an apply worked
 * out in steps. Each asserts what the domain must do as it goes; `snapshotOf` takes everything a user can
 * read of a store (objects in order, every kind's listing as an admin and as a tenant, events, audit), so
 * the parity test can hold the two stores to the same result.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { caughtAnvilError } from '../caught.js';
import { simulatedClock } from '../../platform/domain/clock.js';
import type { ControlPlane } from '../../platform/domain/control-plane.js';
import { invariantViolations } from '../../platform/domain/invariants.js';
import type { Pod } from '../../platform/domain/pod.js';
import { KINDS, objectsOf } from '../../platform/domain/queries.js';
import type { Actor } from '../../platform/domain/tenancy.js';
import { parseManifestText } from '../../platform/manifests/documents.js';
import { applySteps, planApply } from '../../platform/manifests/apply.js';
import type { ControlPlaneStore } from '../../platform/state/control-plane-store.js';
import { MemoryStore } from '../../platform/state/memory-store.js';
import { Store } from '../../platform/state/store.js';
import { isAnvilError } from '../../platform/errors.js';
import { tempDir } from '../cli-harness.js';
import { ADMIN, BLUE, podSpec, smallProfilePath } from './control-plane-harness.js';
import { driveExtents, resyncTakesItsTime, volumeReservations } from './plex-scenarios.js';

export const STORE_KINDS = ['sqlite', 'memory'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** The simulated clock's start: 2026-01-01T00:00:00Z, in ms since the Unix epoch. */
export const START_MS = Date.UTC(2026, 0, 1);

/** A store on a simulated clock that a scenario advances, as a model would. */
export interface Rig {
  readonly store: ControlPlaneStore;
  /** Advances the simulated time by `ns` nanoseconds. */
  advance(ns: number): void;
  /** One simulated second later, one change as `actor` (the admin by default). */
  change<T>(fn: (cp: ControlPlane) => T, actor?: Actor): T;
}

export function openRig(kind: StoreKind): Rig {
  let nowNs = 0;
  const clock = simulatedClock(START_MS, () => nowNs);
  const store = kind === 'sqlite' ? Store.open(join(tempDir('anvil-parity-'), 'state.db'), clock) : new MemoryStore(clock);
  return {
    store,
    advance: (ns) => void (nowNs += ns),
    change(fn, actor = ADMIN) {
      nowNs += 1e9;
      return store.change(actor, 'test', 'test', fn);
    },
  };
}

/** The catalogue code `fn` throws. */
export const codeOf = (fn: () => unknown): string => caughtAnvilError(fn).code;

const pod = (rig: Rig, name: string): Pod => rig.store.read((s) => s.pods.get(`default/${name}`)!);
const nodeOf = (p: Pod): string => (p.status.state === 'running' ? p.status.node : '');
const sound = (rig: Rig) => rig.store.read((s) => invariantViolations(s));
const reasons = (rig: Rig) => rig.store.events({ limit: -1 }).map((e) => e.reason);

/** A tenant of namespace `team-a`, to list as. */
export const BOB: Actor = { user: 'bob', roles: ['tenant-user/team-a'] };

/** Small node profiles, written once: both stores' runs must name the same file. */
const profiles = new Map<string, string>();
function smallProfile(overrides: Record<string, string>): string {
  const key = JSON.stringify(overrides);
  if (!profiles.has(key)) profiles.set(key, smallProfilePath(overrides));
  return profiles.get(key)!;
}

function cluster(rig: Rig, nodes: number, nodeProfile?: string): void {
  rig.change((cp) => cp.createCluster({ name: 'c1', nodes, ...(nodeProfile ? { nodeProfile } : {}) }));
  rig.change((cp) => cp.createNetwork(BLUE));
}

/** Placement: pods get IPs, MACs and VFs, a mirrored volume is attached locally; a tier is never oversubscribed. */
function placement(rig: Rig): void {
  cluster(rig, 3);
  rig.change((cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 50 * 2 ** 30, mirrors: 3, perf_tier: 'high' }));
  rig.change((cp) => cp.createPod(podSpec('db', { volumes: ['data'], perf_tier: 'high' })));
  for (let i = 0; i < 5; i++) rig.change((cp) => cp.createPod(podSpec(`web-${i}`)));
  rig.store.read((s) => {
    expect([...s.pods.values()].every((p) => p.status.state === 'running')).toBe(true);
    expect(s.volumes.get('default/data')!.attachment).toMatchObject({
      state: 'attached',
      pod: 'db',
      node: nodeOf(s.pods.get('default/db')!),
      via: 'local',
    });
  });
  // Tier admission on a small node: the third high pod waits with the reason, and runs when room appears.
  rig.change((cp) => cp.addNode({ name: 'small', profile: smallProfile({ iops: '45000', vfs: '8' }), labels: { size: 'small' } }));
  const onSmall = (name: string, tier: string) =>
    rig.change((cp) => cp.createPod(podSpec(name, { perf_tier: tier, node_selector: { size: 'small' } })));
  onSmall('h1', 'high');
  onSmall('h2', 'high');
  expect(onSmall('h3', 'high').status.state).toBe('pending');
  expect(onSmall('m1', 'medium').status.state).toBe('running');
  rig.change((cp) => cp.deletePod('default', 'h1'));
  expect(nodeOf(pod(rig, 'h3'))).toBe('small');
  expect(reasons(rig)).toContain('FailedScheduling');
  expect(sound(rig)).toEqual([]);
}

/** A node fails and recovers: its pods move to the surviving mirror, plexes go out of sync and are resynced. */
function nodeFailure(rig: Rig): void {
  cluster(rig, 3);
  const vol = rig.change((cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, mirrors: 2 }));
  const first = nodeOf(rig.change((cp) => cp.createPod(podSpec('db', { volumes: ['data'] }))));
  for (let i = 0; i < 3; i++) rig.change((cp) => cp.createPod(podSpec(`web-${i}`)));
  expect(rig.change((cp) => cp.failNode(first)).moved).toContain('default/db');
  const other = vol.plexes.map((p) => p.node).find((n) => n !== first)!;
  expect(nodeOf(pod(rig, 'db'))).toBe(other);
  expect(rig.store.read((s) => s.volumes.get('default/data')!.plexes.find((p) => p.node === first)!.state)).toBe('out-of-sync');
  expect(codeOf(() => rig.change((cp) => cp.failNode(first)))).toBe('ANVIL_ERR_IN_USE');
  rig.advance(3600e9);
  rig.change((cp) => cp.recoverNode(first));
  expect(rig.store.read((s) => s.volumes.get('default/data')!.state)).toBe('degraded');
  rig.advance(3600e9);
  rig.change((cp) => cp.advanceResyncs());
  expect(rig.store.read((s) => s.volumes.get('default/data')!.plexes.every((p) => p.state === 'in-sync'))).toBe(true);
  expect(reasons(rig)).toEqual(expect.arrayContaining(['NodeDown', 'PlexOutOfSync', 'PlexResynced']));
  expect(sound(rig)).toEqual([]);
}

/** A mirrored volume loses both copies, comes back stale first, then current; mirrors are dropped and added. */
function volumeMirrors(rig: Rig): void {
  cluster(rig, 4);
  rig.change((cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, mirrors: 2 }));
  const [a, b] = rig.store.read((s) => s.volumes.get('default/data')!.plexes.map((p) => p.node)) as [string, string];
  rig.change((cp) => cp.createPod(podSpec('db', { volumes: ['data'] })));
  rig.change((cp) => cp.failNode(a));
  rig.change((cp) => cp.failNode(b));
  expect(rig.store.read((s) => s.volumes.get('default/data')!.state)).toBe('unavailable');
  expect(pod(rig, 'db').status.state).toBe('pending');
  rig.change((cp) => cp.recoverNode(a));
  expect(reasons(rig)).toContain('PlexNotResynced');
  rig.change((cp) => cp.recoverNode(b));
  expect(rig.store.read((s) => s.volumes.get('default/data')!.state)).toBe('degraded');
  rig.advance(3600e9);
  rig.change((cp) => cp.advanceResyncs());
  expect(rig.store.read((s) => s.volumes.get('default/data')!.state)).toBe('in-sync');
  expect(pod(rig, 'db').status.state).toBe('running');
  // A third mirror is added, then dropped; a snapshot restores to a linked clone.
  rig.change((cp) => cp.updateVolume('default', 'data', { mirrors: 3 }));
  rig.change((cp) => cp.updateVolume('default', 'data', { mirrors: 2 }));
  rig.change((cp) => cp.createSnapshot('default', 's1', 'data'));
  rig.change((cp) => cp.restoreSnapshot('default', 's1', 'data-copy'));
  // Removed with its node, a plex is brought back on another node.
  const logs = rig.change((cp) => cp.createVolume({ namespace: 'default', name: 'logs', size_bytes: 2 ** 30, mirrors: 2 }));
  rig.change((cp) => cp.removeNode(logs.plexes[0]!.node, true));
  expect(rig.store.read((s) => s.volumes.get('default/logs')!.plexes.length)).toBe(1);
  expect(rig.change((cp) => cp.updateVolume('default', 'logs', { mirrors: 2 })).state).toBe('in-sync');
  expect(reasons(rig)).toContain('PlexDropped');
  expect(sound(rig)).toEqual([]);
}

/** Namespace quotas: a create past a limit is refused whole; lifting the quota lets it through. */
function quotas(rig: Rig): void {
  cluster(rig, 2);
  rig.change((cp) => cp.createTenant('team-a'));
  rig.change((cp) => cp.createUser('bob', ['tenant-user/team-a']));
  rig.change((cp) => cp.setQuota('team-a', { pods: 2, capacity_bytes: 3 * 2 ** 30 }));
  const inA = (name: string) => podSpec(name, { namespace: 'team-a' });
  rig.change((cp) => cp.createPod(inA('a1')), BOB);
  rig.change((cp) => cp.createVolume({ namespace: 'team-a', name: 'v', size_bytes: 2 ** 30, mirrors: 2 }), BOB);
  expect(
    codeOf(() =>
      rig.change((cp) => {
        cp.createPod(inA('a2'));
        cp.createPod(inA('a3'));
      }, BOB),
    ),
  ).toBe('ANVIL_ERR_QUOTA_EXCEEDED');
  const volumeW = { namespace: 'team-a', name: 'w', size_bytes: 2 ** 30, mirrors: 2 };
  expect(codeOf(() => rig.change((cp) => cp.createVolume(volumeW), BOB))).toBe('ANVIL_ERR_QUOTA_EXCEEDED');
  expect(codeOf(() => rig.change((cp) => cp.setQuota('team-a', { pods: 9 }), BOB))).toBe('ANVIL_ERR_FORBIDDEN');
  rig.change((cp) => cp.deleteQuota('team-a'));
  rig.change((cp) => {
    cp.createPod(inA('a2'));
    cp.createPod(inA('a3'));
  }, BOB);
  expect(rig.store.read((s) => [...s.pods.keys()].filter((k) => k.startsWith('team-a/')))).toEqual(['team-a/a1', 'team-a/a2', 'team-a/a3']);
}

/** A drain moves pods with their identity; pending pods are retried oldest first; endpoints outlive pods. */
function drainAndRetry(rig: Rig): void {
  cluster(rig, 2, smallProfile({ vfs: '2' }));
  rig.change((cp) => cp.createEndpoint('default', 'ep1', 'blue', '192.168.30.150'));
  rig.change((cp) => cp.createPod(podSpec('pinned', { endpoints: [{ network: 'blue', perf_tier: 'best-effort', endpoint: 'ep1' }] })));
  for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) rig.change((cp) => cp.createPod(podSpec(n)));
  const drained = nodeOf(pod(rig, 'p1'));
  rig.change((cp) => cp.drainNode(drained));
  rig.change((cp) => cp.deletePod('default', 'pinned'));
  rig.change((cp) => cp.uncordonNode(drained));
  rig.change((cp) => cp.deletePod('default', 'p2'));
  rig.store.read((s) => expect(s.endpoints.get('default/ep1')!.binding.state).toBe('free'));
  expect(reasons(rig)).toContain('NodeDrained');
  expect(sound(rig)).toEqual([]);
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 120
  template:
    spec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: 10m, memory: 16Mi } } }] }
`;

/** An apply of 120 pods worked out in steps, while another change commits in between: it is worked out again. */
async function applyInSteps(rig: Rig): Promise<void> {
  cluster(rig, 6);
  rig.change((cp) => cp.createTenant('shop'));
  const plan = planApply(parseManifestText(DEPLOYMENT, 'web.yaml'), 'shop', false);
  rig.advance(1e9);
  const applying = rig.store.changeInSteps(ADMIN, 'apply manifests', 'namespaces/shop', (cp) => applySteps(cp, plan));
  // The apply yields to the event loop every few pods: this change commits while it is being worked out.
  await new Promise((resolve) => setImmediate(resolve));
  rig.change((cp) => cp.createTenant('meanwhile'));
  const lines = await applying;
  expect(lines.length).toBeGreaterThan(0);
  rig.store.read((s) => {
    expect(s.tenants.has('meanwhile')).toBe(true);
    expect([...s.pods.keys()].filter((k) => k.startsWith('shop/')).length).toBe(120);
  });
  expect(sound(rig)).toEqual([]);
}

export const SCENARIOS: readonly [string, (rig: Rig) => void | Promise<void>][] = [
  ['placement and tier admission', placement],
  ['node failure and recovery', nodeFailure],
  ['mirrored volumes', volumeMirrors],
  ['quotas', quotas],
  ['drain, retry and endpoints', drainAndRetry],
  ['an apply in steps', applyInSteps],
  ['plexes on drive extents', driveExtents],
  ['a resync that takes its time', resyncTakesItsTime],
  ['reservations per volume', volumeReservations],
];

/** Everything a user can read of a store: objects in order, every listing as admin and tenant, events, audit. */
export function snapshotOf(store: ControlPlaneStore): {
  documents: string;
  listings: Record<string, unknown>;
  events: unknown[];
  audit: unknown[];
} {
  const documents = store.read((s) => JSON.stringify([...s.documents()]));
  const listings: Record<string, unknown> = {};
  store.read((s) => {
    for (const kind of KINDS) {
      for (const actor of [ADMIN, BOB]) {
        try {
          listings[`${kind} as ${actor.user}`] = objectsOf(s, actor, kind, undefined);
        } catch (e) {
          if (!isAnvilError(e)) throw e;
          listings[`${kind} as ${actor.user}`] = e.code;
        }
      }
    }
  });
  return { documents, listings, events: store.events({ limit: -1 }), audit: store.audit(-1) };
}
