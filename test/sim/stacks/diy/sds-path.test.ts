/** The DIY block store's path against arithmetic: QD1 latency is the sum of its terms, CPU is per I/O as the data file says. */
import { describe, expect, it } from 'vitest';
import { loadStackCoefficients } from '../../../../bench/stack-coefficients.js';
import type { Station } from '../../../../sim/io/requests.js';
import { Model } from '../../../../sim/model/model.js';
import { CPU_STORAGE } from '../../../../sim/resources/host-cpu.js';
import { sdsCpuPerClientWrite_us } from '../../../../sim/stacks/coefficient-schema.js';
import { sdsSoftwareLatency } from '../../../../sim/stacks/diy/sds.js';
import { StackBuilder, stackTerms } from '../../../../sim/stacks/diy/stack.js';
import { workload } from '../../../bench/spec-factory.js';
import { nullDevice, standInFanOut } from './stand-in.js';

const coefficients = loadStackCoefficients();
const diy = stackTerms(coefficients, 'diy');
const sds = diy.sds!;
/** The reference drive's QD1 latencies the data file's figures are taken apart with, ns. */
const reference = sds.reference_device;

/** A volume with its primary on node-a and replicas on node-b and node-c; the client's job ends at a 0 ns stand-in. */
function replicatedVolume(seed: number, deviceLatency = `${reference.write_ns}ns`) {
  const model = new Model(seed, 1e8);
  const stack = new StackBuilder(model, diy);
  for (const node of ['node-a', 'node-b', 'node-c']) stack.hostCpu(node, 16);
  // The null device has one latency for both directions: a read test gives the reference read's, a write test the write's.
  const devices = ['node-a', 'node-b', 'node-c'].map((node) => nullDevice(model, `${node}/nvme0`, deviceLatency));
  nullDevice(model, 'volume', '0ns');
  const path = stack.sdsPath('node-a');
  const legB = path.replicaLeg(stack.cpuOf('node-b'));
  const legC = path.replicaLeg(stack.cpuOf('node-c'));
  const legs: Station[][] = [[devices[0]!], [...legB.out, devices[1]!, ...legB.back], [...legC.out, devices[2]!, ...legC.back]];
  const via = [...path.front, standInFanOut(model, legs), ...path.back];
  return { model, stack, via };
}

