/** A mirrored volume's I/O path against arithmetic: remote plex terms, the join, copy-on-write after a snapshot. */
import { describe, expect, it } from 'vitest';
import { OP_WRITE, STATUS_OK } from '../../../sim/io/requests.js';
import { Model } from '../../../sim/model/model.js';
import { BlockMap } from '../../../sim/storage/block-map.js';
import { mirroredVolume } from '../../../sim/storage/build.js';
import { nvmeofTerms, remotePlexDelays } from '../../../sim/storage/delay-station.js';
import { MirroredVolume } from '../../../sim/storage/mirrored-volume.js';
import { workload } from '../../bench/spec-factory.js';
import { addExponentialQueue, addNullDevice, CountingSpy, Driver } from './harness.js';

// The hci stack's NVMe over Ethernet term (stack-coefficients.yaml hci.nvmeof_added_latency_us, 10 us),
// split as a fabric round trip through one cut-through switch, 2 x (2 x 0.3 us PHY + 0.6 us switch)
// from the fabric entries, and the target's share.
const TERMS = nvmeofTerms(10_000, 2 * (2 * 300 + 600));
const MiB = 1 << 20;

/** A fio random-read job at QD1 through a one-plex volume on an exponential 50 us queue; returns the job's mean completion latency. */
function readMean(remote: boolean): number {
  const model = new Model(1, 1e6);
  addExponentialQueue(model, 'nvme0', '50us');
  mirroredVolume(model, {
    name: 'vol',
    capacity_bytes: 256 * MiB,
    block_bytes: 64 * 1024,
    resync_bytes_per_s: 100 * MiB,
    plexes: [{ device: 'nvme0', ...(remote ? { remote: TERMS } : {}) }],
  });
  const job = model.addJob({ spec: workload({ iodepth: 1, runtime_ns: 1e9 }), device: 'vol', name: 'reader' });
  model.run(1e8);
  return job.recorder.read.clat.mean_ns;
}

describe('a remote plex pays the fabric and target terms', () => {
  it("a remote read's mean latency is the local mean plus fabric round trip plus target, a fio job through the builder", () => {
    const local = readMean(false);
    const remote = readMean(true);
    const expected = local + TERMS.fabric_rtt_ns + TERMS.target_ns;
    expect(Math.abs(remote - expected) / expected).toBeLessThan(0.02);
    // At QD1 a single-server queue never queues: its mean is the service mean (50 us), within the sample's noise.
    expect(Math.abs(local - 50_000) / 50_000).toBeLessThan(0.03);
  });

  it('the remote delays split the round trip around the target: out = rtt/2 + target, back = rtt/2', () => {
    const model = new Model(1, 1e6);
    const { outbound, inbound } = remotePlexDelays(model.sim, model.requests, TERMS);
    expect(outbound.delay_ns).toBe(TERMS.fabric_rtt_ns / 2 + TERMS.target_ns);
    expect(inbound.delay_ns).toBe(TERMS.fabric_rtt_ns / 2);
    expect(TERMS).toEqual({ fabric_rtt_ns: 2_400, target_ns: 7_600 });
    expect(() => remotePlexDelays(model.sim, model.requests, { fabric_rtt_ns: -1, target_ns: 0 })).toThrow(
      /fabric_rtt_ns must be a finite number of ns/,
    );
    expect(() => nvmeofTerms(2_000, 2_400)).toThrow(/less than the fabric round trip of 2400 ns/);
  });
});

describe('the join: a mirrored write completes when every plex has it', () => {
  it('no write completes before its slowest plex, and each completes exactly when its last plex does; reads use the local plex', () => {
    const model = new Model(3, 1e6);
    addExponentialQueue(model, 'a/nvme0', '20us');
    addExponentialQueue(model, 'b/nvme0', '20us');
    const legEnd = new Float64Array(1 << 16);
    const slowestLeg = new Float64Array(1 << 16);
    const slowestPlex = new Int32Array(1 << 16);
    // Sits last on each leg: sees each child as it leaves its plex.
    const legSpy = (plex: number) => ({
      accept(child: number) {
        const requests = model.requests;
        const parent = requests.parent[child]!;
        const latency = model.sim.now - requests.submit_ns[child]!;
        legEnd[parent] = Math.max(legEnd[parent]!, model.sim.now);
        if (latency >= slowestLeg[parent]!) {
          slowestLeg[parent] = latency;
          slowestPlex[parent] = plex;
        }
        requests.forward(child);
      },
    });
    const remote = remotePlexDelays(model.sim, model.requests, TERMS);
    const localReads = new CountingSpy(model);
    const remoteReads = new CountingSpy(model);
    const volume = new MirroredVolume('vol', model.sim, model.requests, 64 * MiB, 4096, [
      { via: [localReads], device: model.device('a/nvme0').instance, back: [legSpy(0)], offset_bytes: 0, local: true },
      {
        via: [remote.outbound, remoteReads],
        device: model.device('b/nvme0').instance,
        back: [remote.inbound, legSpy(1)],
        offset_bytes: 0,
        local: false,
      },
    ]);
    let writes = 0;
    let tooFast = 0;
    let notAtLastLeg = 0;
    let failed = 0;
    const slowest = [0, 0];
    const driver = new Driver(
      model,
      model.streams.get('driver'),
      { depth: 8, total: 20_000, span_bytes: 64 * MiB, bytes: 4096, writeFraction: 0.7 },
      (req) => {
        const requests = model.requests;
        if (requests.status[req] !== STATUS_OK) failed++;
        if (requests.op[req] === OP_WRITE) {
          writes++;
          if (model.sim.now - requests.arrival_ns[req]! < slowestLeg[req]!) tooFast++;
          if (model.sim.now !== legEnd[req]) notAtLastLeg++;
          slowest[slowestPlex[req]!]!++;
        }
        legEnd[req] = 0;
        slowestLeg[req] = 0;
      },
    ).into(volume);
    driver.start();
    model.sim.run(Infinity);

    expect(driver.completed).toBe(20_000);
    expect(writes).toBeGreaterThan(13_000);
    expect([tooFast, notAtLastLeg, failed]).toEqual([0, 0, 0]);
    // With exponential services either plex is sometimes the slower one: the join waits for whichever it is.
    // (the local one queues the reads too, the remote one pays 10 us more).
    expect(slowest[0]).toBeGreaterThan(0);
    expect(slowest[1]).toBeGreaterThan(0);
    // Reads go to the local plex only; writes to both.
    expect(localReads.reads).toBe(20_000 - writes);
    expect(remoteReads.reads).toBe(0);
    expect([localReads.writes, remoteReads.writes]).toEqual([writes, writes]);
    expect(volume.verifyAcknowledged()).toEqual([]);
    expect(model.requests.inUse).toBe(0);
  });
});

