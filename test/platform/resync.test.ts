/**
 * Issue 13: resyncs as the CLI shows them (where a plex lies, how far a copy has got at the time of the
 * view: `resyncing 40%`), as a model drives them (copying only the dirty fraction it says), and as the
 * server's loop finishes them (a change only when one is due).
 */
import { describe, expect, it } from 'vitest';
import { caughtAnvilError } from '../caught.js';
import { simulatedClock } from '../../platform/domain/clock.js';
import type { Volume } from '../../platform/domain/volume.js';
import { describeText, kindTable } from '../../platform/cli/views.js';
import { advanceDueResyncs } from '../../platform/state/advance-resyncs.js';
import { MemoryStore } from '../../platform/state/memory-store.js';
import { as } from './control-plane-harness.js';

const START_MS = Date.UTC(2026, 0, 1);

describe('a resyncing plex in the CLI', () => {
  it('shows its progress at the time of the view, and each plex its drive and offset', () => {
    let nowNs = 0;
    const store = new MemoryStore(simulatedClock(START_MS, () => nowNs));
    as(store, (cp) => cp.createCluster({ name: 'c1', nodes: 2 }));
    as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, mirrors: 2 }));
    as(store, (cp) => cp.failNode('node1'));
    nowNs += 5e9;
    as(store, (cp) => cp.recoverNode('node1'));
    const v = store.read((s) => s.volumes.get('default/data')!) as Volume;
    const plex = v.plexes.find((p) => p.node === 'node1')!;
    if (plex.state !== 'resyncing') throw new Error(`plex is ${plex.state}`);
    const start = Date.parse(plex.resync.started_at);
    const span = Date.parse(plex.resync.finishes_at) - start;
    // Whole milliseconds, as a clock gives them: the first millisecond at or past the fraction.
    const at = (fraction: number) => start + Math.ceil(span * fraction);
    store.read((s) => {
      expect(kindTable(s, 'volumes', [v], at(0.4))).toContain('node1(resyncing 40%),node2');
      expect(kindTable(s, 'volumes', [v], at(0.999))).toContain('node1(resyncing 99%)');
      const text = describeText(s, 'volumes', v, [], undefined, at(0.4));
      expect(text).toContain('Plexes (2):\n');
      expect(text).toContain(
        `  node1  drive 0  offset 0  resyncing 40% from node2: ${2 ** 30} bytes at 625.00MB/s, done at ${plex.resync.finishes_at}\n`,
      );
      expect(text).toContain('  node2  drive 0  offset 0  in-sync\n');
      expect(text).toMatch(/^state: +degraded$/m);
    });
  });
});

/** Two nodes, a 1 GiB volume mirrored on both, node1 failed: on a simulated clock the test moves. */
function failedMirror(): { store: MemoryStore; advance: (ns: number) => void; clock: () => Date } {
  let nowNs = 0;
  const clock = simulatedClock(START_MS, () => nowNs);
  const store = new MemoryStore(clock);
  as(store, (cp) => cp.createCluster({ name: 'c1', nodes: 2 }));
  as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, mirrors: 2 }));
  as(store, (cp) => cp.failNode('node1'));
  return { store, advance: (ns) => void (nowNs += ns), clock };
}

const plexOn = (store: MemoryStore, node: string) => store.read((s) => s.volumes.get('default/data')!.plexes.find((p) => p.node === node)!);

