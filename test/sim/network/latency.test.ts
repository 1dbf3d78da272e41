/** One message's latency through NIC, cable, cut-through switch and cable, against arithmetic. */
import { describe, expect, it } from 'vitest';
import { OP_READ, OP_WRITE } from '../../../sim/io/requests.js';
import { networkPath, nicPort, storagePaths } from '../../../sim/network/build.js';
import { DEFAULT_FRAMING, goodput_bits_per_s, packetsOf, wireBytes } from '../../../sim/network/framing.js';
import { CABLE_NS, ESWITCH_LATENCY_NS, GBIT, probe, rack, SWITCH_LATENCY_NS } from './rack.js';

/** Serialization of `bytes` of payload at `gbit`, ns: MSS 1460, 40 bytes IPv4+TCP and 38 of Ethernet per packet. */
function serialization_ns(bytes: number, gbit: number): number {
  const packets = Math.ceil(bytes / 1460);
  return ((bytes + packets * 78) * 8) / gbit;
}

describe('framing', () => {
  it('cuts messages into MTU packets, each with 78 bytes of headers and frame cost', () => {
    expect(packetsOf(1460, DEFAULT_FRAMING)).toBe(1);
    expect(packetsOf(1461, DEFAULT_FRAMING)).toBe(2);
    expect(wireBytes(4096, DEFAULT_FRAMING)).toBe(4096 + 3 * 78);
    // A VXLAN overlay: 50 bytes more per packet, 50 less payload in each.
    const vxlan = { ...DEFAULT_FRAMING, encap_bytes: 50 };
    expect(wireBytes(4096, vxlan)).toBe(4096 + 3 * 128);
    expect(() => wireBytes(10, { ...DEFAULT_FRAMING, mtu_bytes: 40 })).toThrow(/leaves no payload/);
    // Full-size frames at 25 Gbit/s carry 25 * 1460 / 1538 Gbit/s of payload.
    expect(goodput_bits_per_s(1460, 25 * GBIT, DEFAULT_FRAMING)).toBeCloseTo((25 * GBIT * 1460) / 1538, 0);
  });
});

