/**
 * The simulation kernel: a clock in nanoseconds and an event heap ordered by (time, insertion sequence).
 *
 * An event is (time, target, arg): at `time` the kernel calls `target.fire(arg)`. `arg` is an integer
 * (a request id, a port index), so scheduling allocates nothing: events live in typed arrays, recycled
 * through a free list, and the heap holds slot numbers. Ties at the same time fire in insertion order.
 */
import { FreeList, grown } from './slots.js';

/** Anything the kernel can wake: a station, a generator, a timer. `arg` is an integer chosen by the scheduler. */
export interface EventHandler {
  fire(arg: number): void;
}

/** A handle to a scheduled event, for `cancel`. Stale handles (already fired or cancelled) are ignored. */
export type EventHandle = number;

const SLOT_BITS = 2 ** 26; // handle = generation * SLOT_BITS + slot; 67M concurrent events is far beyond any model

/** Lifecycle of a run, as a discriminated union on `state`. */
export type RunState =
  { state: 'idle' } | { state: 'running'; until_ns: number } | { state: 'stopped'; at_ns: number; reason: 'until' | 'stop' | 'empty' };

export class Simulator {
  /** Current simulated time, nanoseconds. */
  now = 0;
  /** Events fired since construction. */
  eventsFired = 0;
  private lifecycle: RunState = { state: 'idle' };

  // Heap of slots, with each slot's time copied beside it so comparisons touch one array.
  private heapTime: Float64Array;
  private heapSlot: Int32Array;
  private size = 0;