describe('copy-on-write after a snapshot', () => {
  it('the first write to each block after a snapshot pays one extra read and write on every plex, exactly once; later writes pay nothing', () => {
    const model = new Model(5, 1e6);
    addNullDevice(model, 'a/nvme0', '10us');
    addNullDevice(model, 'b/nvme0', '10us');
    const spyA = new CountingSpy(model);
    const spyB = new CountingSpy(model);
    const block = 4096;
    const vol = mirroredVolume(model, {
      name: 'vol',
      capacity_bytes: MiB,
      block_bytes: block,
      resync_bytes_per_s: MiB,
      plexes: [
        { device: 'a/nvme0', via: [spyA] },
        { device: 'b/nvme0', remote: TERMS, via: [spyB] },
      ],
    });
    const total = 2_000;
    let snapshot_ns = Infinity;
    const copied = new Set<number>();
    let firstWrites = 0;
    let wrongLatency = 0;
    const before = { a: { r: 0, w: 0 }, b: { r: 0, w: 0 } };
    // Null devices: a plain write takes 10 us locally and 10 + 10 us remotely, so the mirror takes 20 us;
    // a copy-on-write write does read, copy, write on each leg in turn: 3 x 20 us = 60 us.
    const driver = new Driver(
      model,
      model.streams.get('driver'),
      { depth: 1, total, span_bytes: MiB, bytes: block, writeFraction: 1 },
      (req) => {
        const requests = model.requests;
        const latency = model.sim.now - requests.arrival_ns[req]!;
        const b = requests.offset_bytes[req]! / block;
        let expected = 20_000;
        if (requests.arrival_ns[req]! >= snapshot_ns && !copied.has(b)) {
          copied.add(b);
          firstWrites++;
          expected = 60_000;
        }
        if (Math.abs(latency - expected) > 1e-6) wrongLatency++;
        if (driver.completed === total / 2) {
          snapshot_ns = model.sim.now;
          vol.snapshot();
          before.a = { r: spyA.reads, w: spyA.writes };
          before.b = { r: spyB.reads, w: spyB.writes };
        }
      },
    ).into(vol.volume);
    driver.start();
    model.sim.run(Infinity);

    expect(wrongLatency).toBe(0);
    expect(firstWrites).toBeGreaterThan(100); // 1,000 random writes over 256 blocks touch most of them
    expect(vol.volume.map.copiesOnWrite).toBe(firstWrites);
    // Before the snapshot: writes only. After it: one read and one extra write per first-written block, per plex.
    expect([before.a.r, before.a.w]).toEqual([0, total / 2]);
    expect([spyA.reads, spyA.writes]).toEqual([firstWrites, total + firstWrites]);
    expect([spyB.reads, spyB.writes]).toEqual([firstWrites, total + firstWrites]);
  });
});

describe('the volume registered on the model', () => {
  it('refuses a plex that does not fit on its device and a volume whose map would be too large', () => {
    const model = new Model(1, 1e6);
    addNullDevice(model, 'a/nvme0', '10us');
    expect(() =>
      mirroredVolume(model, {
        name: 'v',
        capacity_bytes: 512 * MiB,
        block_bytes: 4096,
        resync_bytes_per_s: MiB,
        plexes: [{ device: 'a/nvme0', offset_bytes: 768 * MiB }],
      }),
    ).toThrow(/plex 0 on "a\/nvme0" spans bytes .* beyond the device's/);
    expect(() =>
      mirroredVolume(model, {
        name: 'a/nvme0',
        capacity_bytes: MiB,
        block_bytes: 4096,
        resync_bytes_per_s: MiB,
        plexes: [{ device: 'a/nvme0' }],
      }),
    ).toThrow(/volume "a\/nvme0": a device or volume of that name/);
    expect(() => new BlockMap(2 ** 28, 4096, 2)).toThrow(/block map holds 1 to 16777216 blocks, not 268435456; give a larger block_bytes/);
    expect(() =>
      mirroredVolume(model, { name: 'v', capacity_bytes: 2 ** 40, block_bytes: 4096, resync_bytes_per_s: MiB, plexes: [] }),
    ).toThrow(/at least one plex/);
  });
});
