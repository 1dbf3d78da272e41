/**
 * Issue 13: the API's volume object says where each plex lies (drive, byte offset) and how a resync goes
 * (`resyncing`, with its source, bytes, rate and times); a running pod's status splits its IOPS per volume.
 */
import { describe, expect, it } from 'vitest';
import { seededWorld } from './api-harness.js';

describe('the API on plexes and reservations', () => {
  it('serves drive, offset and the resync of a plex, and the reservations of a pod per volume', async () => {
    const w = await seededWorld();
    // 1 TB: its resync (1,600 s at 625 MB/s) outlasts this test even on the harness's clock, which ticks a second a call.
    const created = await w.call('admin', 'POST', '/apis/anvil.dev/v1/namespaces/c/volumes', {
      name: 'pair',
      size_bytes: 1e12,
      mirrors: 2,
    });
    expect(created.statusCode).toBe(201);
    const [first, second] = created.json().plexes as { node: string; drive: number; offset_bytes: number; state: string }[];
    expect(first).toEqual({ node: first!.node, drive: 0, offset_bytes: expect.any(Number), state: 'in-sync' });
    expect((await w.call('admin', 'POST', `/apis/anvil.dev/v1/nodes/${first!.node}/fail`)).statusCode).toBe(200);
    expect((await w.call('admin', 'POST', `/apis/anvil.dev/v1/nodes/${first!.node}/recover`)).statusCode).toBe(200);
    const after = (await w.call('admin', 'GET', '/apis/anvil.dev/v1/namespaces/c/volumes/pair')).json() as {
      state: string;
      plexes: Record<string, unknown>[];
    };
    expect(after.state).toBe('degraded');
    expect(after.plexes[0]).toMatchObject({
      node: first!.node,
      drive: first!.drive,
      offset_bytes: first!.offset_bytes,
      state: 'resyncing',
      resync: { source: second!.node, bytes: 1e12, rate_bytes_per_s: (20e9 / 8) * 0.25 },
    });
    expect(Object.keys(after.plexes[0]!.resync as object)).toEqual(['source', 'bytes', 'rate_bytes_per_s', 'started_at', 'finishes_at']);
    // A pod without volumes has no per-volume reservations (the split itself: plex-scenarios.ts).
    const pa = (await w.call('admin', 'GET', '/apis/anvil.dev/v1/namespaces/a/pods/pa')).json() as { status: Record<string, unknown> };
    expect(pa.status.volume_reservations).toEqual([]);
    await w.app.close();
  });
});