  // Per-slot data.
  private slotSeq: Float64Array;
  private slotArg: Float64Array;
  private slotPos: Int32Array; // position in the heap, -1 when free
  private slotGen: Uint32Array;
  private slotTarget: (EventHandler | null)[];
  private readonly freeSlots: FreeList;
  private capacity: number;
  private seq = 0;
  private stopRequested = false;

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.heapTime = new Float64Array(initialCapacity);
    this.heapSlot = new Int32Array(initialCapacity);
    this.slotSeq = new Float64Array(initialCapacity);
    this.slotArg = new Float64Array(initialCapacity);
    this.slotPos = new Int32Array(initialCapacity).fill(-1);
    this.slotGen = new Uint32Array(initialCapacity);
    this.slotTarget = new Array<EventHandler | null>(initialCapacity).fill(null);
    this.freeSlots = new FreeList(initialCapacity);
  }

  /** The run's lifecycle state. */
  get state(): RunState {
    return this.lifecycle;
  }

  /** Number of events waiting. */
  get pending(): number {
    return this.size;
  }

  /** Time of the next event in nanoseconds, or Infinity when none is waiting. */
  peek(): number {
    return this.size > 0 ? this.heapTime[0]! : Infinity;
  }

  /** Schedules `target.fire(arg)` at absolute time `at_ns` (never before `now`). */
  schedule(at_ns: number, target: EventHandler, arg: number): EventHandle {
    if (!(at_ns >= this.now)) throw new RangeError(`schedule: time ${at_ns} ns is before now (${this.now} ns) or not a number`);
    if (this.freeSlots.count === 0) this.grow();
    const slot = this.freeSlots.take();
    this.slotSeq[slot] = this.seq++;
    this.slotArg[slot] = arg;
    this.slotTarget[slot] = target;
    this.siftUp(this.size++, at_ns, slot);
    return this.slotGen[slot]! * SLOT_BITS + slot;
  }

  /** Schedules `target.fire(arg)` after `delay_ns` nanoseconds. */
  after(delay_ns: number, target: EventHandler, arg: number): EventHandle {
    return this.schedule(this.now + delay_ns, target, arg);
  }

  /** Cancels a scheduled event. Returns false when the handle has already fired or been cancelled. */
  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_BITS;
    const gen = (handle - slot) / SLOT_BITS;
    if (slot >= this.capacity || this.slotGen[slot] !== gen) return false;
    const pos = this.slotPos[slot]!;
    if (pos < 0) return false;
    this.release(slot);
    const last = --this.size;
    if (pos !== last) {
      const lastTime = this.heapTime[last]!;
      const lastSlot = this.heapSlot[last]!;
      // Put the last element in the hole and restore order in whichever direction it is out of place.
      if (pos > 0 && this.before(lastTime, lastSlot, (pos - 1) >> 1)) this.siftUp(pos, lastTime, lastSlot);
      else this.siftDown(pos, lastTime, lastSlot);
    }
    return true;
  }

  /** Asks the running loop to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Fires events in order until the next one is after `until_ns` (the clock then stands at `until_ns`),
   * the heap is empty, or `stop()` is called. Returns the number of events fired.
   */
  run(until_ns = Infinity): number {
    this.lifecycle = { state: 'running', until_ns };
    this.stopRequested = false;
    const start = this.eventsFired;
    while (this.size > 0) {
      const t = this.heapTime[0]!;
      if (t > until_ns) break;
      const slot = this.heapSlot[0]!;
      const target = this.slotTarget[slot]!;
      const arg = this.slotArg[slot]!;
      this.release(slot);
      const last = --this.size;
      if (last > 0) this.siftDown(0, this.heapTime[last]!, this.heapSlot[last]!);
      this.now = t;
      this.eventsFired++;
      target.fire(arg);
      if (this.stopRequested) {
        this.lifecycle = { state: 'stopped', at_ns: this.now, reason: 'stop' };
        return this.eventsFired - start;
      }
    }
    if (this.size === 0 && until_ns === Infinity) {
      this.lifecycle = { state: 'stopped', at_ns: this.now, reason: 'empty' };
    } else {
      if (until_ns !== Infinity && until_ns > this.now) this.now = until_ns;
      this.lifecycle = { state: 'stopped', at_ns: this.now, reason: this.size === 0 ? 'empty' : 'until' };
    }
    return this.eventsFired - start;
  }

  private release(slot: number): void {
    this.slotPos[slot] = -1;
    this.slotTarget[slot] = null;
    this.slotGen[slot] = (this.slotGen[slot]! + 1) >>> 0;
    this.freeSlots.give(slot);
  }

  /** Is (time, slot) ordered before the heap element at `pos`? */
  private before(time: number, slot: number, pos: number): boolean {
    const other = this.heapTime[pos]!;
    return time < other || (time === other && this.slotSeq[slot]! < this.slotSeq[this.heapSlot[pos]!]!);
  }

  private siftUp(pos: number, time: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!this.before(time, slot, parent)) break;
      heapTime[pos] = heapTime[parent]!;
      const moved = heapSlot[parent]!;
      heapSlot[pos] = moved;
      this.slotPos[moved] = pos;
      pos = parent;
    }
    heapTime[pos] = time;
    heapSlot[pos] = slot;
    this.slotPos[slot] = pos;
  }

  private siftDown(pos: number, time: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    const size = this.size;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && this.before(heapTime[right]!, heapSlot[right]!, child)) child = right;
      if (!this.childFirst(child, time, slot)) break;
      heapTime[pos] = heapTime[child]!;
      const moved = heapSlot[child]!;
      heapSlot[pos] = moved;
      this.slotPos[moved] = pos;
      pos = child;
    }
    heapTime[pos] = time;
    heapSlot[pos] = slot;
    this.slotPos[slot] = pos;
  }

  /** Does the heap element at `child` come before (time, slot)? */
  private childFirst(child: number, time: number, slot: number): boolean {
    const t = this.heapTime[child]!;
    return t < time || (t === time && this.slotSeq[this.heapSlot[child]!]! < this.slotSeq[slot]!);
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    this.heapTime = grown(this.heapTime, cap);
    this.heapSlot = grown(this.heapSlot, cap);
    this.slotSeq = grown(this.slotSeq, cap);
    this.slotArg = grown(this.slotArg, cap);
    this.slotPos = grown(this.slotPos, cap, -1);
    this.slotGen = grown(this.slotGen, cap);
    for (let i = old; i < cap; i++) this.slotTarget.push(null);
    this.freeSlots.grow(old, cap);
    this.capacity = cap;
  }
}
