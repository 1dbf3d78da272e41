/**
 * The stack builder on a node: storage and network CPU taken from the applications' cores (utilisation
 * arithmetic), the appliance stack charging none, and the DIY stack's limit-only throttle.
 */
import { describe, expect, it } from 'vitest';
import { loadStackCoefficients } from '../../../../bench/stack-coefficients.js';
import { Deterministic } from '../../../../sim/core/distributions.js';
import { Model } from '../../../../sim/model/model.js';
import { CpuLoad } from '../../../../sim/resources/cpu-load.js';
import { CPU_APPLICATION, CPU_STORAGE } from '../../../../sim/resources/host-cpu.js';
import { StackBuilder, stackTerms, type StackName } from '../../../../sim/stacks/diy/stack.js';
import { workload } from '../../../bench/spec-factory.js';
import { nullDevice } from './stand-in.js';

const coefficients = loadStackCoefficients();
const CORES = 4;
const SLICE_NS = 100_000;
const RUN_NS = 1e9;

/**
 * A 4-core node: an application that would use every core for RUN_NS, beside a volume doing `iops` 4K
 * reads through the stack's storage charge (a millisecond longer, so the model runs past the
 * application's window).
 */
function busyNode(stack: StackName, iops: number) {
  const model = new Model(1, 1e8);
  const builder = new StackBuilder(model, stackTerms(coefficients, stack));
  const cpu = builder.hostCpu('node-a', CORES);
  const app = new CpuLoad(model.sim, cpu, { slice_ns: new Deterministic(SLICE_NS), threads: 2 * CORES, stop_ns: RUN_NS });
  nullDevice(model, 'node-a/nvme0', '0ns');
  const job = model.addJob({
    spec: workload({ readFraction: 1, iodepth: 32, rate_iops: { read: iops, write: 0 }, runtime_ns: RUN_NS + 1e6 }),
    device: 'node-a/nvme0',
    via: [builder.storageCharge('node-a')],
  });
  model.run(1e7);
  return { cpu, app, job };
}

describe('host CPU shared by applications and infrastructure', () => {
  it('diy: storage needing k core-seconds per second leaves the application c - k cores', () => {
    const iops = 10_000;
    const k = iops * coefficients.diy.sds_cpu_us_per_client_read.value * 1e-6; // 1.3 cores
    const { cpu, app, job } = busyNode('diy', iops);
    expect(job.recorder.read.total_ios).toBeGreaterThanOrEqual(iops);
    // Charged over the job's window of RUN_NS + 1 ms.
    expect(cpu.coresUsed(CPU_STORAGE, RUN_NS + 1e6)).toBeCloseTo(k, 2);
    const expected = ((CORES - k) * RUN_NS) / SLICE_NS; // 27,000 slices
    expect(Math.abs(app.slicesDone / expected - 1)).toBeLessThan(0.005);
    expect(cpu.coresUsed(CPU_APPLICATION, RUN_NS)).toBeCloseTo(CORES - k, 1);
    // The storage I/O waits for a core behind the application's queued slices (8 threads on 4 cores:
    // about one 100 us slice each), so the DIY node's storage is slower too.
    expect(job.recorder.read.clat.max_ns).toBeGreaterThan(0);
    expect(job.recorder.read.clat.max_ns).toBeLessThan(1e6);
  });

  it('hci: the same load leaves the application every core, and no storage CPU is spent', () => {
    const { cpu, app, job } = busyNode('hci', 10_000);
    expect(job.recorder.read.total_ios).toBeGreaterThanOrEqual(10_000);
    expect(cpu.busy_ns[CPU_STORAGE]).toBe(0);
    expect(cpu.charges[CPU_STORAGE]).toBe(0);
    expect(app.slicesDone).toBe((CORES * RUN_NS) / SLICE_NS);
    // No CPU charge on the path: the I/O takes the device's latency alone.
    expect(job.recorder.read.clat.max_ns).toBe(0);
  });

  it('hci has no software-defined block store to build', () => {
    const model = new Model(1, 1e8);
    const builder = new StackBuilder(model, stackTerms(coefficients, 'hci'));
    builder.hostCpu('node-a', 2);
    expect(() => builder.sdsPath('node-a', { read_ns: 80_000, write_ns: 20_000 })).toThrow(/no software-defined block store/);
    expect(() => builder.cpuOf('node-z')).toThrow(/no host CPU for node "node-z"/);
    expect(() => builder.hostCpu('node-a', 4)).toThrow(/has 2 cores already/);
  });
});

describe('limit-only throttle (maxima, no minimums)', () => {
  function throttled(params: Parameters<StackBuilder['limit']>[0], jobs: { name: string; iodepth: number }[]) {
    const model = new Model(1, 1e8);
    const builder = new StackBuilder(model, stackTerms(coefficients, 'diy'));
    nullDevice(model, 'vol', '10us');
    const limit = builder.limit(params);
    const generators = jobs.map(({ name, iodepth }) =>
      model.addJob({ spec: workload({ name, iodepth, runtime_ns: RUN_NS }), device: 'vol', via: [limit] }),
    );
    model.run(1e7);
    return generators.map((g) => g.recorder.read.total_ios);
  }

  it('caps I/Os per second at max_iops (one I/O per 1 ms at 1,000 IOPS)', () => {
    const [ios] = throttled({ max_iops: 1000 }, [{ name: 'greedy', iodepth: 8 }]);
    expect(Math.abs(ios! - 1000)).toBeLessThanOrEqual(1);
  });

  it('caps bytes per second at max_bytes_per_s (4 MiB/s of 4 KiB reads: 1,024 IOPS), the lower cap winning', () => {
    const [bytesOnly] = throttled({ max_bytes_per_s: 4 * 1024 * 1024 }, [{ name: 'greedy', iodepth: 8 }]);
    expect(Math.abs(bytesOnly! - 1024)).toBeLessThanOrEqual(1);
    const [both] = throttled({ max_bytes_per_s: 4 * 1024 * 1024, max_iops: 500 }, [{ name: 'greedy', iodepth: 8 }]);
    expect(Math.abs(both! - 500)).toBeLessThanOrEqual(1);
  });

  it('lets a burst through at once after an idle spell', () => {
    const model = new Model(1, 1e8);
    nullDevice(model, 'vol', '0ns');
    const limit = new StackBuilder(model, stackTerms(coefficients, 'diy')).limit({ max_iops: 1000, burst_ios: 10 });
    const job = model.addJob({
      spec: workload({ iodepth: 10, timeBased: false, runtime_ns: 0, size_bytes: 10 * 4096 }),
      device: 'vol',
      via: [limit],
    });
    model.run(1e7);
    expect(job.recorder.read.clat.max_ns).toBe(0);
  });

  it('promises no floor: beside a greedy neighbour under one cap, a QD1 victim gets its share of the queue only', () => {
    const [greedy, victim] = throttled({ max_iops: 1000 }, [
      { name: 'greedy', iodepth: 31 },
      { name: 'victim', iodepth: 1 },
    ]);
    expect(Math.abs(greedy! + victim! - 1000)).toBeLessThanOrEqual(2);
    // FIFO over 32 outstanding I/Os: the victim has 1 of them, ~1/32 of the cap, far below an even half.
    expect(victim!).toBeLessThan(1000 / 16);
  });

  it('refuses a negative or non-numeric cap', () => {
    const model = new Model(1, 1e8);
    expect(() => new StackBuilder(model, stackTerms(coefficients, 'diy')).limit({ max_iops: -1 })).toThrow(
      /max_iops must be a finite number ≥ 0/,
    );
  });
});
