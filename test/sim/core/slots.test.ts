import { describe, expect, it } from 'vitest';
import { FreeList, grown } from '../../../sim/core/slots.js';

describe('slots', () => {
  it('grown keeps the rows, fills the new ones and keeps the column type', () => {
    const pos = grown(Int32Array.from([3, -1, 7]), 6, -1);
    expect(pos).toBeInstanceOf(Int32Array);
    expect(Array.from(pos)).toEqual([3, -1, 7, -1, -1, -1]);
    const time = grown(Float64Array.from([0.5]), 3);
    expect(time).toBeInstanceOf(Float64Array);
    expect(Array.from(time)).toEqual([0.5, 0, 0]);
  });

  it('FreeList hands out the lowest rows first, then the last given back, and grows without losing rows', () => {
    const free = new FreeList(2);
    expect([free.take(), free.take()]).toEqual([0, 1]);
    expect(free.count).toBe(0);
    free.give(1);
    free.grow(2, 4);
    expect(free.count).toBe(3);
    // The new rows come first, lowest first, then the row given back before growing.
    expect([free.take(), free.take(), free.take()]).toEqual([2, 3, 1]);
    free.give(0);
    expect(free.take()).toBe(0);
  });
});
