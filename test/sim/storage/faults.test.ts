/** A mirrored volume through a plex's failure and return: degraded writes, no acknowledged write lost, resync in dirty bytes / share. */
import { describe, expect, it } from 'vitest';
import { STATUS_OK } from '../../../sim/io/requests.js';
import { Model } from '../../../sim/model/model.js';
import { mirroredVolume, type MirroredVolumeHandle } from '../../../sim/storage/build.js';
import { RESYNC_DEPTH } from '../../../sim/storage/resync.js';
import { addExponentialQueue, addNullDevice, CountingSpy, Driver } from './harness.js';

const MiB = 1 << 20;
const TERMS = { fabric_rtt_ns: 2_400, target_ns: 7_600 };
const BLOCK = 64 * 1024;
const SHARE = 64 * MiB; // bytes/s: one 64 KiB block every 976.5625 us

interface Outcome {
  vol: MirroredVolumeHandle;
  model: Model;
  local: CountingSpy;
  remote: CountingSpy;
  dirtyAtReturn: number;
  lostDuringOutage: number;
  readPlexDuringOutage: number;
  latencySum: number;
  failed: number;
  completed: number;
}

/**
 * Foreground random 4K read/write at QD4 on a two-plex volume; plex 1 (remote) leaves at 2 ms and returns
 * at 4 ms, resyncing at `recover_bytes_per_s` when given (else the volume's share).
 */
function outage(seed: number, recover_bytes_per_s?: number): Outcome {
  const model = new Model(seed, 1e6);
  addExponentialQueue(model, 'a/nvme0', '20us');
  addExponentialQueue(model, 'b/nvme0', '20us');
  const local = new CountingSpy(model);
  const remote = new CountingSpy(model);
  const vol = mirroredVolume(model, {
    name: 'vol',
    capacity_bytes: 64 * MiB,
    block_bytes: BLOCK,
    resync_bytes_per_s: SHARE,
    plexes: [
      { device: 'a/nvme0', via: [local] },
      { device: 'b/nvme0', remote: TERMS, via: [remote] },
    ],
  });
  const out: Outcome = {
    vol,
    model,
    local,
    remote,
    dirtyAtReturn: -1,
    lostDuringOutage: -1,
    readPlexDuringOutage: -1,
    latencySum: 0,
    failed: 0,
    completed: 0,
  };
  const driver = new Driver(
    model,
    model.streams.get('driver'),
    { depth: 4, total: 60_000, span_bytes: 64 * MiB, bytes: 4096, writeFraction: 0.5 },
    (req) => {
      out.latencySum += model.sim.now - model.requests.arrival_ns[req]!;
      if (model.requests.status[req] !== STATUS_OK) out.failed++;
    },
  ).into(vol.volume);
  driver.start();
  model.at(2e6, () => vol.fail(1));
  model.at(3e6, () => {
    out.lostDuringOutage = vol.volume.verifyAcknowledged().length;
    out.readPlexDuringOutage = vol.volume.readingFrom;
  });
  model.at(4e6, () => {
    out.dirtyAtReturn = vol.volume.map.dirtyCount[1]!;
    vol.recover(1, false, recover_bytes_per_s);
  });
  model.sim.run(Infinity);
  out.completed = driver.completed;
  return out;
}