describe('a resync driven by a model', () => {
  it('copies only the fraction the model says was written while the plex was behind', () => {
    const { store } = failedMirror();
    as(store, (cp) => cp.recoverNode('node1', (volume) => (volume === 'default/data' ? 0.25 : 1)));
    const plex = plexOn(store, 'node1');
    expect(plex.state === 'resyncing' && plex.resync.bytes).toBe(2 ** 28);
    expect(plex.state === 'resyncing' && Date.parse(plex.resync.finishes_at) - Date.parse(plex.resync.started_at)).toBe(
      Math.ceil((2 ** 28 / ((20e9 / 8) * 0.25)) * 1000),
    );
  });

  it('is in sync at once when nothing was written meanwhile', () => {
    const { store } = failedMirror();
    as(store, (cp) => cp.recoverNode('node1', () => 0));
    expect(plexOn(store, 'node1').state).toBe('in-sync');
    expect(store.read((s) => s.volumes.get('default/data')!.state)).toBe('in-sync');
    expect(
      store
        .events()
        .filter((e) => e.reason === 'PlexResynced')
        .map((e) => e.message),
    ).toEqual(['plex on node1 is in sync: nothing was written to the volume while it was behind']);
  });

  it("is in sync when the model says its copy is done, before or after the platform's estimate", () => {
    const { store, advance } = failedMirror();
    as(store, (cp) => cp.recoverNode('node1'));
    const plex = plexOn(store, 'node1');
    if (plex.state !== 'resyncing') throw new Error(`plex is ${plex.state}`);
    advance(1e6);
    expect(as(store, (cp) => cp.completeResync('default/data', 'node1'))).toBe(true);
    expect(plexOn(store, 'node1').state).toBe('in-sync');
    const resynced = store.events().filter((e) => e.reason === 'PlexResynced');
    // At the clock's time (1 ms after the start), far before the estimate.
    expect(resynced.map((e) => Date.parse(e.at))).toEqual([Date.parse(plex.resync.started_at) + 1]);
    expect(Date.parse(plex.resync.finishes_at)).toBeGreaterThan(Date.parse(plex.resync.started_at) + 1);
    // Once in sync, again or for a plex elsewhere, nothing changes.
    expect(as(store, (cp) => cp.completeResync('default/data', 'node1'))).toBe(false);
    expect(as(store, (cp) => cp.completeResync('default/data', 'node2'))).toBe(false);
    expect(as(store, (cp) => cp.completeResync('default/none', 'node1'))).toBe(false);
    expect(store.events().filter((e) => e.reason === 'PlexResynced')).toHaveLength(1);
  });
});

describe('the resync share', () => {
  it("is the cluster's when set: half the storage port copies twice as fast as the default quarter", () => {
    const store = new MemoryStore(simulatedClock(START_MS, () => 0));
    as(store, (cp) => cp.createCluster({ name: 'c1', nodes: 2, resyncShare: 0.5 }));
    as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'data', size_bytes: 2 ** 30, mirrors: 2 }));
    as(store, (cp) => cp.failNode('node1'));
    as(store, (cp) => cp.recoverNode('node1'));
    const plex = plexOn(store, 'node1');
    expect(plex.state === 'resyncing' && plex.resync.rate_bytes_per_s).toBe((20e9 / 8) * 0.5);
  });

  it('is refused outside (0, 1], with the allowed range', () => {
    const store = new MemoryStore();
    for (const share of [0, 1.5, Number.NaN]) {
      const e = caughtAnvilError(() => as(store, (cp) => cp.createCluster({ name: 'c1', nodes: 1, resyncShare: share })));
      expect([e.code, e.message]).toEqual([
        'ANVIL_ERR_FIELD_INVALID',
        `resync share ${share} is not allowed; a resync takes a share above 0 and at most 1 of a node's storage-port bandwidth (default 0.25)`,
      ]);
    }
  });
});

describe("the server's resync step", () => {
  it('changes nothing (no audit row) until a resync is due, then finishes it in one change', () => {
    const { store, advance } = failedMirror();
    as(store, (cp) => cp.recoverNode('node1'));
    const rows = store.audit(-1).length;
    expect(advanceDueResyncs(store)).toBe(0);
    expect(store.audit(-1).length).toBe(rows);
    advance(3600e9);
    expect(advanceDueResyncs(store)).toBe(1);
    expect(store.audit(-1).at(-1)).toMatchObject({ actor: 'anvil-resync', action: 'advance resyncs', target: 'volumes' });
    expect(plexOn(store, 'node1').state).toBe('in-sync');
    expect(advanceDueResyncs(store)).toBe(0);
  });
});
