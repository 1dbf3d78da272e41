/** The builder as the cluster wiring will use it: a fio job file's job on a mirrored volume, through a station before it, across a plex's outage. */
import { describe, expect, it } from 'vitest';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import { Model } from '../../../sim/model/model.js';
import { mirroredVolume } from '../../../sim/storage/build.js';
import type { ResyncDone } from '../../../sim/storage/resync.js';
import { addExponentialQueue, CountingSpy } from './harness.js';

const MiB = 1 << 20;
const JOB = '[oltp]\nrw=randrw\nrwmixread=70\nbs=4k\niodepth=1\nruntime=300ms\ntime_based\n';

function run(seed: number) {
  const model = new Model(seed, 1e7);
  addExponentialQueue(model, 'node-a/nvme0', '20us');
  addExponentialQueue(model, 'node-b/nvme0', '20us');
  const inSync: ResyncDone[] = [];
  const vol = mirroredVolume(model, {
    name: 'pvc-1',
    capacity_bytes: 128 * MiB,
    block_bytes: 64 * 1024,
    resync_bytes_per_s: 200 * MiB,
    plexes: [
      { device: 'node-a/nvme0' },
      { device: 'node-b/nvme0', offset_bytes: 256 * MiB, remote: { fabric_rtt_ns: 2_400, target_ns: 7_600 } },
    ],
    onInSync: (done) => inSync.push(done),
  });
  const [spec] = loadWorkloads(JOB, 'oltp.fio', vol.volume.capacity_bytes).specs;
  const before = new CountingSpy(model); // where a QoS scheduler would sit
  const job = model.addJob({ spec: spec!, device: 'pvc-1', via: [before], labels: { volume: 'pvc-1' } });
  model.at(50e6, () => vol.fail(1));
  model.at(60e6, () => vol.recover(1));
  model.run(1e7);
  return { model, vol, job, before, inSync };
}

describe('a fio job on a mirrored volume', () => {
  it('runs through the volume across an outage: every I/O answered, the plex back in sync, nothing acknowledged lost', () => {
    const { model, vol, job, before, inSync } = run(1);
    const { read, write } = job.recorder;
    expect(read.total_ios).toBeGreaterThan(5_000);
    expect(write.total_ios).toBeGreaterThan(2_000);
    expect(before.reads + before.writes).toBeGreaterThanOrEqual(read.total_ios + write.total_ios);
    // At QD1 a read waits for the local plex only (mean 20 us), a write for both: E[max(local, 10 us + remote)] ≥ 10 us + 20 us.
    expect(write.clat.mean_ns).toBeGreaterThan(read.clat.mean_ns + 10_000);
    expect(inSync).toHaveLength(1);
    expect(inSync[0]!.plex).toBe(1);
    expect(inSync[0]!.finished_ns).toBeLessThan(300e6);
    expect(vol.volume.state).toEqual(['in-sync', 'in-sync']);
    expect(() => vol.volume.assertNoLostWrites()).not.toThrow();
    expect(vol.volume.failedIos).toBe(0);
    expect(model.requests.inUse).toBe(0);
  });
});