describe('the DIY block store path (Ceph style, replication 3)', () => {
  it('uses replication 3 and the CPU figures of the data file, ~860 us per client write', () => {
    expect(sds.replication).toBe(coefficients.diy.sds_replication.value);
    expect(sds.replication * sds.cpu_ns_per_replica_write).toBe(
      sdsCpuPerClientWrite_us(3, coefficients.diy.sds_cpu_us_per_replica_write.value) * 1000,
    );
    expect(sds.cpu_ns_per_client_read).toBe(130_000);
  });

  it('takes the reference drive from the data file', () => {
    expect(reference).toEqual({
      read_ns: coefficients.diy.sds_reference_device_read_latency_us.value * 1000,
      write_ns: coefficients.diy.sds_reference_device_write_latency_us.value * 1000,
    });
  });

  it('a QD1 4K replicated write takes the sum of its terms: the data file write latency on the reference device', () => {
    const { model, via } = replicatedVolume(1, `${reference.write_ns}ns`);
    const job = model.addJob({ spec: workload({ readFraction: 0, iodepth: 1, runtime_ns: 2e7 }), device: 'volume', via });
    model.run(1e6);
    const software = sdsSoftwareLatency(sds, reference);
    // hop to primary + primary software + slowest leg (hop + replica software + device + hop) + hop back.
    const sum =
      sds.hop_ns + software.primaryWrite_ns + (sds.hop_ns + software.replicaWrite_ns + reference.write_ns + sds.hop_ns) + sds.hop_ns;
    expect(sum).toBe(coefficients.diy.sds_write_latency_us.value * 1000);
    const clat = job.recorder.write.clat;
    expect(clat.n).toBeGreaterThan(40);
    expect(clat.min_ns).toBe(sum);
    expect(clat.max_ns).toBe(sum);
    expect(model.requests.inUse).toBe(0);
  });

  it('a slower device adds its extra write time one for one (the device term passes through)', () => {
    const { model, via } = replicatedVolume(1, '100us');
    const job = model.addJob({ spec: workload({ readFraction: 0, iodepth: 1, runtime_ns: 2e7 }), device: 'volume', via });
    model.run(1e6);
    expect(job.recorder.write.clat.max_ns).toBe(coefficients.diy.sds_write_latency_us.value * 1000 + (100_000 - reference.write_ns));
  });

  it('a QD1 4K read is served by the primary alone and takes the data file read latency', () => {
    const { model, stack, via } = replicatedVolume(1, `${reference.read_ns}ns`);
    const job = model.addJob({ spec: workload({ readFraction: 1, iodepth: 1, runtime_ns: 2e7 }), device: 'volume', via });
    model.run(1e6);
    expect(job.recorder.read.clat.min_ns).toBe(coefficients.diy.sds_read_latency_us.value * 1000);
    expect(job.recorder.read.clat.max_ns).toBe(coefficients.diy.sds_read_latency_us.value * 1000);
    expect(stack.cpuOf('node-b').busy_ns[CPU_STORAGE]).toBe(0);
  });

  it('host CPU is charged per client I/O: 130 us per read on the primary, 286 us per write on each of the 3 copies', () => {
    const { model, stack, via } = replicatedVolume(7);
    const job = model.addJob({
      spec: workload({ readFraction: 0.7, iodepth: 8, timeBased: false, runtime_ns: 0, size_bytes: 3000 * 4096 }),
      device: 'volume',
      via,
    });
    model.run(1e6);
    const reads = job.recorder.read.total_ios;
    const writes = job.recorder.write.total_ios;
    expect(reads + writes).toBe(3000);
    expect(reads).toBeGreaterThan(1800);
    expect(writes).toBeGreaterThan(600);
    const busy = (node: string) => stack.cpuOf(node).busy_ns[CPU_STORAGE]!;
    expect(busy('node-a')).toBeCloseTo(reads * 130_000 + writes * 286_000, 3);
    expect(busy('node-b')).toBeCloseTo(writes * 286_000, 3);
    expect(busy('node-c')).toBeCloseTo(writes * 286_000, 3);
    expect(busy('node-a') + busy('node-b') + busy('node-c')).toBeCloseTo(reads * 130_000 + writes * 3 * 286_000, 3);
    expect(model.requests.inUse).toBe(0);
  });

  it('refuses figures that leave the daemons negative time, naming the entry to change', () => {
    expect(() => sdsSoftwareLatency({ ...sds, write_latency_ns: 40_000 })).toThrow(/sds_write_latency_us/);
    expect(() => sdsSoftwareLatency({ ...sds, reference_device: { read_ns: -1, write_ns: 0 } })).toThrow(
      /reference_device.read_ns must be a finite number/,
    );
  });

  it('same seed, same numbers; another seed, another mix', () => {
    const run = (seed: number) => {
      const { model, stack, via } = replicatedVolume(seed);
      const job = model.addJob({
        spec: workload({ readFraction: 0.5, iodepth: 4, rate_iops: { read: 2000, write: 2000 }, rateProcess: 'poisson', runtime_ns: 5e7 }),
        device: 'volume',
        via,
      });
      model.run(1e6);
      return JSON.stringify({
        cpu: stack.cpuRows(),
        r: job.recorder.read.clat.counts,
        w: job.recorder.write.clat.counts,
        n: model.sim.eventsFired,
      });
    };
    expect(run(3)).toBe(run(3));
    expect(run(3)).not.toBe(run(4));
  });
});
