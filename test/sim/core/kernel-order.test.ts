/**
 * The kernel's queue (lanes over a heap) against a reference that keeps every event in a plain array and
 * fires the least (time, insertion sequence) each time: random schedules with ties, events scheduled at
 * `now` from within a firing, cancels (enough to sweep the queue), runs in slices with `peek` and
 * `pending` between them, and several lane counts (0: a plain heap; 2 and 4: lanes shared by many
 * delays; the default). The firing order, the clock, cancel's answers and the counts must be the same.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LANES, Simulator, type EventHandle, type EventHandler } from '../../../sim/core/kernel.js';

/** The kernel's interface as the driver below uses it. */
interface Queue {
  now: number;
  eventsFired: number;
  readonly pending: number;
  schedule(at_ns: number, target: EventHandler, arg: number): EventHandle;
  cancel(handle: EventHandle): boolean;
  peek(): number;
  run(until_ns?: number): number;
}

/** Every event in an array; the next is found by a scan. Slow and obviously right. */
class ReferenceQueue implements Queue {
  now = 0;
  eventsFired = 0;
  private readonly events: { time: number; seq: number; target: EventHandler; arg: number; live: boolean }[] = [];

  get pending(): number {
    return this.events.filter((e) => e.live).length;
  }
  schedule(at_ns: number, target: EventHandler, arg: number): EventHandle {
    if (!(at_ns >= this.now)) throw new RangeError('before now');
    this.events.push({ time: at_ns, seq: this.events.length, target, arg, live: true });
    return this.events.length - 1;
  }
  cancel(handle: EventHandle): boolean {
    const event = this.events[handle];
    if (!event?.live) return false;
    event.live = false;
    return true;
  }
  private next() {
    let best: (typeof this.events)[number] | undefined;
    for (const e of this.events) if (e.live && (best === undefined || e.time < best.time)) best = e; // seq ascends
    return best;
  }
  peek(): number {
    return this.next()?.time ?? Infinity;
  }
  run(until_ns = Infinity): number {
    let fired = 0;
    for (let e = this.next(); e !== undefined && e.time <= until_ns; e = this.next()) {
      e.live = false;
      this.now = e.time;
      this.eventsFired++;
      fired++;
      e.target.fire(e.arg);
    }
    if (until_ns !== Infinity && until_ns > this.now) this.now = until_ns;
    return fired;
  }
}

/** What an event does when it fires: schedule children (delay kind, raw value) and cancel earlier events. */
interface Action {
  children: [kind: number, raw: number][];
  cancels: number[];
}
interface Script {
  initial: [kind: number, raw: number][];
  actions: Action[];
  slices: number[];
  maxEvents: number;
}

/** A delay of one of a few kinds: now itself, two fixed delays (lanes fill), small integers (ties), fractions. */
function delayOf(kind: number, raw: number): number {
  switch (kind) {
    case 0:
      return 0;
    case 1:
      return 1000;
    case 2:
      return 2500;
    case 3:
      return raw % 40;
    default:
      return raw * 0.37;
  }
}

/** Runs `script` on `queue`; returns everything observable, in order. */
function drive(queue: Queue, script: Script): unknown[] {
  const seen: unknown[] = [];
  const handles: EventHandle[] = [];
  let scheduled = 0;
  const add = (kind: number, raw: number): void => {
    if (scheduled >= script.maxEvents) return;
    handles.push(queue.schedule(queue.now + delayOf(kind, raw), target, scheduled++));
  };
  const target: EventHandler = {
    fire(arg) {
      seen.push(['fire', queue.now, arg]);
      const action = script.actions[arg % script.actions.length]!;
      for (const [kind, raw] of action.children) add(kind, raw);
      for (const c of action.cancels) seen.push(['cancel', queue.cancel(handles[c % handles.length]!)]);
    },
  };
  for (const [kind, raw] of script.initial) add(kind, raw);
  for (const slice of script.slices) {
    seen.push(['run', queue.run(queue.now + slice), queue.now, queue.pending, queue.peek()]);
  }
  seen.push(['end', queue.run(), queue.now, queue.pending, queue.eventsFired]);
  return seen;
}

const delaySpec = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 10_000 }));
const script: fc.Arbitrary<Script> = fc.record({
  initial: fc.array(delaySpec, { minLength: 1, maxLength: 40 }),
  actions: fc.array(
    fc.record({
      children: fc.array(delaySpec, { maxLength: 3 }),
      cancels: fc.array(fc.nat(), { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  slices: fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 6 }),
  maxEvents: fc.integer({ min: 1, max: 600 }),
});

describe('Simulator queue order', () => {
  for (const lanes of [0, 2, 4, DEFAULT_LANES]) {
    it(`fires exactly as a sorted reference, with ${lanes} lanes`, () => {
      fc.assert(
        fc.property(script, (s) => {
          expect(drive(new Simulator(2, lanes), s)).toEqual(drive(new ReferenceQueue(), s));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('keeps the order through a sweep of cancelled events out of long chains', () => {
    // Rising times fill each of 4 lanes with a long chain; cancelling two thirds sweeps the queue.
    const run = (queue: Queue): unknown[] => {
      const seen: unknown[] = [];
      const target: EventHandler = { fire: (arg) => seen.push([queue.now, arg]) };
      const handles = Array.from({ length: 300 }, (_, i) => queue.schedule(Math.floor(i / 2) * 10, target, i));
      handles.forEach((h, i) => i % 3 !== 0 && seen.push(queue.cancel(h)));
      seen.push(queue.pending, queue.peek());
      for (let i = 0; i < 50; i++) queue.schedule(i * 7, target, 1000 + i);
      for (let until = 0; until < 1600; until += 25) seen.push(queue.run(until), queue.pending, queue.peek());
      seen.push(queue.run(), queue.pending);
      return seen;
    };
    expect(run(new Simulator(2, 4))).toEqual(run(new ReferenceQueue()));
  });

  it('refuses a lane count that is not 0 or a power of two', () => {
    expect(() => new Simulator(16, 3)).toThrow(RangeError);
    expect(() => new Simulator(16, 1)).toThrow(RangeError);
    expect(() => new Simulator(16, 2048)).toThrow(RangeError);
  });
});
