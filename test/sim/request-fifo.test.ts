import { describe, expect, it } from 'vitest';
import { RequestFifo } from '../../sim/resources/request-fifo.js';

/** A seeded draw in 0..n-1 (a 32-bit linear congruential generator): the same sequence every run. */
function lcg(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
}

/** The ring's head is `entry` (its time too), and shifting takes it off. */
function expectHead(fifo: RequestFifo, entry: { id: number; time: number }): void {
  expect(fifo.headTime()).toBe(entry.time);
  expect(fifo.shift()).toBe(entry.id);
}

describe('RequestFifo', () => {
  it('keeps first-in first-out order across wrap-around and growth', () => {
    const fifo = new RequestFifo(4);
    const expected: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps before the ring has to grow, then grows mid-wrap.
    for (let round = 0; round < 50; round++) {
      for (let k = 0; k < (round % 7) + 1; k++) {
        fifo.push(next);
        expected.push(next++);
      }
      for (let k = 0; k < round % 5; k++) expect(fifo.shift()).toBe(expected.shift());
      expect(fifo.length).toBe(expected.length);
    }
    while (expected.length > 0) expect(fifo.shift()).toBe(expected.shift());
    expect(fifo.shift()).toBe(-1);
    expect(fifo.length).toBe(0);
  });

  it('keeps each time with its id when a timed ring grows', () => {
    const fifo = RequestFifo.timed(2);
    fifo.pushTimed(7, 10);
    fifo.pushTimed(8, 20);
    expect(fifo.shift()).toBe(7);
    for (let id = 9; id < 20; id++) fifo.pushTimed(id, id * 10);
    for (let id = 8; id < 20; id++) {
      expect(fifo.headTime()).toBe(id === 8 ? 20 : id * 10);
      expect(fifo.shift()).toBe(id);
    }
    expect(fifo.length).toBe(0);
  });

  it('insertTimed keeps a timed ring in time order, equal times in the order they came, across wrap-around and growth', () => {
    const fifo = RequestFifo.timed(2);
    const expected: { id: number; time: number }[] = [];
    const draw = lcg(12345);
    for (let id = 0; id < 400; id++) {
      // Few distinct times, so ties are common; shifts now and then, so the head wraps.
      const time = draw(20);
      const place = fifo.insertTimed(id, time);
      const at = expected.findIndex((e) => e.time > time);
      const want = at < 0 ? expected.length : at;
      expected.splice(want, 0, { id, time });
      expect(place).toBe(want);
      if (draw(3) === 0) expectHead(fifo, expected.shift()!);
    }
    expect(fifo.length).toBe(expected.length);
    for (const e of expected) expectHead(fifo, e);
  });

  it('insertTied keeps a tied ring in (time, tie) order, equal pairs in the order they came, across wrap-around and growth', () => {
    const fifo = RequestFifo.tied(2);
    const expected: { id: number; time: number; tie: number }[] = [];
    const draw = lcg(777);
    for (let id = 0; id < 400; id++) {
      // Few distinct times and ties, so both keys tie often.
      const time = draw(10);
      const tie = draw(4);
      fifo.insertTied(id, time, tie);
      const at = expected.findIndex((e) => e.time > time || (e.time === time && e.tie > tie));
      expected.splice(at < 0 ? expected.length : at, 0, { id, time, tie });
      if (draw(3) === 0) expectHead(fifo, expected.shift()!);
    }
    expect(fifo.length).toBe(expected.length);
    for (const e of expected) expectHead(fifo, e);
  });
});
