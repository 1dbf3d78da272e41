/**
 * The NIC port's transmit scheduler: minimums guaranteed beside a saturating neighbour, idle capacity
 * lent to whoever wants it, maximums capping, against the line's arithmetic. Messages of 64 KiB: 45
 * packets, 65536 + 45 * 78 = 69046 bytes on the wire.
 */
import { describe, expect, it } from 'vitest';
import { networkFlow, type RackPort } from '../../../sim/network/build.js';
import type { NetworkFlow } from '../../../sim/network/network-flow.js';
import type { VfRates } from '../../../sim/network/nic-port.js';
import { GBIT, rack, type Rack } from './rack.js';

const SIZE = 65536;
const WIRE = 69046;
/** Payload share of the wire at this message size. */
const PAYLOAD_SHARE = SIZE / WIRE;
const LINE = 25 * GBIT;
const WARMUP_NS = 1e6;
const END_NS = 41e6;

/** Payload rate a flow achieved over its measured window, bits/s. */
function rate(flow: NetworkFlow): number {
  return (flow.recorder.write.io_bytes * 8 * 1e9) / flow.recorder.window_ns;
}

/** A sending port with `vfs`, and one receiving port per VF (so only the sender's line is contended). */
function sender(
  r: Rack,
  vfs: readonly VfRates[],
): { tx: RackPort; saturate(vf: number): NetworkFlow; open(vf: number, bits_per_s: number): NetworkFlow } {
  const tx = r.port('tx', vfs);
  const rx = vfs.map((_, k) => r.port(`rx${k}`, 1));
  const ends = (vf: number) => ({ from: { rack: tx, vf }, to: { rack: rx[vf]!, vf: 0 } });
  return {
    tx,
    saturate: (vf) =>
      networkFlow(r.model, {
        name: `sat${vf}`,
        ...ends(vf),
        size_bytes: SIZE,
        mode: { kind: 'window', window: 8 },
        end_ns: END_NS,
        measureFrom_ns: WARMUP_NS,
      }),
    open: (vf, bits_per_s) =>
      networkFlow(r.model, {
        name: `open${vf}`,
        ...ends(vf),
        size_bytes: SIZE,
        mode: { kind: 'rate', rate_bits_per_s: bits_per_s },
        end_ns: END_NS,
        measureFrom_ns: WARMUP_NS,
      }),
  };
}

function run(r: Rack): void {
  r.model.sim.run(END_NS + 1e6);
}

