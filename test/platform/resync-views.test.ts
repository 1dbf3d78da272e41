/**
 * Issue 13: the CLI shows where a plex lies (drive, byte offset) and how far a resync has got, from the
 * resync's start and finish times and the time the view is drawn (`resyncing 40%`).
 */
import { describe, expect, it } from 'vitest';
import { simulatedClock } from '../../platform/domain/clock.js';
import type { Volume } from '../../platform/domain/volume.js';
import { describeText, kindTable } from '../../platform/cli/views.js';
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
      expect(text).toContain(`  node1  drive 0  offset 0  resyncing 40% from node2: ${2 ** 30} bytes at 625.00MB/s, done at ${plex.resync.finishes_at}\n`);
      expect(text).toContain('  node2  drive 0  offset 0  in-sync\n');
      expect(text).toMatch(/^state: +degraded$/m);
    });
  });
});
