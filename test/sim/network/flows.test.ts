/**
 * Flows over the rack: queueing at a NIC port against M/D/1, the embedded switch beside wire traffic,
 * separate storage and pod ports, a fio job's I/O over the fabric, and determinism.
 */
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../../bench/profiles.js';
import { loadStackCoefficients } from '../../../bench/stack-coefficients.js';
import { fabricLatencies, networkFlow, networkPath } from '../../../sim/network/build.js';
import { DEFAULT_FRAMING, wireBytes } from '../../../sim/network/framing.js';
import { DEFAULT_SATURATING_WINDOW, flowMode, type NetworkFlow } from '../../../sim/network/network-flow.js';
import { workload } from '../../bench/spec-factory.js';
import { CABLE_NS, ESWITCH_LATENCY_NS, GBIT, rack, SWITCH_LATENCY_NS } from './rack.js';

const SIZE = 65536;
const LINE = 25 * GBIT;
/** Serialization of a 64 KiB message at 25 Gbit/s, ns. */
const S_NS = (wireBytes(SIZE, DEFAULT_FRAMING) * 8e9) / LINE;

function rate(flow: NetworkFlow): number {
  return (flow.recorder.write.io_bytes * 8e9) / flow.recorder.window_ns;
}

describe('network flows', () => {
  it('Poisson messages at half the line wait as in M/D/1: mean latency = fabric + S + rho S / (2 (1 - rho))', () => {
    const r = rack(7);
    const a = r.port('a', 1);
    const b = r.port('b', 1);
    const rho = 0.5;
    const payloadRate = (rho * LINE * SIZE) / wireBytes(SIZE, DEFAULT_FRAMING);
    const flow = networkFlow(r.model, {
      name: 'poisson',
      from: { rack: a, vf: 0 },
      to: { rack: b, vf: 0 },
      size_bytes: SIZE,
      mode: { kind: 'rate', rate_bits_per_s: payloadRate, process: 'poisson' },
      end_ns: 1e9,
    });
    r.model.sim.run(1.01e9);
    const wait = (rho * S_NS) / (2 * (1 - rho));
    const expected = S_NS + 2 * CABLE_NS + SWITCH_LATENCY_NS + wait;
    expect(flow.recorder.write.clat.mean_ns / expected).toBeCloseTo(1, 1);
    expect(Math.abs(flow.recorder.write.clat.mean_ns - expected) / expected).toBeLessThan(0.02);
    // The receiving side never queues: one sender, same rate.
    expect(b.ingress.maxQueueWait_ns).toBe(0);
  });

  it("VF-to-VF traffic shares the port's transmit scheduler with a wire flow, but not the wire", () => {
    const r = rack();
    const a = r.port('a', 3);
    const b = r.port('b', 1);
    const local = networkFlow(r.model, {
      name: 'local',
      from: { rack: a, vf: 0 },
      to: { rack: a, vf: 1 },
      size_bytes: SIZE,
      mode: { kind: 'window', window: 2 },
      end_ns: 20e6,
      measureFrom_ns: 1e6,
    });
    const wire = networkFlow(r.model, {
      name: 'wire',
      from: { rack: a, vf: 2 },
      to: { rack: b, vf: 0 },
      size_bytes: SIZE,
      mode: { kind: 'window', window: 8 },
      end_ns: 20e6,
      measureFrom_ns: 1e6,
    });
    r.model.sim.run(21e6);
    // Both saturate their VFs at equal weights: each gets half of the port's line time.
    const payloadLine = (LINE * SIZE) / wireBytes(SIZE, DEFAULT_FRAMING);
    expect(rate(wire) / (payloadLine / 2)).toBeCloseTo(1, 1);
    expect(rate(local) / (payloadLine / 2)).toBeCloseTo(1, 1);
    expect(local.recorder.write.clat.mean_ns).toBeGreaterThan(ESWITCH_LATENCY_NS + S_NS);
    expect(a.port.sent_bytes(0)).toBe(0);
    expect(a.port.hairpin_bytes(0)).toBeGreaterThan(0);
    expect(a.port.wireBusy_ns).toBeCloseTo(wire.sent * S_NS, 0);
  });

  it('separate storage and pod ports: saturating storage traffic leaves the pod port its whole line', () => {
    const r = rack();
    const podA = r.port('node-a/pod', 1);
    const storeA = r.port('node-a/storage', 1);
    const podB = r.port('node-b/pod', 1);
    const storeB = r.port('node-b/storage', 1);
    const storage = networkFlow(r.model, {
      name: 'storage',
      from: { rack: storeA, vf: 0 },
      to: { rack: storeB, vf: 0 },
      size_bytes: SIZE,
      mode: { kind: 'window', window: 8 },
      end_ns: 20e6,
      measureFrom_ns: 1e6,
    });
    const pod = networkFlow(r.model, {
      name: 'pod',
      from: { rack: podA, vf: 0 },
      to: { rack: podB, vf: 0 },
      size_bytes: SIZE,
      mode: { kind: 'window', window: 8 },
      end_ns: 20e6,
      measureFrom_ns: 1e6,
    });
    r.model.sim.run(21e6);
    const full = (LINE * SIZE) / wireBytes(SIZE, DEFAULT_FRAMING);
    expect(rate(pod) / full).toBeCloseTo(1, 2);
    expect(rate(storage) / full).toBeCloseTo(1, 2);
  });

  it("a fio job's I/O over the fabric to a remote device: device latency + one message's network latency", () => {
    const r = rack();
    const client = r.port('client', 1);
    const target = r.port('target', 1);
    const nullDrive = parseProfile('kind: null\nlatency: 10us\ncapacity: 1G\n', 'null.yaml');
    r.model.addDevice('target/nvme0', nullDrive.kind, nullDrive.params);
    const job = r.model.addJob({
      spec: workload({ iodepth: 1, runtime_ns: 2e6 }),
      device: 'target/nvme0',
      via: networkPath({ rack: client, vf: 0 }, { rack: target, vf: 0 }),
    });
    r.model.run(1e5);
    const network = (wireBytes(4096, DEFAULT_FRAMING) * 8e9) / LINE + 2 * CABLE_NS + SWITCH_LATENCY_NS;
    expect(job.recorder.read.total_ios).toBeGreaterThan(100);
    expect(job.recorder.read.clat.mean_ns).toBeCloseTo(10_000 + network, 3);
    expect(job.recorder.read.clat.max_ns).toBeCloseTo(10_000 + network, 3);
  });

  it('same seed, same numbers; another seed, other numbers', () => {
    const outcome = (seed: number) => {
      const r = rack(seed);
      const a = r.port('a', [{ min_bits_per_s: 5 * GBIT }, { max_bits_per_s: 8 * GBIT }, {}]);
      const b = r.port('b', 3);
      const c = r.port('c', 1);
      const flows = [
        networkFlow(r.model, {
          name: 'p0',
          from: { rack: a, vf: 0 },
          to: { rack: b, vf: 0 },
          size_bytes: 9000,
          mode: { kind: 'rate', rate_bits_per_s: 9 * GBIT, process: 'poisson' },
          end_ns: 5e6,
        }),
        networkFlow(r.model, {
          name: 'p1',
          from: { rack: a, vf: 1 },
          to: { rack: c, vf: 0 },
          size_bytes: 4096,
          mode: { kind: 'rate', rate_bits_per_s: 7 * GBIT, process: 'poisson' },
          end_ns: 5e6,
        }),
        networkFlow(r.model, {
          name: 's2',
          from: { rack: a, vf: 2 },
          to: { rack: b, vf: 1 },
          size_bytes: SIZE,
          mode: { kind: 'window', window: 4 },
          end_ns: 5e6,
        }),
        networkFlow(r.model, {
          name: 'p3',
          from: { rack: b, vf: 2 },
          to: { rack: c, vf: 0 },
          size_bytes: 1500,
          mode: { kind: 'rate', rate_bits_per_s: 3 * GBIT, process: 'poisson' },
          end_ns: 5e6,
        }),
      ];
      r.model.sim.run(6e6);
      return JSON.stringify(
        flows.map((f) => ({
          sent: f.sent,
          clat: f.recorder.write.clat.mean_ns,
          p99: f.recorder.write.clat.percentile(99),
          intervals: f.recorder.write.intervals,
        })),
      );
    };
    expect(outcome(3)).toBe(outcome(3));
    expect(outcome(3)).not.toBe(outcome(4));
  });
});

describe('the builders from the coefficient file and a scenario flow', () => {
  it('fabric latencies come from the fabric and hci entries; a scenario rate or saturate becomes a mode', () => {
    const f = fabricLatencies(loadStackCoefficients(), 2);
    // 0.6 us switch; 2 m at 5 ns/m plus 0.3 us of PHY; 1 us through the embedded switch.
    expect(f).toEqual({ switch_latency_ns: 600, cable_ns: 310, eswitch_latency_ns: 1000 });
    expect(flowMode('saturate')).toEqual({ kind: 'window', window: DEFAULT_SATURATING_WINDOW });
    expect(flowMode(2e9, 'poisson')).toEqual({ kind: 'rate', rate_bits_per_s: 2e9, process: 'poisson' });
  });
});
