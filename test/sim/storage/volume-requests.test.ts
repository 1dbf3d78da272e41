/**
 * What a mirrored volume costs per I/O in requests: a read, and a write with one plex to go to, travel
 * their leg as themselves (no child, nothing allocated), at the plex's offset, and come back at their
 * own; volumes share their per-request columns, except one whose plex is another volume.
 */
import { describe, expect, it } from 'vitest';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import type { Station } from '../../../sim/io/requests.js';
import { Model } from '../../../sim/model/model.js';
import { mirroredVolume } from '../../../sim/storage/build.js';
import { addExponentialQueue } from './harness.js';

const MiB = 1 << 20;
const PLEX_OFFSET = 256 * MiB;

/** A pass-through station noting the most requests the pool held and the offsets that went by. */
class PoolWatch implements Station {
  mostInUse = 0;
  offsets: number[] = [];
  constructor(private readonly model: Model) {}
  accept(req: number): void {
    const requests = this.model.requests;
    if (requests.inUse > this.mostInUse) this.mostInUse = requests.inUse;
    this.offsets.push(requests.offset_bytes[req]!);
    requests.forward(req);
  }
}

function job(model: Model, name: string, rw: string, capacity_bytes: number) {
  const text = `[${name}]\nrw=${rw}\nbs=4k\niodepth=4\nruntime=20ms\ntime_based\n`;
  return loadWorkloads(text, `${name}.fio`, capacity_bytes).specs[0]!;
}

describe('a mirrored volume in the request pool', () => {
  it('sends a read and a lone write down the leg as themselves, at the plex offset, and gives them back as they were', () => {
    const model = new Model(3, 1e7);
    addExponentialQueue(model, 'node-a/nvme0', '20us');
    const onLeg = new PoolWatch(model);
    const vol = mirroredVolume(model, {
      name: 'pvc-1',
      capacity_bytes: 128 * MiB,
      block_bytes: 64 * 1024,
      resync_bytes_per_s: 200 * MiB,
      plexes: [{ device: 'node-a/nvme0', offset_bytes: PLEX_OFFSET, via: [onLeg] }],
    });
    const before = new PoolWatch(model);
    const generator = model.addJob({ spec: job(model, 'mixed', 'randrw', vol.volume.capacity_bytes), device: 'pvc-1', via: [before] });
    model.run(1e7);
    const { read, write } = generator.recorder;
    expect(read.total_ios).toBeGreaterThan(100);
    expect(write.total_ios).toBeGreaterThan(100);
    // iodepth 4: four requests at most, none a child (a child per I/O would make eight).
    expect(onLeg.mostInUse).toBe(4);
    expect(before.offsets.length).toBe(onLeg.offsets.length);
    expect(onLeg.offsets.every((o) => o >= PLEX_OFFSET && o < PLEX_OFFSET + 128 * MiB)).toBe(true);
    expect(before.offsets.every((o) => o < 128 * MiB)).toBe(true);
    expect(() => vol.volume.assertNoLostWrites()).not.toThrow();
    expect(model.requests.inUse).toBe(0);
  });

  it('keeps a nesting volume apart: a volume whose plex is another volume answers every I/O, nothing lost', () => {
    const model = new Model(5, 1e7);
    addExponentialQueue(model, 'node-a/nvme0', '20us');
    const inner = mirroredVolume(model, {
      name: 'inner',
      capacity_bytes: 256 * MiB,
      block_bytes: 64 * 1024,
      resync_bytes_per_s: 200 * MiB,
      plexes: [{ device: 'node-a/nvme0' }],
    });
    const outer = mirroredVolume(model, {
      name: 'outer',
      capacity_bytes: 128 * MiB,
      block_bytes: 64 * 1024,
      resync_bytes_per_s: 200 * MiB,
      plexes: [{ device: 'inner', offset_bytes: 64 * MiB }],
    });
    const generator = model.addJob({ spec: job(model, 'nested', 'randrw', outer.volume.capacity_bytes), device: 'outer' });
    model.run(1e7);
    const { read, write } = generator.recorder;
    expect(read.total_ios + write.total_ios).toBeGreaterThan(200);
    expect(generator.recorder.errors).toBe(0);
    for (const v of [inner, outer]) {
      expect(v.volume.failedIos).toBe(0);
      expect(v.volume.staleReads).toBe(0);
      expect(() => v.volume.assertNoLostWrites()).not.toThrow();
      expect(v.volume.inFlight()).toBe(0);
    }
    expect(model.requests.inUse).toBe(0);
  });
});
