/**
 * Issue 13: what the control plane gives the model of a plex, as scenarios run on both stores (and held to
 * parity by store-parity.test.ts). Each plex lies on one extent of one drive of its node: extents never
 * overlap, a deleted volume's space is reused, and a volume no drive has a hole for is refused. A resync
 * takes bytes / rate on the simulated clock: the plex is `resyncing` (never read from), the volume degraded,
 * until exactly the copy time has passed. A pod's IOPS reservation is split over its volumes.
 */
import { expect } from 'vitest';
import { caughtAnvilError } from '../caught.js';
import { invariantViolations } from '../../platform/domain/invariants.js';
import type { Volume } from '../../platform/domain/volume.js';
import { BLUE, podSpec, smallProfilePath } from './control-plane-harness.js';
import type { Rig } from './store-scenarios.js';

const GiB = 2 ** 30;

/** The profile file, written once: both stores' runs must name the same path (the cluster records it). */
let twoDriveProfile: string | undefined;
/** A node of two 10 GiB drives (and a 10G storage port). */
function twoDrives(): string {
  return (twoDriveProfile ??= smallProfilePath({
    drives: '[{ profile: intel-p4510-4tb, capacity: 10Gi }, { profile: intel-p4510-4tb, capacity: 10Gi }]',
  }));
}

const volumeOf = (rig: Rig, name: string): Volume => rig.store.read((s) => s.volumes.get(`default/${name}`)!);
const placeOf = (rig: Rig, name: string) => {
  const p = volumeOf(rig, name).plexes[0]!;
  return { drive: p.drive, offset_bytes: p.offset_bytes };
};

/** Every pair of plexes on one drive of one node, checked apart from the domain's own invariant: no two share a byte. */
function overlaps(rig: Rig): string[] {
  return rig.store.read((s) => {
    const extents = [...s.volumes.values()].flatMap((v) =>
      v.plexes.map((p) => ({ where: `${p.node}/${p.drive}`, from: p.offset_bytes, to: p.offset_bytes + v.size_bytes, name: v.name })),
    );
    const bad: string[] = [];
    for (const a of extents)
      for (const b of extents)
        if (a !== b && a.where === b.where && a.from < b.to && b.from < a.to) bad.push(`${a.name} and ${b.name} on ${a.where}`);
    return bad;
  });
}

const create = (rig: Rig, name: string, size_bytes: number) =>
  rig.change((cp) => cp.createVolume({ namespace: 'default', name, size_bytes }));

