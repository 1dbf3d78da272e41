/**
 * The simulation kernel: a clock in nanoseconds and an event heap ordered by (time, insertion sequence).
 *
 * An event is (time, target, arg): at `time` the kernel calls `target.fire(arg)`. `arg` is a 32-bit
 * integer (a request id, a port index, an event code), so scheduling allocates nothing: events live in
 * typed arrays, recycled through a free list, and the heap holds slot numbers. Ties at the same time fire
 * in insertion order. Cancelling is lazy: a cancelled event stays in the heap, marked, and is dropped when
 * it reaches the top (or when dead events outnumber live ones), so the hot path keeps no heap positions.
 */
import { FreeList, grown } from './slots.js';

/** Anything the kernel can wake: a station, a generator, a timer. `arg` is a 32-bit integer chosen by the scheduler. */
export interface EventHandler {
  fire(arg: number): void;
}

/** A handle to a scheduled event, for `cancel`. Stale handles (already fired or cancelled) are ignored. */
export type EventHandle = number;

const SLOT_BITS = 2 ** 26; // handle = generation * SLOT_BITS + slot; 67M concurrent events is far beyond any model
/** Dead (cancelled) events are swept out of the heap once there are more of them than this and than live ones. */
const MIN_DEAD_TO_COMPACT = 64;

/** Lifecycle of a run, as a discriminated union on `state`. */
export type RunState =
  { state: 'idle' } | { state: 'running'; until_ns: number } | { state: 'stopped'; at_ns: number; reason: 'until' | 'stop' | 'empty' };

export class Simulator {
  /** Current simulated time, nanoseconds. */
  now = 0;
  /** Events fired since construction. */
  eventsFired = 0;
  private lifecycle: RunState = { state: 'idle' };

  // Heap of slots, with each slot's time copied beside it so comparisons touch one array. It may hold
  // dead slots (cancelled: target null) until they reach the top or are swept by `compact`.
  private heapTime: Float64Array;
  private heapSlot: Int32Array;
  /** Each heap element's insertion sequence beside it (its slot's `slotSeq`), so a tie is broken without a lookup. */
  private heapSeq: Float64Array;
  private size = 0;
  /** Cancelled events still in the heap. */
  private dead = 0;