describe('one message across the rack', () => {
  it('takes serialization once (cut-through) + both cables + the switch latency, to the nanosecond', () => {
    const r = rack();
    const a = r.port('a', 1);
    const b = r.port('b', 1);
    const p = probe(r.model, networkPath({ rack: a, vf: 0 }, { rack: b, vf: 0 }));
    p.send(4096);
    r.model.sim.run();
    expect(p.arrivals).toHaveLength(1);
    const expected = serialization_ns(4096, 25) + CABLE_NS + SWITCH_LATENCY_NS + CABLE_NS;
    expect(p.arrivals[0]![1]).toBeCloseTo(expected, 6);
    expect(expected).toBeCloseTo(1385.6 + 310 + 600 + 310, 6);
    expect(a.port.wireBusy_ns).toBeCloseTo(serialization_ns(4096, 25), 6);
    expect(b.ingress.wireBusy_ns).toBeCloseTo(serialization_ns(4096, 25), 6);
  });

  it('to a slower port: the 10 Gbit/s egress sets the pace, started a switch latency after the first bit', () => {
    const r = rack();
    const a = r.port('a', 1, 25 * GBIT);
    const b = r.port('b', 1, 10 * GBIT);
    const p = probe(r.model, networkPath({ rack: a, vf: 0 }, { rack: b, vf: 0 }));
    p.send(9000);
    r.model.sim.run();
    expect(p.arrivals[0]![1]).toBeCloseTo(CABLE_NS + SWITCH_LATENCY_NS + serialization_ns(9000, 10) + CABLE_NS, 6);
  });

  it('from a slower port: the egress cannot finish before the last bit came in', () => {
    const r = rack();
    const a = r.port('a', 1, 10 * GBIT);
    const b = r.port('b', 1, 25 * GBIT);
    const p = probe(r.model, networkPath({ rack: a, vf: 0 }, { rack: b, vf: 0 }));
    p.send(9000);
    r.model.sim.run();
    expect(p.arrivals[0]![1]).toBeCloseTo(serialization_ns(9000, 10) + CABLE_NS + SWITCH_LATENCY_NS + CABLE_NS, 6);
  });

  it('two senders converging on one receiver queue at the switch egress: the second waits one serialization', () => {
    const r = rack();
    const a = r.port('a', 1);
    const b = r.port('b', 1);
    const c = r.port('c', 1);
    const fromA = probe(r.model, networkPath({ rack: a, vf: 0 }, { rack: c, vf: 0 }));
    const fromB = probe(r.model, networkPath({ rack: b, vf: 0 }, { rack: c, vf: 0 }));
    fromA.send(65536);
    fromB.send(65536);
    r.model.sim.run();
    const alone = serialization_ns(65536, 25) + 2 * CABLE_NS + SWITCH_LATENCY_NS;
    expect(fromA.arrivals[0]![1]).toBeCloseTo(alone, 6);
    expect(fromB.arrivals[0]![1]).toBeCloseTo(alone + serialization_ns(65536, 25), 6);
    expect(c.ingress.maxQueueWait_ns).toBeCloseTo(serialization_ns(65536, 25), 6);
  });

  it('messages queue at the sending port: two from one VF, then one each from two VFs, leave a serialization apart', () => {
    const r = rack();
    const a = r.port('a', 2);
    const b = r.port('b', 2);
    const sameVf = probe(r.model, networkPath({ rack: a, vf: 0 }, { rack: b, vf: 0 }));
    const otherVf = probe(r.model, networkPath({ rack: a, vf: 1 }, { rack: b, vf: 1 }));
    sameVf.send(9000);
    sameVf.send(9000);
    otherVf.send(9000);
    r.model.sim.run();
    const s = serialization_ns(9000, 25);
    const alone = s + 2 * CABLE_NS + SWITCH_LATENCY_NS;
    // Both VFs have equal weights: VF 0's first, then VF 1's (its share tag is lower), then VF 0's second.
    expect(sameVf.arrivals.map(([, at]) => at)).toEqual([expect.closeTo(alone, 6), expect.closeTo(alone + 2 * s, 6)]);
    expect(otherVf.arrivals[0]![1]).toBeCloseTo(alone + s, 6);
  });

  it("VF to VF on one port goes out through the sender VF's scheduler at the port's speed, then turns around in the embedded switch; the wire stays idle", () => {
    const r = rack();
    const a = r.port('a', 2);
    const p = probe(r.model, networkPath({ rack: a, vf: 0 }, { rack: a, vf: 1 }));
    for (let k = 0; k < 100; k++) p.send(65536);
    r.model.sim.run();
    // One after another at the port's 25 Gbit/s (frames included), each then the switch's latency.
    const line_ns = (wireBytes(65536, DEFAULT_FRAMING) * 8) / 25;
    expect(p.arrivals.map(([, at]) => at)).toEqual(p.arrivals.map((_, k) => expect.closeTo((k + 1) * line_ns + ESWITCH_LATENCY_NS, 6)));
    expect(a.port.wireBusy_ns).toBe(0);
    expect(a.ingress.wireBusy_ns).toBe(0);
    expect(a.port.sent_bytes(0)).toBe(0);
    expect(a.port.hairpin_bytes(0)).toBe(100 * 65536);
    expect(a.port.hairpinBusy_ns).toBeCloseTo(100 * line_ns, 3);
    expect(a.eswitch.messages).toBe(100);
  });

  it('an embedded switch with an internal rate serializes its messages there, one after another', () => {
    const r = rack();
    const a = nicPort(r.model, r.tor, {
      name: 'a',
      rate_bits_per_s: 25 * GBIT,
      cable_ns: CABLE_NS,
      vfs: 2,
      eswitch_latency_ns: ESWITCH_LATENCY_NS,
      eswitch_rate_bits_per_s: 10 * GBIT,
    });
    const p = probe(r.model, networkPath({ rack: a, vf: 0 }, { rack: a, vf: 1 }));
    p.send(65536);
    p.send(65536);
    r.model.sim.run();
    // The first message reaches the switch after the VF's line time; the second waits there behind it.
    const line_ns = (wireBytes(65536, DEFAULT_FRAMING) * 8) / 25;
    const internal = (65536 * 8) / 10;
    expect(p.arrivals.map(([, at]) => at)).toEqual([
      expect.closeTo(line_ns + internal + ESWITCH_LATENCY_NS, 6),
      expect.closeTo(line_ns + 2 * internal + ESWITCH_LATENCY_NS, 6),
    ]);
    expect(a.port.wireBusy_ns).toBe(0);
  });

  it("VF to VF on one port holds the sender VF's maximum", () => {
    const r = rack();
    const a = r.port('a', [{ max_bits_per_s: 1 * GBIT }, {}]);
    const p = probe(r.model, networkPath({ rack: a, vf: 0 }, { rack: a, vf: 1 }));
    for (let k = 0; k < 50; k++) p.send(65536);
    r.model.sim.run();
    const last = p.arrivals[p.arrivals.length - 1]![1];
    // 50 messages at 1 Gbit/s of wire rate, not at the port's 25 Gbit/s.
    const atMax_ns = (50 * wireBytes(65536, DEFAULT_FRAMING) * 8) / 1;
    expect(last / atMax_ns).toBeGreaterThan(0.95);
    expect(last / atMax_ns).toBeLessThan(1.05);
  });

  it('a VF out of range and a second port of the same name are refused by name', () => {
    const r = rack();
    const a = r.port('a', 2);
    const b = r.port('b', 1);
    expect(() => networkPath({ rack: a, vf: 0 }, { rack: b, vf: 3 })).toThrow(/NIC port b has no VF 3 \(it has 1\)/);
    expect(() => r.port('a', 1)).toThrow(/has a port "a" already/);
  });
});