/** Extents on a node of two drives: least used drive first, first fit on it, freed space reused, refusal when no hole fits. */
export function driveExtents(rig: Rig): void {
  rig.change((cp) => cp.createCluster({ name: 'c1', nodes: 1, nodeProfile: twoDrives() }));
  // Both drives empty: the lower index; then the other drive, the less used; then the lower index again at a tie.
  for (const name of ['v1', 'v2', 'v3', 'v4']) create(rig, name, 4 * GiB);
  expect(['v1', 'v2', 'v3', 'v4'].map((n) => placeOf(rig, n))).toEqual([
    { drive: 0, offset_bytes: 0 },
    { drive: 1, offset_bytes: 0 },
    { drive: 0, offset_bytes: 4 * GiB },
    { drive: 1, offset_bytes: 4 * GiB },
  ]);
  // 4 GiB are free on the node, but 2 GiB on each drive: no hole takes a 4 GiB plex.
  const full = caughtAnvilError(() => create(rig, 'v5', 4 * GiB));
  expect(full.code).toBe('ANVIL_ERR_NO_CAPACITY');
  expect(full.format()).toContain(`no drive has ${4 * GiB} bytes in one piece (the largest hole is ${2 * GiB} bytes, on drive 0)`);
  // A deleted volume's extent is free again: the next plex takes it (drive 0 is now the less used).
  rig.change((cp) => cp.deleteVolume('default', 'v1'));
  create(rig, 'v5', 4 * GiB);
  expect(placeOf(rig, 'v5')).toEqual({ drive: 0, offset_bytes: 0 });
  // v5 cannot grow in place (v3 follows it) and no hole of 5 GiB is left: refused, nothing moves.
  expect(caughtAnvilError(() => rig.change((cp) => cp.updateVolume('default', 'v5', { size_bytes: 5 * GiB }))).code).toBe(
    'ANVIL_ERR_NO_CAPACITY',
  );
  expect(placeOf(rig, 'v5')).toEqual({ drive: 0, offset_bytes: 0 });
  // v3 grows in place into the free end of drive 0, up to the drive's last byte.
  rig.change((cp) => cp.updateVolume('default', 'v3', { size_bytes: 6 * GiB }));
  expect(placeOf(rig, 'v3')).toEqual({ drive: 0, offset_bytes: 4 * GiB });
  // Small volumes fill the holes left on drive 1 first fit, never overlapping.
  create(rig, 's1', GiB);
  create(rig, 's2', GiB);
  expect([placeOf(rig, 's1'), placeOf(rig, 's2')]).toEqual([
    { drive: 1, offset_bytes: 8 * GiB },
    { drive: 1, offset_bytes: 9 * GiB },
  ]);
  expect(caughtAnvilError(() => create(rig, 's3', 2 ** 20)).code).toBe('ANVIL_ERR_NO_CAPACITY');
  expect(overlaps(rig)).toEqual([]);
  expect(rig.store.read((s) => invariantViolations(s))).toEqual([]);
}

/** The default appliance node's resync rate: its 20G storage port at the default quarter share, bytes/s (20e9 / 8 x 0.25). */
const RESYNC_RATE = (20e9 / 8) * 0.25;

/**
 * Two mirrored volumes on two nodes; node1 fails and recovers: both plexes there resync at once, sharing
 * the node's resync bandwidth equally, each in sync exactly when bytes / (rate / 2) has passed.
 */