  // Per-slot data.
  private slotSeq: Float64Array;
  private slotArg: Int32Array;
  private slotGen: Uint32Array;
  /** The target of a scheduled event; null for a free slot or a cancelled event. */
  private slotTarget: (EventHandler | null)[];
  private readonly freeSlots: FreeList;
  private capacity: number;
  private seq = 0;
  private stopRequested = false;

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.heapTime = new Float64Array(initialCapacity);
    this.heapSlot = new Int32Array(initialCapacity);
    this.heapSeq = new Float64Array(initialCapacity);
    this.slotSeq = new Float64Array(initialCapacity);
    this.slotArg = new Int32Array(initialCapacity);
    this.slotGen = new Uint32Array(initialCapacity);
    this.slotTarget = new Array<EventHandler | null>(initialCapacity).fill(null);
    this.freeSlots = new FreeList(initialCapacity);
  }

  /** The run's lifecycle state. */
  get state(): RunState {
    return this.lifecycle;
  }

  /** Number of events waiting (cancelled ones not counted). */
  get pending(): number {
    return this.size - this.dead;
  }

  /** Time of the next event in nanoseconds, or Infinity when none is waiting. */
  peek(): number {
    this.dropDeadTop();
    return this.size > 0 ? this.heapTime[0]! : Infinity;
  }

  /** Schedules `target.fire(arg)` at absolute time `at_ns` (never before `now`); `arg` is a 32-bit integer. */
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

  /**
   * `schedule` for an event that will never be cancelled: no handle, so nothing is returned. A handle
   * outgrows a small integer, and returning one from a call that is not inlined allocates a heap number
   * per event; hot paths that drop the handle call this instead.
   */
  post(at_ns: number, target: EventHandler, arg: number): void {
    this.schedule(at_ns, target, arg);
  }

  /** `after` without a handle (see `post`). */
  postAfter(delay_ns: number, target: EventHandler, arg: number): void {
    this.schedule(this.now + delay_ns, target, arg);
  }

  /** Cancels a scheduled event. Returns false when the handle has already fired or been cancelled. */
  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_BITS;
    const gen = (handle - slot) / SLOT_BITS;
    if (!(slot >= 0 && slot < this.capacity) || this.slotGen[slot] !== gen || this.slotTarget[slot] === null) return false;
    // The slot stays in the heap, dead, until it reaches the top; its generation moves on when it is freed.
    this.slotTarget[slot] = null;
    this.dead++;
    if (this.dead > MIN_DEAD_TO_COMPACT && this.dead > this.size - this.dead) this.compact();
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
    if (this.fireUntil(until_ns)) {
      this.lifecycle = { state: 'stopped', at_ns: this.now, reason: 'stop' };
      return this.eventsFired - start;
    }
    this.dropDeadTop();
    if (this.size === 0 && until_ns === Infinity) {
      this.lifecycle = { state: 'stopped', at_ns: this.now, reason: 'empty' };
    } else {
      if (until_ns !== Infinity && until_ns > this.now) this.now = until_ns;
      this.lifecycle = { state: 'stopped', at_ns: this.now, reason: this.size === 0 ? 'empty' : 'until' };
    }
    return this.eventsFired - start;
  }

  /**
   * The event loop of `run`: fires events in order up to `until_ns`; true when `stop()` ended it. Kept
   * apart from `run`'s bookkeeping because V8 compiles the loop on its first long run (on-stack), before
   * the code after it has ever run: a soft deoptimization there sent every later slice of the run back to
   * the interpreter until the loop was compiled again. Here the loop's exit is a bare return.
   */
  private fireUntil(until_ns: number): boolean {
    while (this.size > 0) {
      const t = this.heapTime[0]!;
      if (t > until_ns) break;
      const slot = this.heapSlot[0]!;
      const target = this.slotTarget[slot]!;
      const arg = this.slotArg[slot]!;
      this.release(slot);
      this.removeTop();
      if (target === null) {
        this.dead--;
        continue;
      }
      this.now = t;
      this.eventsFired++;
      target.fire(arg);
      if (this.stopRequested) return true;
    }
    return false;
  }

  private release(slot: number): void {
    this.slotTarget[slot] = null;
    this.slotGen[slot] = (this.slotGen[slot]! + 1) >>> 0;
    this.freeSlots.give(slot);
  }

  /** Pops cancelled events off the top, so the top is live (or the heap empty). */
  private dropDeadTop(): void {
    while (this.size > 0 && this.slotTarget[this.heapSlot[0]!] === null) {
      this.release(this.heapSlot[0]!);
      this.dead--;
      const last = --this.size;
      if (last > 0) this.siftDown(0, this.heapTime[last]!, this.heapSlot[last]!);
    }
  }

  /** Sweeps every cancelled event out of the heap and rebuilds it (the same order: keys are unique). */
  private compact(): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = heapSlot[i]!;
      if (this.slotTarget[slot] === null) {
        this.release(slot);
        continue;
      }
      heapTime[kept] = heapTime[i]!;
      this.heapSeq[kept] = this.heapSeq[i]!;
      heapSlot[kept++] = slot;
    }
    this.size = kept;
    this.dead = 0;
    for (let pos = (kept >> 1) - 1; pos >= 0; pos--) this.siftDown(pos, heapTime[pos]!, heapSlot[pos]!);
  }

  /**
   * Takes the top off the heap (Floyd's bottom-up way): the hole at the top goes down to a leaf along
   * the lesser children, one comparison per level, then the last element goes into it and up, which it
   * seldom does far (it came from the bottom). About half the comparisons of sifting the last element
   * down from the top; the same heap order. The lesser child is picked without a branch on the times
   * (which child wins is a coin toss the CPU cannot predict): its index is the left one's plus 0 or 1.
   */
  private removeTop(): void {
    const size = --this.size;
    if (size === 0) return;
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    const heapSeq = this.heapSeq;
    let pos = 0;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size) {
        const tr = heapTime[right]!;
        const tc = heapTime[child]!;
        // The sequences are read only on a tie of times, which is rare and so a branch the CPU predicts.
        child += Number(tr < tc) | Number(tr === tc && heapSeq[right]! < heapSeq[child]!);
      }
      heapTime[pos] = heapTime[child]!;
      heapSlot[pos] = heapSlot[child]!;
      heapSeq[pos] = heapSeq[child]!;
      pos = child;
    }
    this.siftUp(pos, heapTime[size]!, heapSlot[size]!);
  }

  /** Is (time, slot) ordered before the heap element at `pos`? */
  private before(time: number, slot: number, pos: number): boolean {
    const other = this.heapTime[pos]!;
    return time < other || (time === other && this.slotSeq[slot]! < this.heapSeq[pos]!);
  }

  private siftUp(pos: number, time: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!this.before(time, slot, parent)) break;
      heapTime[pos] = heapTime[parent]!;
      heapSlot[pos] = heapSlot[parent]!;
      this.heapSeq[pos] = this.heapSeq[parent]!;
      pos = parent;
    }
    heapTime[pos] = time;
    heapSlot[pos] = slot;
    this.heapSeq[pos] = this.slotSeq[slot]!;
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
      heapSlot[pos] = heapSlot[child]!;
      this.heapSeq[pos] = this.heapSeq[child]!;
      pos = child;
    }
    heapTime[pos] = time;
    heapSlot[pos] = slot;
    this.heapSeq[pos] = this.slotSeq[slot]!;
  }

  /** Does the heap element at `child` come before (time, slot)? */
  private childFirst(child: number, time: number, slot: number): boolean {
    const t = this.heapTime[child]!;
    return t < time || (t === time && this.heapSeq[child]! < this.slotSeq[slot]!);
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    this.heapTime = grown(this.heapTime, cap);
    this.heapSlot = grown(this.heapSlot, cap);
    this.heapSeq = grown(this.heapSeq, cap);
    this.slotSeq = grown(this.slotSeq, cap);
    this.slotArg = grown(this.slotArg, cap);
    this.slotGen = grown(this.slotGen, cap);
    for (let i = old; i < cap; i++) this.slotTarget.push(null);
    this.freeSlots.grow(old, cap);
    this.capacity = cap;
  }
}
