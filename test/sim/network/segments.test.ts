/** A NIC port that sends large messages in pieces: other VFs' messages go between them; a lone message's latency is unchanged. */
import { describe, expect, it } from 'vitest';
import { networkPath, nicPort } from '../../../sim/network/build.js';
import { DEFAULT_FRAMING, serialization_ns, wireBytes } from '../../../sim/network/framing.js';
import { CABLE_NS, ESWITCH_LATENCY_NS, GBIT, probe, rack, SWITCH_LATENCY_NS } from './rack.js';

const LINE = 25 * GBIT;
const s = (bytes: number) => serialization_ns(wireBytes(bytes, DEFAULT_FRAMING), LINE);

function segmentedRack(segment_bytes: number) {
  const r = rack();
  const port = (name: string, vfs: number) =>
    nicPort(r.model, r.tor, {
      name,
      rate_bits_per_s: LINE,
      cable_ns: CABLE_NS,
      vfs,
      eswitch_latency_ns: ESWITCH_LATENCY_NS,
      segment_bytes,
    });
  return { r, a: port('a', 2), b: port('b', 2) };
}

describe('a NIC port sending in pieces', () => {
  it('a lone 512 KiB message in 64 KiB pieces arrives when it would whole: serialization once, both cables, the switch', () => {
    const { r, a, b } = segmentedRack(65536);
    const p = probe(r.model, networkPath({ rack: a, vf: 0 }, { rack: b, vf: 0 }));
    p.send(524288);
    r.model.sim.run();
    expect(p.arrivals[0]![1]).toBeCloseTo(s(524288) + 2 * CABLE_NS + SWITCH_LATENCY_NS, 6);
    expect(a.port.wireBusy_ns).toBeCloseTo(s(524288), 6);
    expect(b.ingress.wireBusy_ns).toBeCloseTo(s(524288), 6);
  });

  it('a 4K message of another VF waits for one piece of a 512 KiB message, not all of it; whole messages make it wait for all', () => {
    const arrivalOfSmall = (segment_bytes: number) => {
      const { r, a, b } = segmentedRack(segment_bytes);
      const big = probe(r.model, networkPath({ rack: a, vf: 0 }, { rack: b, vf: 0 }));
      const small = probe(r.model, networkPath({ rack: a, vf: 1 }, { rack: b, vf: 1 }));
      big.send(524288);
      small.send(4096);
      r.model.sim.run();
      expect(big.arrivals).toHaveLength(1);
      // The large message is no later than whole plus the small one's turn on the line.
      expect(big.arrivals[0]![1]).toBeLessThanOrEqual(s(524288) + s(4096) + 2 * CABLE_NS + SWITCH_LATENCY_NS + 1e-6);
      return small.arrivals[0]![1];
    };
    const fabric = 2 * CABLE_NS + SWITCH_LATENCY_NS;
    expect(arrivalOfSmall(65536)).toBeCloseTo(s(65536) + s(4096) + fabric, 6);
    expect(arrivalOfSmall(Infinity)).toBeCloseTo(s(524288) + s(4096) + fabric, 6);
  });

  it('refuses a piece size below one byte', () => {
    expect(() => segmentedRack(0)).toThrow(/segment_bytes must be >= 1/);
  });

  it('a switch port refuses a piece size below one byte too (its egress would time messages as NaN)', () => {
    const r = rack();
    expect(() => r.tor.addPort({ name: 'x', rate_bits_per_s: LINE, propagation_ns: CABLE_NS, segment_bytes: 0 })).toThrow(
      /switch port tor\/x: segment_bytes must be >= 1/,
    );
  });
});