describe('a plex leaves and returns', () => {
  it('writes go on degraded, no acknowledged write is lost, and resync copies only the dirty blocks in dirty_bytes / share', () => {
    const { vol, model, local, remote, dirtyAtReturn, lostDuringOutage, readPlexDuringOutage, failed, completed } = outage(11);
    expect(completed).toBe(60_000);
    expect(failed).toBe(0);
    expect(lostDuringOutage).toBe(0);
    expect(readPlexDuringOutage).toBe(0);
    // The outage's writes dirtied some blocks, not all (else this would not show "only what changed").
    expect(dirtyAtReturn).toBeGreaterThan(10);
    expect(dirtyAtReturn).toBeLessThan(vol.volume.map.blocks / 2);

    const [done] = vol.resync.done;
    expect(vol.resync.done).toHaveLength(1);
    expect(done!.copied_bytes).toBe(dirtyAtReturn * BLOCK);
    // The copies are paced one block per block_bytes / share; each lands long before the next is due.
    expect(done!.finished_ns - done!.started_ns).toBeCloseTo(((dirtyAtReturn * BLOCK) / SHARE) * 1e9, 3);
    expect(done!.started_ns).toBe(4e6);
    // The copies went through the same legs as the foreground I/O, as background class: reads from the local plex, writes to the remote one.
    expect(local.background).toBe(dirtyAtReturn);
    expect(remote.background).toBe(dirtyAtReturn);
    expect(vol.volume.state).toEqual(['in-sync', 'in-sync']);
    expect(vol.volume.verifyAcknowledged()).toEqual([]);
    expect(vol.volume.staleReads).toBe(0);
    // The proof resync copied everything: with the local plex gone, the returned one alone holds every acknowledged write.
    vol.fail(0);
    expect(vol.volume.readingFrom).toBe(1);
    expect(vol.volume.verifyAcknowledged()).toEqual([]);
    expect(() => vol.volume.assertNoLostWrites()).not.toThrow();
    expect(model.requests.inUse).toBe(0);
  });

  it('resyncs at the rate given on return (a control plane that splits the bandwidth) instead of the volume share', () => {
    const { vol, dirtyAtReturn } = outage(11, SHARE / 2);
    const [done] = vol.resync.done;
    expect(done!.copied_bytes).toBe(dirtyAtReturn * BLOCK);
    expect(done!.finished_ns - done!.started_ns).toBeCloseTo(((dirtyAtReturn * BLOCK) / (SHARE / 2)) * 1e9, 3);
    expect(() => vol.recover(1, false, 0)).toThrow(/resync bytes_per_s must be a finite number > 0, not 0/);
  });

  it('fails loudly when a plex that missed writes is taken as in sync without resync and is the last one left', () => {
    const model = new Model(2, 1e6);
    addExponentialQueue(model, 'a/nvme0', '20us');
    addExponentialQueue(model, 'b/nvme0', '20us');
    const vol = mirroredVolume(model, {
      name: 'vol',
      capacity_bytes: 8 * MiB,
      block_bytes: BLOCK,
      resync_bytes_per_s: SHARE,
      plexes: [{ device: 'a/nvme0' }, { device: 'b/nvme0' }],
    });
    const driver = new Driver(model, model.streams.get('driver'), {
      depth: 2,
      total: 2_000,
      span_bytes: 8 * MiB,
      bytes: 4096,
      writeFraction: 1,
    }).into(vol.volume);
    driver.start();
    model.at(1e6, () => vol.fail(1));
    model.sim.run(Infinity);
    expect(vol.volume.verifyAcknowledged()).toEqual([]);
    // Skipping the resync: the stale plex claims to be in sync, then the good one fails.
    vol.volume.plexReturning(1);
    vol.volume.plexInSync(1);
    vol.fail(0);
    const lost = vol.volume.verifyAcknowledged();
    expect(lost.length).toBeGreaterThan(0);
    expect(lost[0]!.bestInSync).toBeLessThan(lost[0]!.acknowledged);
    expect(() => vol.volume.assertNoLostWrites()).toThrow(/volume "vol": acknowledged writes lost: block \d+ \(acknowledged version \d+/);
  });

  it('a write with no plex to go to fails and is not acknowledged', () => {
    const model = new Model(4, 1e6);
    addExponentialQueue(model, 'a/nvme0', '20us');
    addExponentialQueue(model, 'b/nvme0', '20us');
    const vol = mirroredVolume(model, {
      name: 'vol',
      capacity_bytes: 8 * MiB,
      block_bytes: BLOCK,
      resync_bytes_per_s: SHARE,
      plexes: [{ device: 'a/nvme0' }, { device: 'b/nvme0', remote: TERMS }],
    });
    let failed = 0;
    const driver = new Driver(
      model,
      model.streams.get('driver'),
      { depth: 2, total: 3_000, span_bytes: 8 * MiB, bytes: 4096, writeFraction: 1 },
      (req) => {
        if (model.requests.status[req] !== STATUS_OK) failed++;
      },
    ).into(vol.volume);
    driver.start();
    let acknowledged: Uint32Array | null = null;
    model.at(1e6, () => {
      vol.fail(0);
      vol.fail(1);
    });
    // Children in flight when both left land by 1.5 ms; from then on nothing can be acknowledged.
    model.at(1.5e6, () => (acknowledged = vol.volume.map.acknowledged.slice()));
    model.sim.run(Infinity);
    expect(failed).toBeGreaterThan(2_000);
    expect(vol.volume.failedIos).toBe(failed);
    expect(vol.volume.map.acknowledged).toEqual(acknowledged);
  });

  it('a replaced drive (its data lost) resyncs every block ever written, in written_bytes / share', () => {
    const model = new Model(6, 1e6);
    addExponentialQueue(model, 'a/nvme0', '20us');
    addExponentialQueue(model, 'b/nvme0', '20us');
    const vol = mirroredVolume(model, {
      name: 'vol',
      capacity_bytes: 32 * MiB,
      block_bytes: BLOCK,
      resync_bytes_per_s: SHARE,
      plexes: [{ device: 'a/nvme0' }, { device: 'b/nvme0', remote: TERMS }],
    });
    // Writes over the first 4 MiB only (64 blocks), reads everywhere.
    const driver = new Driver(model, model.streams.get('driver'), {
      depth: 2,
      total: 20_000,
      span_bytes: 4 * MiB,
      bytes: 4096,
      writeFraction: 0.5,
    }).into(vol.volume);
    driver.start();
    let written = -1;
    model.at(1e6, () => vol.fail(1));
    model.at(2e6, () => {
      written = vol.volume.map.acknowledged.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
      vol.recover(1, true);
    });
    model.sim.run(Infinity);
    const [done] = vol.resync.done;
    expect(written).toBeGreaterThan(10);
    expect(written).toBeLessThanOrEqual(64); // writes touch only the first 64 blocks, so only they are copied
    expect(done!.copied_bytes).toBe(written * BLOCK);
    expect(done!.finished_ns - done!.started_ns).toBeCloseTo(((written * BLOCK) / SHARE) * 1e9, 3);
    vol.fail(0);
    expect(vol.volume.verifyAcknowledged()).toEqual([]);
  });

  it('a read out on a plex that leaves goes again to the plex reads go to now', () => {
    const model = new Model(8, 1e6);
    addNullDevice(model, 'a/nvme0', '100us');
    addNullDevice(model, 'b/nvme0', '10us');
    const remote = new CountingSpy(model);
    const vol = mirroredVolume(model, {
      name: 'vol',
      capacity_bytes: 8 * MiB,
      block_bytes: BLOCK,
      resync_bytes_per_s: SHARE,
      plexes: [{ device: 'a/nvme0' }, { device: 'b/nvme0', remote: TERMS, via: [remote] }],
    });
    const latencies: number[] = [];
    const driver = new Driver(
      model,
      model.streams.get('driver'),
      { depth: 4, total: 4, span_bytes: 8 * MiB, bytes: 4096, writeFraction: 0 },
      (req) => {
        expect(model.requests.status[req]).toBe(STATUS_OK);
        latencies.push(model.sim.now - model.requests.arrival_ns[req]!);
      },
    ).into(vol.volume);
    driver.start();
    model.at(50_000, () => vol.fail(0));
    model.sim.run(Infinity);
    // Out at 0 on the local plex (100 us); it left at 50 us; at 100 us each read goes to the remote plex: 10 us + 10 us of fabric and target.
    expect(latencies).toEqual([120_000, 120_000, 120_000, 120_000]);
    expect(remote.reads).toBe(4);
  });

  it('a share faster than the copies: at most RESYNC_DEPTH copies in flight, the resync ends when the last one lands', () => {
    const model = new Model(9, 1e6);
    addNullDevice(model, 'a/nvme0', '100us');
    addNullDevice(model, 'b/nvme0', '100us');
    const share = 1024 * 1024 * MiB; // a 64 KiB block every 0.06 us, far less than one copy's 200 us (read, then write)
    const vol = mirroredVolume(model, {
      name: 'vol',
      capacity_bytes: 8 * MiB,
      block_bytes: BLOCK,
      resync_bytes_per_s: share,
      plexes: [{ device: 'a/nvme0' }, { device: 'b/nvme0' }],
    });
    vol.fail(1);
    const driver = new Driver(model, model.streams.get('driver'), {
      depth: 1,
      total: 100,
      span_bytes: 8 * MiB,
      bytes: 4096,
      writeFraction: 1,
    }).into(vol.volume);
    driver.start();
    let dirty = 0;
    model.at(20e6, () => {
      dirty = vol.volume.map.dirtyCount[1]!;
      vol.recover(1);
    });
    model.sim.run(Infinity);
    const [done] = vol.resync.done;
    expect(dirty).toBeGreaterThan(50);
    // Copy k leaves at its pace after copy k - 1, or when copy k - RESYNC_DEPTH lands if that is later
    // (each copy a 100 us read then a 100 us write); the pass ends when the last copy lands.
    const pace = (BLOCK / share) * 1e9;
    const issued: number[] = [0];
    for (let k = 1; k < dirty; k++)
      issued.push(Math.max(issued[k - 1]! + pace, k >= RESYNC_DEPTH ? issued[k - RESYNC_DEPTH]! + 200_000 : 0));
    expect(done!.finished_ns - done!.started_ns).toBeCloseTo(issued[dirty - 1]! + 200_000, 3);
    // The depth, not the pace, set the time: unbounded, the copies would all have been in flight at once.
    expect(issued[dirty - 1]! + 200_000).toBeGreaterThan(1.3 * ((dirty - 1) * pace + 200_000));
    vol.fail(0);
    expect(vol.volume.verifyAcknowledged()).toEqual([]);
  });

  it('is deterministic: the same seed gives the same run, another seed another', () => {
    const a = outage(21);
    const b = outage(21);
    const c = outage(22);
    expect([a.latencySum, a.dirtyAtReturn, a.vol.resync.done[0]!.finished_ns]).toEqual([
      b.latencySum,
      b.dirtyAtReturn,
      b.vol.resync.done[0]!.finished_ns,
    ]);
    expect(c.latencySum).not.toBe(a.latencySum);
  });
});
