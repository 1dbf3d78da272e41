/**
 * What an NVMe drive guarantees behind the storage QoS (sim/devices/nvme/guarantee.ts), against arithmetic
 * from the P4510 profile's own parameters, without running the model; and the node figure admission
 * counts (platform/domain/drive-guarantee.ts) is that figure at 4K 70/30.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../bench/profiles.js';
import { writeFiles } from '../cli-harness.js';
import { loadStackCoefficients } from '../../bench/stack-coefficients.js';
import { driveGuaranteedIops } from '../../platform/domain/drive-guarantee.js';
import { loadNodeProfile } from '../../platform/domain/node-profile.js';
import { lrwWriteAmplification, nvmeGuaranteedIops, resolveNvme } from '../../sim/devices/nvme/index.js';
import type { NvmeParams } from '../../sim/devices/nvme/index.js';
import { LINEAR_4K } from '../../sim/qos/io-cost.js';
import { DEFAULT_DISPATCH_DEPTH, GUARANTEE_UTILISATION } from '../../sim/qos/storage-qos.js';

const p4510 = loadProfile('intel-p4510-4tb');
const cfg = resolveNvme(p4510.params as NvmeParams, lrwWriteAmplification);
const at = (readFraction: number, depth = 64, size_bytes = 4096) =>
  nvmeGuaranteedIops(cfg, { size_bytes, readFraction, depth, utilisation: 1 });

// The profile's figures (sim/profiles/intel-p4510-4tb.yaml), in seconds and bytes.
const dies = 12 * 7;
const meanRead_s = ((70.6 + 96.9 + 132.5) / 3) * 1e-6;
const program_s = 4.42e-3;
const erase_s = 3e-3;
const unit_bytes = 16384 * 3 * 2; // page x pages per program x planes
const unitsPerBlock = 1536 / 3;
const spare = (dies * 48 * 2 ** 30) / 4_000_787_030_016 - 1;
const wa = lrwWriteAmplification(spare);

/** Die seconds one 4K random write costs: its share of a program unit's program, GC copies (a read of the unit's pages and a program each) and erases. */
const writeDie_s = ((4096 / unit_bytes) * (program_s + (wa - 1) * (3 * meanRead_s + program_s) + (wa * erase_s) / unitsPerBlock)) / dies;

describe('an NVMe drive guarantees what its parameters allow (P4510, 4 KiB)', () => {
  it('random writes: the dies, programming what the host writes and what GC copies', () => {
    expect(at(0)).toBe(Math.floor(1 / writeDie_s));
    // The datasheet's steady state is 62.5K; the rule is within 2% of it (the model serves 64.5K).
    expect(Math.abs(at(0) / 62_500 - 1)).toBeLessThan(0.02);
  });

  it('random reads: the depth, by mean value analysis of 64 reads over the 84 dies', () => {
    const controller_s = 1.116e-6 + 4096 / 805e6;
    const channel_s = 4096 / 533e6;
    const pcie_s = 4096 / 3.938e9;
    let queue = 0;
    let rate = 0;
    for (let n = 1; n <= 64; n++) {
      const residence = meanRead_s * (1 + queue);
      rate = n / (controller_s + channel_s + pcie_s + residence);
      queue = (rate * residence) / dies;
    }
    expect(at(1)).toBe(Math.floor(rate));
    // Deep enough, the controller's four cores bound it: the datasheet's 645K.
    expect(at(1, 4096)).toBe(Math.floor(4 / controller_s));
    // Fewer requests outstanding, fewer I/Os: the QoS's dispatch depth costs reads.
    expect(at(1, 16)).toBeLessThan(at(1, 64));
  });

  it('a 70/30 mix: the dies, where each read that meets a program suspends it (100 us of the die)', () => {
    const r = 0.7;
    const a = (r * meanRead_s) / dies + (1 - r) * writeDie_s;
    const b = (r * (1 - r) * writeDie_s * 100e-6) / dies;
    expect(at(r)).toBe(Math.floor((-a + Math.sqrt(a * a + 4 * b)) / (2 * b)));
    // Suspensions cost: below what the dies would do without them, above the writes alone.
    expect(at(r)).toBeLessThan(1 / a);
    expect(at(r)).toBeGreaterThan(at(0));
  });

  it('larger I/Os cost more per I/O and more 4K units each, with fewer of them outstanding (the QoS counts units)', () => {
    expect(at(1, 64, 131072)).toBeLessThan(at(1, 64, 4096));
    // 128K = 32 units of 4K: the QoS's 64 units hold two of them.
    const twoDeep = nvmeGuaranteedIops(cfg, { size_bytes: 131072, readFraction: 1, depth: 2, utilisation: GUARANTEE_UTILISATION });
    expect(driveGuaranteedIops('intel-p4510-4tb', { io_size_bytes: 131072, read_fraction: 1 })).toBe(twoDeep * 32);
    // Two reads of 8 pages each, in parallel on their dies: Little's law over the path of one alone, less
    // what one read's pages wait behind the other's (MVA at two customers).
    const delay_s = 1.116e-6 + 131072 / 805e6 + 131072 / 533e6 / 8 + 131072 / 3.938e9;
    const one = 1 / (delay_s + meanRead_s);
    const q = (one * 8 * meanRead_s) / dies;
    const two = 2 / (delay_s + meanRead_s * (1 + q));
    expect(twoDeep).toBe(Math.floor(two * GUARANTEE_UTILISATION));
  });

  it("admission prices at the QoS the cluster builds: the coefficient file's depth and cost model are the defaults it uses", () => {
    const hci = loadStackCoefficients().hci;
    expect(hci.qos_dispatch_depth.value).toBe(DEFAULT_DISPATCH_DEPTH);
    expect([hci.qos_cost_unit_bytes.value, hci.qos_cost_per_io_bytes.value, hci.qos_write_cost_factor.value]).toEqual([
      LINEAR_4K.unit_bytes,
      LINEAR_4K.per_io_bytes,
      LINEAR_4K.write_factor,
    ]);
  });

  it("admission's node figure: the drive's at 4K 70/30, the QoS's depth and headroom, under the rated 500K", () => {
    const drive = Math.floor(
      nvmeGuaranteedIops(cfg, { size_bytes: 4096, readFraction: 0.7, depth: DEFAULT_DISPATCH_DEPTH, utilisation: GUARANTEE_UTILISATION }),
    );
    expect(driveGuaranteedIops('intel-p4510-4tb')).toBe(drive);
    const node = loadNodeProfile('appliance-d10');
    expect(node.drives.map((d) => d.guaranteed_iops)).toEqual([drive]);
    expect(node.guaranteeable_iops).toBe(drive);
    expect(drive).toBeLessThan(500_000);
  });

  it('a queue device (a calibrated host) guarantees its closed loop: min(outstanding, servers) / service time', () => {
    const dir = writeFiles({ 'q.yaml': 'kind: queue\nservers: 8\nservice: { dist: deterministic, mean: 100us }\ncapacity: 1T\n' });
    const path = join(dir, 'q.yaml');
    // 4K 70/30: 64 outstanding, 8 servers of 100 us each.
    expect(driveGuaranteedIops(path)).toBe(Math.floor((8 / 100e-6) * GUARANTEE_UTILISATION));
    // 128K: 32 units each, two outstanding, two servers busy; 32 units per I/O.
    expect(driveGuaranteedIops(path, { io_size_bytes: 131072, read_fraction: 1 })).toBe(
      Math.floor((2 / 100e-6) * GUARANTEE_UTILISATION) * 32,
    );
  });
});