describe('per-VF minimum and maximum on a 25 GbE port', () => {
  it('one VF busy, its neighbour (min 2G) idle: the busy one gets the whole line less headers', () => {
    const r = rack();
    const s = sender(r, [{ min_bits_per_s: 2 * GBIT }, { min_bits_per_s: 2 * GBIT }]);
    const busy = s.saturate(0);
    run(r);
    expect(rate(busy) / (LINE * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
    expect(s.tx.port.sent_bytes(1)).toBe(0);
  });

  it('a light neighbour takes what it asks (1G, under its 2G minimum); the busy one gets the rest', () => {
    const r = rack();
    const s = sender(r, [{ min_bits_per_s: 2 * GBIT }, { min_bits_per_s: 2 * GBIT }]);
    const busy = s.saturate(0);
    const light = s.open(1, 1 * GBIT);
    run(r);
    // Evenly spaced messages: the window holds the rate's share of them, give or take one.
    expect(Math.abs(rate(light) - GBIT)).toBeLessThanOrEqual((SIZE * 8e9) / light.recorder.window_ns);
    // The light flow uses 1G of payload, 1G / PAYLOAD_SHARE of wire; the busy one the rest of the wire.
    expect(rate(busy) / ((LINE - GBIT / PAYLOAD_SHARE) * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
  });

  it('both busy, minimums 5G and 2G (below a fair half): equal shares, each above its minimum, the line full', () => {
    const r = rack();
    const s = sender(r, [{ min_bits_per_s: 5 * GBIT }, { min_bits_per_s: 2 * GBIT }]);
    const a = s.saturate(0);
    const b = s.saturate(1);
    run(r);
    expect(rate(a)).toBeGreaterThanOrEqual(5 * GBIT * PAYLOAD_SHARE);
    expect(rate(b)).toBeGreaterThanOrEqual(2 * GBIT * PAYLOAD_SHARE);
    expect((rate(a) + rate(b)) / (LINE * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
    expect(rate(a) / rate(b)).toBeCloseTo(1, 2);
  });

  it('both busy, minimums 20G and 2G: the 20G one holds its floor above a fair half, the other gets the rest', () => {
    const r = rack();
    const s = sender(r, [{ min_bits_per_s: 20 * GBIT }, { min_bits_per_s: 2 * GBIT }]);
    const a = s.saturate(0);
    const b = s.saturate(1);
    run(r);
    expect(rate(a) / (20 * GBIT * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
    expect(rate(a)).toBeGreaterThanOrEqual(20 * GBIT * PAYLOAD_SHARE * 0.999);
    expect(rate(b) / (5 * GBIT * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
  });

  it('weights share the spare: weight 3 against 1 with no minimums gives 3/4 and 1/4 of the line', () => {
    const r = rack();
    const s = sender(r, [{ weight: 3 }, { weight: 1 }]);
    const a = s.saturate(0);
    const b = s.saturate(1);
    run(r);
    expect(rate(a) / (0.75 * LINE * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
    expect(rate(b) / (0.25 * LINE * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
  });

  it('a maximum caps a VF even with the line idle; its busy neighbour takes the rest', () => {
    const alone = rack();
    const capped = sender(alone, [{ max_bits_per_s: 5 * GBIT }]).saturate(0);
    run(alone);
    expect(rate(capped) / (5 * GBIT * PAYLOAD_SHARE)).toBeCloseTo(1, 3);

    const shared = rack();
    const s = sender(shared, [{ max_bits_per_s: 5 * GBIT }, { min_bits_per_s: 1 * GBIT }]);
    const a = s.saturate(0);
    const b = s.saturate(1);
    run(shared);
    expect(rate(a) / (5 * GBIT * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
    expect(rate(b) / (20 * GBIT * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
  });

  it('63 VFs all saturating: the one with a 10G minimum keeps it, the 62 others share the remaining 15G equally', () => {
    const r = rack();
    const vfs: VfRates[] = Array.from({ length: 63 }, (_, k) => (k === 0 ? { min_bits_per_s: 10 * GBIT } : {}));
    const tx = r.port('tx', vfs);
    const rx = r.port('rx', 63);
    const flows = vfs.map((_, k) =>
      networkFlow(r.model, {
        name: `f${k}`,
        from: { rack: tx, vf: k },
        to: { rack: rx, vf: k },
        size_bytes: SIZE,
        mode: { kind: 'window', window: 2 },
        end_ns: END_NS,
        measureFrom_ns: WARMUP_NS,
      }),
    );
    run(r);
    expect(rate(flows[0]!) / (10 * GBIT * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
    const others = flows.slice(1).map(rate);
    const each = (15 * GBIT * PAYLOAD_SHARE) / 62;
    for (const other of others) expect(other / each).toBeGreaterThan(0.97);
    expect(others.reduce((sum, x) => sum + x, 0) / (15 * GBIT * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
  });

  it('refuses minimums summing above the line rate, and a minimum above its maximum', () => {
    const r = rack();
    expect(() => r.port('a', [{ min_bits_per_s: 20 * GBIT }, { min_bits_per_s: 6 * GBIT }])).toThrow(
      /minimums would sum to 26000000000 bits\/s, above the port's 25000000000/,
    );
    expect(() => r.port('b', [{ min_bits_per_s: 6 * GBIT, max_bits_per_s: 5 * GBIT }])).toThrow(
      /min_bits_per_s 6000000000 is above max_bits_per_s 5000000000/,
    );
    const c = r.port('c', [{ min_bits_per_s: 20 * GBIT }, {}]);
    expect(() => c.port.setRates(1, { min_bits_per_s: 5.5 * GBIT })).toThrow(/minimums would sum/);
    c.port.setRates(0, { min_bits_per_s: 10 * GBIT });
    c.port.setRates(1, { min_bits_per_s: 15 * GBIT });
  });
});

describe('a floor after the line was had alone', () => {
  it('a 10G VF that had the whole line gets its floor back within the guarantee horizon once 62 neighbours wake', () => {
    const r = rack();
    const vfs: VfRates[] = Array.from({ length: 63 }, (_, k) => (k === 0 ? { min_bits_per_s: 10 * GBIT } : {}));
    const tx = r.port('tx', vfs);
    const rx = r.port('rx', 63);
    const wake_ns = 10e6;
    const horizon_ns = 100_000;
    expect(tx.port.guarantee_horizon_ns).toBeLessThanOrEqual(horizon_ns);
    const first = networkFlow(r.model, {
      name: 'f0',
      from: { rack: tx, vf: 0 },
      to: { rack: rx, vf: 0 },
      size_bytes: SIZE,
      mode: { kind: 'window', window: 2 },
      end_ns: END_NS,
      measureFrom_ns: wake_ns + horizon_ns,
    });
    for (let k = 1; k < 63; k++) {
      networkFlow(r.model, {
        name: `f${k}`,
        from: { rack: tx, vf: k },
        to: { rack: rx, vf: k },
        size_bytes: SIZE,
        mode: { kind: 'window', window: 2 },
        start_ns: wake_ns,
        end_ns: END_NS,
      });
    }
    run(r);
    // Alone it ran at line rate, 2.5 times its floor: without the horizon it would have banked 6 ms of lead.
    expect(rate(first) / (10 * GBIT * PAYLOAD_SHARE)).toBeCloseTo(1, 2);
    expect(rate(first)).toBeGreaterThanOrEqual(10 * GBIT * PAYLOAD_SHARE * 0.995);
  });
});
