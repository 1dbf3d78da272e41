/**
 * What a trim costs the QoS schedulers (sim/qos/io-cost.ts): a trim moves only its 16-byte range
 * descriptor, so both schedulers charge it the cost model's minimum, never the bs x num_range it trims
 * (charged so, one trim of 4 x 64 KiB would count 64 units of the window and of a client's budgets).
 */
import { describe, expect, it } from 'vitest';
import { OP_READ, OP_TRIM, OP_WRITE } from '../../../sim/io/requests.js';
import { LINEAR_4K, TRIM_DESCRIPTOR_BYTES, ioCostUnits, requestCostUnits } from '../../../sim/qos/io-cost.js';
import { job, runOnQueue } from './qos-harness.js';

describe('the cost of a trim', () => {
  it('charges a trim its descriptor, whatever it trims; reads and writes by their size', () => {
    for (const size of [4096, 65_536, 262_144, 1 << 30]) expect(requestCostUnits(LINEAR_4K, OP_TRIM, size)).toBe(LINEAR_4K.min_units);
    expect(requestCostUnits(LINEAR_4K, OP_READ, 131_072)).toBe(32);
    const writes10 = { ...LINEAR_4K, write_factor: 10 };
    expect(requestCostUnits(writes10, OP_WRITE, 131_072)).toBe(320);
    // A trim writes no data: the write factor does not price it.
    expect(requestCostUnits(writes10, OP_TRIM, 131_072)).toBe(1);
    // Without a minimum, a trim still costs its descriptor's transfer (never free under a limit).
    const perIo = { unit_bytes: 4096, per_io_bytes: 60_000, min_units: 0, write_factor: 1 };
    expect(requestCostUnits(perIo, OP_TRIM, 1 << 20)).toBe(ioCostUnits(perIo, TRIM_DESCRIPTOR_BYTES));
    expect(requestCostUnits(perIo, OP_TRIM, 1 << 20)).toBeGreaterThan(0);
    expect(requestCostUnits(perIo, OP_TRIM, 1 << 20)).toBeLessThan(1);
  });

  for (const scheduler of ['mclock', 'fifo'] as const) {
    it(`${scheduler} charges each trim of 4 x 64 KiB one unit, in its unit window and its counts`, () => {
      const trims = job('trimmer', 8).replace('rw=randread\nbs=4k', 'rw=randtrim\nbs=64k\nnum_range=4');
      const run = runOnQueue(trims, { clients: [{ name: 'trimmer', weight: 1 }], dispatch_depth: 8, dispatch_units: 16, scheduler });
      const s = run.qos!.scheduler;
      const dispatched = s.reservationDispatches[0]! + s.weightDispatches[0]!;
      expect(dispatched).toBeGreaterThan(100);
      expect(s.unitsDispatched[0]!).toBe(dispatched);
      // 16 units of window hold 8 trims (the depth); charged 64 units each, one at a time would go.
      expect(s.inDevice).toBeLessThanOrEqual(8);
    });
  }

  it('mclock limits trims by their count, as it limits 4 KiB reads, not by the bytes they trim', () => {
    const limited = (jobText: string) => {
      const run = runOnQueue(jobText, { clients: [{ name: 'c', limit_iops: 2_000, weight: 1 }], dispatch_depth: 8 });
      const s = run.qos!.scheduler;
      return s.reservationDispatches[0]! + s.weightDispatches[0]!;
    };
    const reads = limited(job('c', 16));
    const trims = limited(job('c', 16).replace('rw=randread\nbs=4k', 'rw=randtrim\nbs=64k\nnum_range=4'));
    expect(reads).toBeGreaterThan(100);
    // Charged 64 units each, the trims would get 1/64 of the reads' dispatches.
    expect(Math.abs(trims - reads)).toBeLessThanOrEqual(0.02 * reads);
  });
});
