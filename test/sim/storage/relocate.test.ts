/**
 * Issue 13: a mirrored volume used from another node (its pod moved): each plex's leg as seen from there,
 * reads to the plex that is local now; and a volume's last copy back with its node, in sync at once.
 */
import { describe, expect, it } from 'vitest';
import { Model } from '../../../sim/model/model.js';
import { mirroredVolume } from '../../../sim/storage/build.js';
import { nvmeofTerms } from '../../../sim/storage/delay-station.js';
import { workload } from '../../bench/spec-factory.js';
import { addNullDevice, CountingSpy } from './harness.js';

const REMOTE = nvmeofTerms(10_000, 0);

describe('a mirrored volume that moves', () => {
  it('reads from the plex local to where it is used, before and after the move; writes reach both; nothing is lost', () => {
    const model = new Model(1, 1e5);
    addNullDevice(model, 'a/nvme0', '20us');
    addNullDevice(model, 'b/nvme0', '20us');
    const onA = new CountingSpy(model);
    const onB = new CountingSpy(model);
    const from = (node: 'a' | 'b') => [
      { device: 'a/nvme0', via: [onA], ...(node === 'a' ? {} : { remote: REMOTE }) },
      { device: 'b/nvme0', via: [onB], ...(node === 'b' ? {} : { remote: REMOTE }) },
    ];
    const handle = mirroredVolume(model, {
      name: 'vol',
      capacity_bytes: 2 ** 24,
      block_bytes: 4096,
      plexes: from('a'),
      resync_bytes_per_s: 1e8,
    });
    const job = model.addJob({ spec: workload({ iodepth: 1, readFraction: 0.5, runtime_ns: 2e6 }), device: 'vol' });
    let readsOnA = -1;
    let readsOnB = -1;
    model.at(1e6, () => {
      readsOnA = onA.reads;
      readsOnB = onB.reads;
      handle.moveTo(from('b'));
      model.reroute(job, 'vol');
    });
    model.run(1e5);
    expect(readsOnA).toBeGreaterThan(0);
    expect(readsOnB).toBe(0);
    // After the move every read goes to b, and a's reads stop (but for one in flight at the move).
    expect(onB.reads).toBeGreaterThan(0);
    expect(onA.reads - readsOnA).toBeLessThanOrEqual(1);
    expect(onA.writes).toBe(onB.writes);
    expect(handle.volume.readingFrom).toBe(1);
    expect(handle.volume.verifyAcknowledged()).toEqual([]);
    expect(model.requests.inUse).toBe(0);
  });

  it('refuses legs that do not match its plexes', () => {
    const model = new Model(1, 1e5);
    addNullDevice(model, 'a/nvme0', '20us');
    const handle = mirroredVolume(model, {
      name: 'vol',
      capacity_bytes: 2 ** 24,
      block_bytes: 4096,
      plexes: [{ device: 'a/nvme0' }],
      resync_bytes_per_s: 1e8,
    });
    expect(() => handle.moveTo([{ device: 'a/nvme0', offset_bytes: 4096 }])).toThrow(/at their extents/);
  });
});

describe("a volume's last copy back with its node", () => {
  it('is in sync at once: writes failed while it was away, none was acknowledged, nothing to copy', () => {
    const model = new Model(1, 1e5);
    addNullDevice(model, 'a/nvme0', '20us');
    const handle = mirroredVolume(model, {
      name: 'vol',
      capacity_bytes: 2 ** 24,
      block_bytes: 4096,
      plexes: [{ device: 'a/nvme0' }],
      resync_bytes_per_s: 1e8,
    });
    const before = model.addJob({ spec: workload({ name: 'before', iodepth: 2, readFraction: 0, runtime_ns: 1e6 }), device: 'vol' });
    model.at(5e5, () => handle.fail(0));
    model.at(7e5, () => handle.rejoin(0));
    const after = model.addJob({
      spec: workload({ name: 'after', iodepth: 2, readFraction: 0.5, runtime_ns: 3e5 }),
      device: 'vol',
      start_ns: 8e5,
    });
    model.run(1e5);
    expect(before.recorder.errors).toBeGreaterThan(0);
    expect(after.recorder.errors).toBe(0);
    expect(after.recorder.read.total_ios).toBeGreaterThan(0);
    expect(handle.volume.state).toEqual(['in-sync']);
    expect(handle.volume.map.dirtyCount[0]).toBe(0);
    expect(handle.volume.verifyAcknowledged()).toEqual([]);
    expect(handle.resync.done).toEqual([]);
  });
});
