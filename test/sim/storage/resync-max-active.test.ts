/** A resync with at most N copies in flight (Ceph's osd_recovery_max_active): the copies wait for one another, not only for the pace. */
import { describe, expect, it } from 'vitest';
import { Model } from '../../../sim/model/model.js';
import { mirroredVolume } from '../../../sim/storage/build.js';
import { addNullDevice, Driver } from './harness.js';

const MiB = 1 << 20;
const BLOCK = 64 * 1024;

/** Plex 1 misses 100 writes, then resyncs at a pace far above what its 100 us devices give; returns the dirty blocks and the resync's length, ns. */
function resync(max_outstanding?: number): { dirty: number; took_ns: number } {
  const model = new Model(9, 1e6);
  addNullDevice(model, 'a/nvme0', '100us');
  addNullDevice(model, 'b/nvme0', '100us');
  const vol = mirroredVolume(model, {
    name: 'vol',
    capacity_bytes: 8 * MiB,
    block_bytes: BLOCK,
    resync_bytes_per_s: 10 * 1024 * MiB, // a block every 6.1 us: the pace never holds a copy back
    ...(max_outstanding !== undefined ? { resync_max_outstanding: max_outstanding } : {}),
    plexes: [{ device: 'a/nvme0' }, { device: 'b/nvme0' }],
  });
  vol.fail(1);
  new Driver(model, model.streams.get('driver'), { depth: 1, total: 100, span_bytes: 8 * MiB, bytes: 4096, writeFraction: 1 })
    .into(vol.volume)
    .start();
  let dirty = 0;
  model.at(20e6, () => {
    dirty = vol.volume.map.dirtyCount[1]!;
    vol.recover(1);
  });
  model.sim.run(Infinity);
  const [done] = vol.resync.done;
  vol.fail(0);
  expect(vol.volume.verifyAcknowledged()).toEqual([]);
  return { dirty, took_ns: done!.finished_ns - done!.started_ns };
}

describe('resync with copies in flight capped', () => {
  it('two at a time: each pair of copies (a 100 us read, then a 100 us write) waits for the one before, dirty / 2 x 200 us in all', () => {
    const free = resync();
    const capped = resync(2);
    expect(capped.dirty).toBe(free.dirty);
    expect(capped.dirty).toBeGreaterThan(50);
    // Uncapped the pace alone sets it: (n - 1) x 6.1 us + one copy.
    expect(free.took_ns).toBeLessThan(1e6);
    expect(capped.took_ns).toBeGreaterThanOrEqual(Math.floor(capped.dirty / 2) * 200_000);
    expect(capped.took_ns).toBeLessThanOrEqual(Math.ceil(capped.dirty / 2) * 200_000 + 10_000);
  });
});
