/**
 * A job given an extent of a device (the cluster model's one-plex volumes in a run without faults or
 * snapshots) runs as it would through the volume's station: the device sees the same offsets, the job
 * records the same I/Os and latencies. An extent outside the device is refused by name.
 */
import { describe, expect, it } from 'vitest';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import type { Station } from '../../../sim/io/requests.js';
import { Model } from '../../../sim/model/model.js';
import { mirroredVolume } from '../../../sim/storage/build.js';
import { addExponentialQueue } from '../storage/harness.js';

const MiB = 1 << 20;
const EXTENT = { offset_bytes: 256 * MiB, size_bytes: 128 * MiB };

/** A pass-through station that keeps every offset it sees, in order. */
class OffsetSpy implements Station {
  readonly offsets: number[] = [];
  constructor(private readonly model: Model) {}
  accept(req: number): void {
    this.offsets.push(this.model.requests.offset_bytes[req]!);
    this.model.requests.forward(req);
  }
}

function run(job: string, through: 'volume' | 'extent') {
  const model = new Model(7, 1e7);
  addExponentialQueue(model, 'node-a/nvme0', '20us');
  const spy = new OffsetSpy(model);
  const [spec] = loadWorkloads(job, 'extent.fio', EXTENT.size_bytes).specs;
  if (through === 'volume') {
    mirroredVolume(model, {
      name: 'pvc-1',
      capacity_bytes: EXTENT.size_bytes,
      block_bytes: 64 * 1024,
      resync_bytes_per_s: 100 * MiB,
      plexes: [{ device: 'node-a/nvme0', offset_bytes: EXTENT.offset_bytes, via: [spy] }],
    });
  }
  const placed =
    through === 'volume'
      ? model.addJob({ spec: spec!, device: 'pvc-1', name: 'j' })
      : model.addJob({ spec: spec!, device: 'node-a/nvme0', via: [spy], extent: EXTENT, name: 'j' });
  model.run(1e7);
  const { read, write } = placed.recorder;
  return { spy, result: JSON.stringify({ read, write }), requests: model.requests.inUse };
}

describe('a job on an extent of a device', () => {
  for (const [what, job] of [
    [
      'random 70/30 at QD4, offset and size within the extent',
      '[j]\nrw=randrw\nrwmixread=70\nbs=4k\niodepth=4\noffset=1m\nsize=64m\nruntime=20ms\ntime_based\n',
    ],
    ['sequential writes wrapping round the whole extent', '[j]\nrw=write\nbs=1m\niodepth=2\nruntime=200ms\ntime_based\n'],
    [
      'a region cut short by the extent’s end (offset 100m, size 64m)',
      '[j]\nrw=randread\nbs=4k\niodepth=4\noffset=100m\nsize=64m\nruntime=20ms\ntime_based\n',
    ],
    ['an offset past the extent’s end', '[j]\nrw=read\nbs=4k\niodepth=1\noffset=200m\nruntime=5ms\ntime_based\n'],
  ] as const) {
    it(`${what}: the same offsets and results as through a one-plex volume there`, () => {
      const viaVolume = run(job, 'volume');
      const viaExtent = run(job, 'extent');
      expect(viaExtent.spy.offsets.length).toBeGreaterThan(100);
      expect(viaExtent.spy.offsets).toEqual(viaVolume.spy.offsets);
      expect(Math.min(...viaExtent.spy.offsets)).toBeGreaterThanOrEqual(EXTENT.offset_bytes);
      expect(Math.max(...viaExtent.spy.offsets)).toBeLessThan(EXTENT.offset_bytes + EXTENT.size_bytes);
      expect(viaExtent.result).toEqual(viaVolume.result);
      expect(viaExtent.requests).toBe(0);
    });
  }

  it('refuses to reroute a job placed on an extent (its offsets count from the extent)', () => {
    const model = new Model(1, 1e7);
    addExponentialQueue(model, 'node-a/nvme0', '20us');
    addExponentialQueue(model, 'node-b/nvme0', '20us');
    const [spec] = loadWorkloads('[j]\nrw=read\nbs=4k\nsize=1m\n', 'extent.fio', MiB).specs;
    const job = model.addJob({ spec: spec!, device: 'node-a/nvme0', name: 'j', extent: EXTENT });
    expect(() => model.reroute(job, 'node-b/nvme0')).toThrow(/job "j" was placed on an extent of a device; it cannot be rerouted/);
    const plain = model.addJob({ spec: spec!, device: 'node-a/nvme0', name: 'k' });
    expect(model.reroute(plain, 'node-b/nvme0')).toBeGreaterThanOrEqual(0);
  });

  it('refuses an extent that is not within the device, naming the job and the device', () => {
    const model = new Model(1, 1e7);
    addExponentialQueue(model, 'node-a/nvme0', '20us');
    const [spec] = loadWorkloads('[j]\nrw=read\nbs=4k\nsize=1m\n', 'extent.fio', MiB).specs;
    expect(() =>
      model.addJob({ spec: spec!, device: 'node-a/nvme0', name: 'j', extent: { offset_bytes: 1023 * MiB, size_bytes: 2 * MiB } }),
    ).toThrow(/job "j": its extent, bytes 1072693248 to 1074790400, is not within device "node-a\/nvme0"/);
  });
});
