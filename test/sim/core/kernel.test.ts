import { describe, expect, it } from 'vitest';
import { Simulator, type EventHandler } from '../../../sim/core/kernel.js';
import { RandomStream } from '../../../sim/core/random.js';

/** A target that logs (time, arg) for each firing. */
function logger(sim: Simulator) {
  const log: [number, number][] = [];
  const target: EventHandler = { fire: (arg) => log.push([sim.now, arg]) };
  return { log, target };
}

describe('Simulator', () => {
  it('fires events in time order whatever the order they were scheduled in', () => {
    const sim = new Simulator(4); // small, so the heap must grow
    const { log, target } = logger(sim);
    const times = [50, 10, 40, 30, 20, 70, 60, 5, 100, 1];
    times.forEach((t, i) => sim.schedule(t, target, i));
    sim.run();
    expect(log.map(([t]) => t)).toEqual([...times].sort((a, b) => a - b));
    expect(sim.now).toBe(100);
    expect(sim.state).toEqual({ state: 'stopped', at_ns: 100, reason: 'empty' });
  });

  it('breaks ties at the same time by insertion order', () => {
    const sim = new Simulator(2);
    const { log, target } = logger(sim);
    for (let i = 0; i < 100; i++) sim.schedule(i % 3 === 0 ? 7 : 3, target, i);
    sim.run();
    const at3 = log.filter(([t]) => t === 3).map(([, a]) => a);
    const at7 = log.filter(([t]) => t === 7).map(([, a]) => a);
    expect(at3).toEqual([...at3].sort((a, b) => a - b));
    expect(at7).toEqual([...at7].sort((a, b) => a - b));
    expect(log.slice(0, at3.length).every(([t]) => t === 3)).toBe(true);
  });

  it('keeps insertion order for ties among events scheduled from inside other events', () => {
    const sim = new Simulator();
    const order: number[] = [];
    const child: EventHandler = { fire: (arg) => order.push(arg) };
    const parent: EventHandler = {
      fire: (arg) => {
        order.push(arg);
        sim.schedule(sim.now, child, arg * 10); // same time: after everything already due now
      },
    };
    sim.schedule(5, parent, 1);
    sim.schedule(5, parent, 2);
    sim.run();
    expect(order).toEqual([1, 2, 10, 20]);
  });

  it('cancels a pending event, and refuses a handle that already fired or was cancelled', () => {
    const sim = new Simulator(2);
    const { log, target } = logger(sim);
    const handles = [10, 20, 30, 40, 50].map((t) => sim.schedule(t, target, t));
    expect(sim.cancel(handles[2]!)).toBe(true);
    expect(sim.cancel(handles[2]!)).toBe(false);
    expect(sim.cancel(handles[0]!)).toBe(true);
    sim.run(25);
    expect(sim.cancel(handles[1]!)).toBe(false); // fired already
    sim.run();
    expect(log.map(([t]) => t)).toEqual([20, 40, 50]);
  });

  it('keeps the heap ordered through many random cancels (against a sorted reference)', () => {
    const sim = new Simulator(8);
    const rng = new RandomStream(3, 'cancel-test');
    const fired: number[] = [];
    const target: EventHandler = { fire: () => fired.push(sim.now) };
    const live = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rng.next() * 1000);
      live.set(sim.schedule(t, target, i), t);
      if (rng.next() < 0.3 && live.size > 0) {
        const keys = [...live.keys()];
        const h = keys[Math.floor(rng.next() * keys.length)]!;
        expect(sim.cancel(h)).toBe(true);
        live.delete(h);
      }
    }
    sim.run();
    expect(fired).toEqual([...live.values()].sort((a, b) => a - b));
  });

  it('counts cancelled events out of pending and peek, also once most of the heap is cancelled', () => {
    const sim = new Simulator(8);
    const { log, target } = logger(sim);
    const handles = Array.from({ length: 1000 }, (_, i) => sim.schedule(1000 - i, target, i));
    // Cancel all but every tenth, earliest times first, so cancelled events sit on top and the sweep runs.
    for (let i = 999; i >= 0; i--) if (i % 10 !== 0) expect(sim.cancel(handles[i]!)).toBe(true);
    expect(sim.pending).toBe(100);
    expect(sim.peek()).toBe(1000 - 990);
    expect(sim.cancel(handles[5]!)).toBe(false);
    sim.post(10, target, -7); // same time as the earliest survivor, scheduled later: fires after it
    expect(sim.pending).toBe(101);
    sim.run();
    expect(log.slice(0, 2)).toEqual([
      [10, 990],
      [10, -7],
    ]);
    expect(log.map(([t]) => t)).toEqual([10, 10, ...Array.from({ length: 99 }, (_, k) => 20 + 10 * k)]);
    expect(sim.pending).toBe(0);
    expect(sim.state).toEqual({ state: 'stopped', at_ns: 1000, reason: 'empty' });
  });

  it('reports an empty heap when only cancelled events remain before the run ends', () => {
    const sim = new Simulator();
    const { log, target } = logger(sim);
    sim.schedule(10, target, 1);
    const late = sim.schedule(20, target, 2);
    sim.cancel(late);
    expect(sim.peek()).toBe(10);
    sim.run(30);
    expect(log).toEqual([[10, 1]]);
    expect(sim.state).toEqual({ state: 'stopped', at_ns: 30, reason: 'empty' });
    expect(sim.peek()).toBe(Infinity);
  });

  it('fires in (time, insertion) order when events schedule, cancel and look at the heap from inside fire (against a plain list)', () => {
    const sim = new Simulator(4);
    const rng = new RandomStream(5, 'kernel-from-fire');
    // The reference: every scheduled event as (time, seq, id), fired smallest first unless cancelled.
    const reference: { time: number; seq: number; id: number; cancelled: boolean }[] = [];
    const handles = new Map<number, number>();
    const fired: number[] = [];
    const observed: [number, number][] = [];
    let seq = 0;
    const add = (time: number, target: EventHandler) => {
      const id = seq++;
      reference.push({ time, seq: id, id, cancelled: false });
      handles.set(id, sim.schedule(time, target, id));
    };
    const target: EventHandler = {
      fire: (id) => {
        fired.push(id);
        handles.delete(id);
        const live = reference.filter((e) => !e.cancelled && handles.has(e.id));
        const next = live.reduce((a, e) => (e.time < a ? e.time : a), Infinity);
        observed.push([sim.pending, sim.peek()]);
        expect([sim.pending, sim.peek()]).toEqual([live.length, next]);
        if (seq < 3000) for (let k = 1 + Math.floor(rng.next() * 2); k > 0; k--) add(sim.now + Math.floor(rng.next() * 4) * 10, target);
        if (rng.next() < 0.2 && handles.size > 0) {
          const keys = [...handles.keys()];
          const victim = keys[Math.floor(rng.next() * keys.length)]!;
          expect(sim.cancel(handles.get(victim)!)).toBe(true);
          handles.delete(victim);
          reference.find((e) => e.id === victim)!.cancelled = true;
        }
      },
    };
    for (let i = 0; i < 20; i++) add(Math.floor(rng.next() * 50), target);
    sim.run();
    const expected = reference
      .filter((e) => !e.cancelled)
      .sort((a, b) => a.time - b.time || a.seq - b.seq)
      .map((e) => e.id);
    expect(fired).toEqual(expected);
    expect(observed.length).toBeGreaterThan(1000);
    expect(sim.pending).toBe(0);
  });

  it('runs until a time, leaves later events waiting and sets the clock to that time', () => {
    const sim = new Simulator();
    const { log, target } = logger(sim);
    sim.schedule(10, target, 1);
    sim.schedule(20, target, 2);
    const fired = sim.run(15);
    expect(fired).toBe(1);
    expect(sim.now).toBe(15);
    expect(sim.pending).toBe(1);
    expect(sim.state).toEqual({ state: 'stopped', at_ns: 15, reason: 'until' });
    sim.run();
    expect(log).toEqual([
      [10, 1],
      [20, 2],
    ]);
  });

  it('stops after the current event when asked', () => {
    const sim = new Simulator();
    let count = 0;
    const target: EventHandler = {
      fire: () => {
        if (++count === 3) sim.stop();
        sim.after(1, target, 0);
      },
    };
    sim.schedule(0, target, 0);
    sim.run();
    expect(count).toBe(3);
    expect(sim.state).toEqual({ state: 'stopped', at_ns: 2, reason: 'stop' });
  });

  it('refuses to schedule in the past', () => {
    const sim = new Simulator();
    const { target } = logger(sim);
    sim.schedule(10, target, 0);
    sim.run();
    expect(() => sim.schedule(5, target, 0)).toThrow(RangeError);
    expect(() => sim.schedule(Number.NaN, target, 0)).toThrow(RangeError);
  });
});