export function resyncTakesItsTime(rig: Rig): void {
  rig.change((cp) => cp.createCluster({ name: 'c1', nodes: 2 }));
  rig.change((cp) => cp.createNetwork(BLUE));
  rig.change((cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 * GiB, mirrors: 2 }));
  rig.change((cp) => cp.createVolume({ namespace: 'default', name: 'logs', size_bytes: GiB, mirrors: 2 }));
  rig.change((cp) => cp.failNode('node1'));
  rig.advance(60e9);
  rig.change((cp) => cp.recoverNode('node1'));
  const resyncOf = (name: string) => {
    const p = volumeOf(rig, name).plexes.find((x) => x.node === 'node1')!;
    if (p.state !== 'resyncing') throw new Error(`volume ${name}: plex on node1 is ${p.state}, not resyncing`);
    return p.resync;
  };
  const data = resyncOf('data');
  const logs = resyncOf('logs');
  expect([data.source, data.bytes, data.rate_bytes_per_s]).toEqual(['node2', 2 * GiB, RESYNC_RATE / 2]);
  expect([logs.source, logs.bytes, logs.rate_bytes_per_s]).toEqual(['node2', GiB, RESYNC_RATE / 2]);
  const startMs = Date.parse(data.started_at);
  const dataDoneMs = startMs + Math.ceil(((2 * GiB) / (RESYNC_RATE / 2)) * 1000);
  const logsDoneMs = startMs + Math.ceil((GiB / (RESYNC_RATE / 2)) * 1000);
  expect([Date.parse(data.finishes_at), Date.parse(logs.finishes_at)]).toEqual([dataDoneMs, logsDoneMs]);
  expect(volumeOf(rig, 'data').state).toBe('degraded');

  // Reads never come from a resyncing plex: a pod pinned to node1 reads its volume from node2, remotely.
  const pinned = rig.change((cp) =>
    cp.createPod(podSpec('db', { volumes: ['logs'], node_selector: { 'kubernetes.io/hostname': 'node1' } })),
  );
  expect(pinned.status.state === 'running' && pinned.status.node).toBe('node1');
  expect(volumeOf(rig, 'logs').attachment).toEqual({ state: 'attached', pod: 'db', node: 'node1', via: 'remote' });

  // A change lands at `atMs` on the simulated clock (the rig moves a second before each change).
  let nowMs = startMs + 1000;
  const advanceAt = (atMs: number) => {
    rig.advance((atMs - nowMs - 1000) * 1e6);
    nowMs = atMs;
    return rig.change((cp) => cp.advanceResyncs());
  };
  expect(advanceAt(logsDoneMs - 1)).toBe(0);
  expect(volumeOf(rig, 'logs').plexes.find((p) => p.node === 'node1')!.state).toBe('resyncing');
  expect(advanceAt(logsDoneMs)).toBe(1);
  expect(volumeOf(rig, 'logs').state).toBe('in-sync');
  expect(volumeOf(rig, 'data').state).toBe('degraded');
  expect(advanceAt(dataDoneMs - 1)).toBe(0);
  expect(volumeOf(rig, 'data').state).toBe('degraded');
  expect(advanceAt(dataDoneMs)).toBe(1);
  expect(volumeOf(rig, 'data')).toMatchObject({ state: 'in-sync', plexes: [{ state: 'in-sync' }, { state: 'in-sync' }] });
  const events = rig.store.events({ limit: -1 }).filter((e) => e.reason === 'PlexResyncStarted' || e.reason === 'PlexResynced');
  expect(events.map((e) => `${e.at} ${e.reason} ${e.object}`)).toEqual([
    `${new Date(startMs).toISOString()} PlexResyncStarted volume/default/data`,
    `${new Date(startMs).toISOString()} PlexResyncStarted volume/default/logs`,
    `${new Date(logsDoneMs).toISOString()} PlexResynced volume/default/logs`,
    `${new Date(dataDoneMs).toISOString()} PlexResynced volume/default/data`,
  ]);
  expect(rig.store.read((s) => invariantViolations(s))).toEqual([]);
}

/**
 * A pod's reservation per volume: each volume its own tier's IOPS plus an equal share of the pod's tier's
 * (the odd IOPS to the first volume), adding up to the pod's reservation; a pod without volumes has none.
 */
export function volumeReservations(rig: Rig): void {
  rig.change((cp) => cp.createCluster({ name: 'c1', nodes: 1 }));
  rig.change((cp) => cp.createNetwork(BLUE));
  rig.change((cp) => cp.createPerfTier({ name: 'odd', storage_iops: 5_001, network_bandwidth_bits_per_s: 0 }));
  rig.change((cp) => cp.createVolume({ namespace: 'default', name: 'a', size_bytes: GiB, perf_tier: 'medium' }));
  rig.change((cp) => cp.createVolume({ namespace: 'default', name: 'b', size_bytes: GiB }));
  const db = rig.change((cp) => cp.createPod(podSpec('db', { perf_tier: 'odd', volumes: ['a', 'b'] })));
  if (db.status.state !== 'running') throw new Error('db is pending');
  // medium is 5,000 IOPS, best-effort 0; odd's 5,001 split as 2,501 + 2,500.
  expect(db.status.volume_reservations).toEqual([
    { volume: 'a', iops: 5_000 + 2_501 },
    { volume: 'b', iops: 2_500 },
  ]);
  expect(db.status.reserved_iops).toBe(5_001 + 5_000);
  const web = rig.change((cp) => cp.createPod(podSpec('web', { perf_tier: 'medium' })));
  expect(web.status.state === 'running' && web.status.volume_reservations).toEqual([]);
  expect(rig.store.read((s) => invariantViolations(s))).toEqual([]);
}