describe('a remote storage I/O over the fabric', () => {
  it('a read goes out as a command and comes back as data; a write the other way round', () => {
    const r = rack();
    const client = r.port('client', 1);
    const target = r.port('target', 1);
    const commandHeader_bytes = 72;
    const { out, back } = storagePaths({ rack: client, vf: 0 }, { rack: target, vf: 0 }, commandHeader_bytes);
    const arrived: Array<[number, number]> = [];
    const drive = { accept: (req: number) => r.model.requests.forward(req) };
    const flow = r.model.requests.addRoute([
      { accept: () => undefined },
      ...out,
      drive,
      ...back,
      { accept: (req: number) => void arrived.push([req, r.model.sim.now]) },
    ]);
    const read = r.model.requests.alloc(flow, OP_READ, 0, 65536, 0);
    r.model.requests.forward(read);
    r.model.sim.run();
    const fabric = 2 * CABLE_NS + SWITCH_LATENCY_NS;
    expect(arrived[0]).toEqual([read, expect.closeTo(serialization_ns(72, 25) + fabric + serialization_ns(65536, 25) + fabric, 6)]);
    expect(client.port.wireBusy_ns).toBeCloseTo(serialization_ns(72, 25), 6);
    expect(target.port.wireBusy_ns).toBeCloseTo(serialization_ns(65536, 25), 6);

    const write = r.model.requests.alloc(flow, OP_WRITE, 0, 65536, r.model.sim.now);
    const sent_ns = r.model.sim.now;
    r.model.requests.forward(write);
    r.model.sim.run();
    expect(arrived[1]![1] - sent_ns).toBeCloseTo(serialization_ns(65536, 25) + fabric + serialization_ns(72, 25) + fabric, 6);
    expect(client.port.sent_bytes(0)).toBe(72 + 65536);
    expect(target.port.sent_bytes(0)).toBe(65536 + 72);
  });
});
