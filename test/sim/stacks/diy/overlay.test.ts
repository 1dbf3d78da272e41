/** The overlay network: packets, VXLAN bytes on the wire, host CPU and latency per packet at both ends; the appliance's VFs at zero. */
import { describe, expect, it } from 'vitest';
import { loadStackCoefficients } from '../../../../bench/stack-coefficients.js';
import { Model } from '../../../../sim/model/model.js';
import { CPU_APPLICATION, CPU_NETWORK, CPU_STORAGE } from '../../../../sim/resources/host-cpu.js';
import { packetsFor } from '../../../../sim/network/framing.js';
import { overlayMss_bytes, overlayWireBytes } from '../../../../sim/stacks/diy/overlay.js';
import { StackBuilder, stackTerms, type StackName } from '../../../../sim/stacks/diy/stack.js';
import { workload } from '../../../bench/spec-factory.js';
import { nullDevice } from './stand-in.js';

const coefficients = loadStackCoefficients();

describe('overlay packets and wire bytes', () => {
  it('a 1500-byte MTU leaves 1398 bytes of payload under VXLAN (1500 - 50 - 20 IP - 32 TCP)', () => {
    expect(overlayMss_bytes(1500, 50)).toBe(1398);
    expect(() => overlayMss_bytes(100, 50)).toThrow(/no payload/);
  });

  it('packets are ceil(message / MSS), at least one', () => {
    expect(packetsFor(1, 1398)).toBe(1);
    expect(packetsFor(1398, 1398)).toBe(1);
    expect(packetsFor(1399, 1398)).toBe(2);
    expect(packetsFor(0, 1398)).toBe(1);
  });

  it('VXLAN puts 50 bytes per packet on the wire: a 64 KiB message in 47 packets carries 2,350 more', () => {
    // 65,536 / 1,398 = 46.9 -> 47 packets.
    expect(overlayWireBytes(65_536, 1398, 50)).toBe(65_536 + 47 * 50);
    expect(overlayWireBytes(65_536, 1398, 50, 52)).toBe(65_536 + 47 * 102);
    const model = new Model(1, 1e6);
    expect(new StackBuilder(model, stackTerms(coefficients, 'diy')).wireBytes(65_536)).toBe(
      65_536 + 47 * coefficients.diy.overlay_bytes_per_packet.value,
    );
    expect(new StackBuilder(model, stackTerms(coefficients, 'hci')).wireBytes(65_536)).toBe(65_536);
  });
});

/** 64 KiB messages from a pod on node-a to one on node-b, QD1, through the stack's endpoints (the link left out: a 0 ns stand-in). */
function messages(stack: StackName, count: number) {
  const model = new Model(1, 1e8);
  const builder = new StackBuilder(model, stackTerms(coefficients, stack));
  builder.hostCpu('node-a', 8);
  builder.hostCpu('node-b', 8);
  nullDevice(model, 'pod-b', '0ns');
  const { send, receive } = builder.network('node-a', 'node-b');
  const job = model.addJob({
    spec: workload({
      readFraction: 0,
      iodepth: 1,
      blockSize_bytes: { read: 65_536, write: 65_536 },
      pattern: 'sequential',
      timeBased: false,
      runtime_ns: 0,
      size_bytes: count * 65_536,
    }),
    device: 'pod-b',
    via: [send, receive],
  });
  model.run(1e6);
  return { builder, job };
}

describe('overlay host CPU and latency per packet', () => {
  it('diy: each end charges 0.35 us per packet of every message; a message takes the added latency plus both ends CPU', () => {
    const { builder, job } = messages('diy', 500);
    const packets = 47;
    const perPacket_ns = coefficients.diy.cni_host_cpu_us_per_packet.value * 1000;
    for (const node of ['node-a', 'node-b']) {
      const cpu = builder.cpuOf(node);
      expect(cpu.busy_ns[CPU_NETWORK]).toBeCloseTo(500 * packets * perPacket_ns, 3);
      expect(cpu.charges[CPU_NETWORK]).toBe(500);
      expect(cpu.busy_ns[CPU_STORAGE]).toBe(0);
    }
    const expected = 2 * packets * perPacket_ns + coefficients.diy.cni_added_latency_us.value * 1000;
    expect(job.recorder.write.clat.n).toBe(500);
    expect(job.recorder.write.clat.min_ns).toBeCloseTo(expected, 6);
    expect(job.recorder.write.clat.max_ns).toBeCloseTo(expected, 6);
  });

  it('hci: the same stations spend no host CPU and add no latency', () => {
    const { builder, job } = messages('hci', 500);
    for (const row of builder.cpuRows()) expect([row.application_ns, row.storage_ns, row.network_ns]).toEqual([0, 0, 0]);
    expect(builder.cpuOf('node-a').charges[CPU_APPLICATION]! + builder.cpuOf('node-a').charges[CPU_NETWORK]!).toBe(0);
    expect(job.recorder.write.clat.max_ns).toBe(0);
    expect(job.recorder.write.clat.n).toBe(500);
  });
});
