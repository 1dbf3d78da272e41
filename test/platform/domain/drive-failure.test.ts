/** Issue 13: a drive fails on a live node: its plexes are lost with it, mirrored volumes go on degraded, a last copy is lost. */
import { describe, expect, it } from 'vitest';
import { simulatedClock } from '../../../platform/domain/clock.js';
import { MemoryStore } from '../../../platform/state/memory-store.js';
import { caughtAnvilError } from '../../caught.js';
import { as, podSpec } from '../control-plane-harness.js';

/** Three nodes, a two-way mirrored volume and an unmirrored one, a pod on each. */
function cluster(): MemoryStore {
  const store = new MemoryStore(simulatedClock(Date.UTC(2026, 0, 1), () => 0));
  as(store, (cp) => cp.createCluster({ name: 'c1', nodes: 3 }));
  as(store, (cp) =>
    cp.createNetwork({ name: 'blue', subnet: '10.0.0.0/24', start: '10.0.0.10', end: '10.0.0.200', gateway: '10.0.0.1', is_default: true }),
  );
  as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, mirrors: 2 }));
  as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'solo', size_bytes: 2 ** 30, mirrors: 1 }));
  as(store, (cp) => cp.createPod(podSpec('db', { volumes: ['data'] })));
  as(store, (cp) => cp.createPod(podSpec('app', { volumes: ['solo'] })));
  return store;
}

const volume = (store: MemoryStore, name: string) => store.read((s) => s.volumes.get(`default/${name}`)!);
const pod = (store: MemoryStore, name: string) => store.read((s) => s.pods.get(`default/${name}`)!);

describe('a failed drive', () => {
  it('drops the plex on it: the mirrored volume runs degraded on the other plex and its pod keeps running', () => {
    const store = cluster();
    const [lost, kept] = volume(store, 'data').plexes;
    as(store, (cp) => cp.failDrive(lost!.node, lost!.drive));
    const v = volume(store, 'data');
    expect(v.plexes).toEqual([kept]);
    expect(v.state).toBe('degraded');
    expect(v.mirrors).toBe(2);
    expect(pod(store, 'db').status.state).toBe('running');
    const reasons = store.events().map((e) => `${e.reason} ${e.object}`);
    expect(reasons).toContain(`DriveFailed node/${lost!.node}`);
    expect(reasons).toContain('PlexLost volume/default/data');
  });

  it('loses a volume whose only copy was on it, and its pod waits, pending', () => {
    const store = cluster();
    const [only] = volume(store, 'solo').plexes;
    const moves = as(store, (cp) => cp.failDrive(only!.node, only!.drive));
    expect(volume(store, 'solo').state).toBe('lost');
    expect(moves.pending).toEqual(['default/app']);
    expect(pod(store, 'app').status.state).toBe('pending');
  });

  it('refuses a drive the node does not have, and a node that is down', () => {
    const store = cluster();
    const e = caughtAnvilError(() => as(store, (cp) => cp.failDrive('node1', 7)));
    expect(e.code).toBe('ANVIL_ERR_FIELD_INVALID');
    expect(e.message).toMatch(/drive 7 of node node1: give a drive index from 0 to \d/);
    as(store, (cp) => cp.failNode('node1'));
    expect(caughtAnvilError(() => as(store, (cp) => cp.failDrive('node1', 0))).code).toBe('ANVIL_ERR_IN_USE');
  });
});
