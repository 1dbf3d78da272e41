/** The CPU charge station: what it charges by operation, size and packet, and how long a request waits for it. */
import { describe, expect, it } from 'vitest';
import { loadStackCoefficients } from '../../../../bench/stack-coefficients.js';
import { OP_READ, OP_TRIM, OP_WRITE, type Station } from '../../../../sim/io/requests.js';
import { Model } from '../../../../sim/model/model.js';
import { CPU_APPLICATION, CPU_NETWORK, CPU_STORAGE, HostCpu } from '../../../../sim/resources/host-cpu.js';
import { CpuCharge, type ChargeHold } from '../../../../sim/stacks/diy/cpu-charge.js';
import { StackBuilder, stackTerms } from '../../../../sim/stacks/diy/stack.js';
import { workload } from '../../../bench/spec-factory.js';
import { nullDevice } from './stand-in.js';

describe('CPU charge', () => {
  it('charges per I/O by operation, per byte, and per packet of ceil(size / MSS)', () => {
    const model = new Model(1, 1e6);
    const cpu = new HostCpu('node-a', 1);
    const perIo = new CpuCharge(model.sim, model.requests, cpu, CPU_STORAGE, {
      read_ns: 130_000,
      write_ns: 286_000,
      trim_ns: 5_000,
      ns_per_byte: 0.5,
    });
    expect(perIo.cost_ns(OP_READ, 4096)).toBe(130_000 + 2048);
    expect(perIo.cost_ns(OP_WRITE, 4096)).toBe(286_000 + 2048);
    expect(perIo.cost_ns(OP_TRIM, 0)).toBe(5_000);
    const perPacket = new CpuCharge(model.sim, model.requests, cpu, CPU_NETWORK, { packet_ns: 350, mss_bytes: 1398 });
    expect(perPacket.cost_ns(OP_WRITE, 1398 * 3 + 1)).toBe(4 * 350);
    expect(() => new CpuCharge(model.sim, model.requests, cpu, CPU_NETWORK, { packet_ns: 350 })).toThrow(/mss_bytes/);
    expect(() => new CpuCharge(model.sim, model.requests, cpu, CPU_STORAGE, { read_ns: Number.NaN })).toThrow(
      /read_ns must be a finite number/,
    );
  });

  /** One core busy with 100 us of application work at 0; a 30 us write charge arrives at 0 with `hold`. */
  function behindApplication(hold: ChargeHold): number {
    const model = new Model(1, 1e6);
    const cpu = new HostCpu('node-a', 1);
    nullDevice(model, 'vol', '0ns');
    const charge: Station = new CpuCharge(model.sim, model.requests, cpu, CPU_STORAGE, { write_ns: 30_000 }, hold);
    cpu.reserve(0, 100_000, CPU_APPLICATION);
    const job = model.addJob({
      spec: workload({ readFraction: 0, iodepth: 1, timeBased: false, runtime_ns: 0, size_bytes: 4096 }),
      device: 'vol',
      via: [charge],
    });
    model.run(1e6);
    expect(cpu.busy_ns[CPU_STORAGE]).toBe(30_000);
    return job.recorder.write.clat.max_ns;
  }

  it('served: the request waits for a core and for its work; queued: for a core only', () => {
    expect(behindApplication('served')).toBe(130_000);
    expect(behindApplication('queued')).toBe(100_000);
  });

  it("the pod's own stack costs the application per packet on both stacks, never the infrastructure", () => {
    const coefficients = loadStackCoefficients();
    for (const stack of ['hci', 'diy'] as const) {
      const model = new Model(1, 1e6);
      const builder = new StackBuilder(model, stackTerms(coefficients, stack));
      const cpu = builder.hostCpu('node-a', 2);
      nullDevice(model, 'peer', '0ns');
      const mss = builder.terms.network.mss_bytes;
      model.addJob({
        spec: workload({
          readFraction: 0,
          iodepth: 1,
          blockSize_bytes: { read: 10 * mss, write: 10 * mss },
          timeBased: false,
          runtime_ns: 0,
          size_bytes: 100 * 10 * mss,
        }),
        device: 'peer',
        via: [builder.podStack('node-a')],
      });
      model.run(1e6);
      expect(cpu.busy_ns[CPU_APPLICATION]).toBeCloseTo(100 * 10 * coefficients.fabric.kernel_stack_cpu_us_per_packet.value * 1000, 3);
      expect(cpu.infrastructure_ns()).toBe(0);
    }
  });
});
