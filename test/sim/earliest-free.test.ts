import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../sim/core/random.js';
import { EarliestFree, SCAN_MAX_SERVERS } from '../../sim/resources/earliest-free.js';

/** The choice it replaces: the first server with the smallest free time. */
function scanFirstMinimum(free: number[]): number {
  let best = 0;
  for (let k = 1; k < free.length; k++) if (free[k]! < free[best]!) best = k;
  return best;
}

describe('EarliestFree', () => {
  it('picks the same server as a scan for the first minimum, ties included, over random reservations', () => {
    const stream = new RandomStream(5, 'earliest-free');
    // Both ways of finding it: scanned (few servers) and the heap (many).
    for (const servers of [1, 2, 3, 4, SCAN_MAX_SERVERS, SCAN_MAX_SERVERS + 1, 16, 33]) {
      const pool = new EarliestFree(servers);
      const free = new Array<number>(servers).fill(0);
      let now = 0;
      for (let i = 0; i < 5_000; i++) {
        // Coarse integer times so equal free times, where the tie-break decides, are frequent.
        now += Math.floor(stream.next() * 3);
        const expected = scanFirstMinimum(free);
        expect(pool.earliest()).toBe(expected);
        const end = Math.max(free[expected]!, now) + 1 + Math.floor(stream.next() * 4);
        free[expected] = end;
        pool.reserveEarliest(expected, end);
        expect(pool.free_ns[expected]).toBe(end);
      }
    }
  });

  it('refuses a pool without servers', () => {
    expect(() => new EarliestFree(0)).toThrow(/at least one server/);
  });
});
