/**
 * The simulation kernel: a clock in nanoseconds and an event queue ordered by (time, insertion sequence).
 *
 * An event is (time, target, arg): at `time` the kernel calls `target.fire(arg)`. `arg` is a 32-bit
 * integer (a request id, a port index, an event code), so scheduling allocates nothing: events live in
 * typed arrays, recycled through a free list. Ties at the same time fire in insertion order. Cancelling
 * is lazy: a cancelled event stays queued, marked, and is dropped when it comes first (or when dead
 * events outnumber live ones), so the hot path keeps no queue positions.
 *
 * The queue is lanes over a binary heap. Most events are scheduled a fixed delay after now (a service
 * time, a wire time, a rate's interval), and events a same delay after a clock that never goes back come
 * in time order. So an event joins the lane its delay (to the nanosecond) hashes to: when the lane holds
 * that delay and its last event is not after this one, at the end of the lane's chain (no heap work);
 * otherwise it starts a new chain there, its head in the heap (an older chain stays in the heap until it
 * drains). Only chain heads are in the heap; each chain is in (time, sequence) order (times
 * non-decreasing, sequences increasing), so the least head is the least event and the firing order is
 * exactly that of a heap of every event, whatever the lanes.
 */
import { FreeList, grown } from './slots.js';

/** Anything the kernel can wake: a station, a generator, a timer. `arg` is a 32-bit integer chosen by the scheduler. */
export interface EventHandler {
  fire(arg: number): void;
}

/** A handle to a scheduled event, for `cancel`. Stale handles (already fired or cancelled) are ignored. */
export type EventHandle = number;

const SLOT_BITS = 2 ** 26; // handle = generation * SLOT_BITS + slot; 67M concurrent events is far beyond any model
/** Dead (cancelled) events are swept out of the queue once there are more of them than this and than live ones. */
const MIN_DEAD_TO_COMPACT = 64;
/** Lanes of a simulator unless its constructor says otherwise (measured on the 1M-IOPS speed case). */
export const DEFAULT_LANES = 256;
/** `slotNext` of the last event of a chain; `slotLane` of an event in no lane. */
const NONE = -1;
/** Fibonacci hashing's multiplier, 2^32 / golden ratio. */
const HASH_MULTIPLIER = 0x9e3779b1 | 0;

/** Lifecycle of a run, as a discriminated union on `state`. */
export type RunState =
  { state: 'idle' } | { state: 'running'; until_ns: number } | { state: 'stopped'; at_ns: number; reason: 'until' | 'stop' | 'empty' };

export class Simulator {
  /** Current simulated time, nanoseconds. */
  now = 0;
  /** Events fired since construction. */
  eventsFired = 0;
  private lifecycle: RunState = { state: 'idle' };

  // Heap of chain heads (slots), each with its time and sequence copied beside it so comparisons touch
  // these arrays only. A head may be dead (cancelled: target null) until it comes first or is swept.
  private heapTime: Float64Array;
  private heapSlot: Int32Array;
  private heapSeq: Float64Array;
  private size = 0;
  /** Events queued (in the heap or behind a head), dead ones included. */
  private queued = 0;
  /** Cancelled events still queued. */
  private dead = 0;

  // Lanes: each the chain from a heap head through `slotNext` to `laneTail`, times non-decreasing.
  private readonly lanes: number;
  /** A delay's hash shifted right by this is its lane. */
  private readonly laneShift: number;
  /** Last event of each lane, or NONE when the lane is empty. */
  private readonly laneTail: Int32Array;
  /** The delay (rounded to a nanosecond) whose events each lane holds. */
  private readonly laneDelay: Int32Array;
  /** Time of each lane's last event, nanoseconds; -Infinity when the lane is empty. */
  private readonly laneTailTime: Float64Array;

  // Per-slot data.
  private slotTime: Float64Array;
  private slotSeq: Float64Array;
  private slotArg: Int32Array;
  private slotGen: Uint32Array;
  /** The next event of the slot's lane, or NONE. */
  private slotNext: Int32Array;
  /** The lane the slot is in, or NONE. */
  private slotLane: Int32Array;
  /** The target of a scheduled event; null for a free slot or a cancelled event. */
  private slotTarget: (EventHandler | null)[];
  private readonly freeSlots: FreeList;
  private capacity: number;
  private seq = 0;
  private stopRequested = false;

  /**
   * `initialCapacity`: events held before the arrays grow. `lanes`: lanes of the queue, 0 (a plain heap)
   * or a power of two from 2 to 1024; the firing order is the same for any number, only the speed differs.
   */
  constructor(initialCapacity = 1024, lanes = DEFAULT_LANES) {
    // A shift by 32 is a shift by 0 in JavaScript, so one lane (a shift by 32) is not offered.
    if (!(lanes === 0 || (Number.isInteger(Math.log2(lanes)) && lanes >= 2 && lanes <= 1024)))
      throw new RangeError(`Simulator: lanes ${lanes} is not 0 or a power of two from 2 to 1024`);
    this.capacity = initialCapacity;
    this.heapTime = new Float64Array(initialCapacity);
    this.heapSlot = new Int32Array(initialCapacity);
    this.heapSeq = new Float64Array(initialCapacity);
    this.slotTime = new Float64Array(initialCapacity);
    this.slotSeq = new Float64Array(initialCapacity);
    this.slotArg = new Int32Array(initialCapacity);
    this.slotGen = new Uint32Array(initialCapacity);
    this.slotNext = new Int32Array(initialCapacity);
    this.slotLane = new Int32Array(initialCapacity);
    this.slotTarget = new Array<EventHandler | null>(initialCapacity).fill(null);
    this.freeSlots = new FreeList(initialCapacity);
    this.lanes = lanes;
    this.laneShift = 32 - Math.log2(lanes);
    this.laneTail = new Int32Array(lanes).fill(NONE);
    this.laneDelay = new Int32Array(lanes);
    this.laneTailTime = new Float64Array(lanes).fill(-Infinity);
  }

  /** The run's lifecycle state. */
  get state(): RunState {
    return this.lifecycle;
  }

  /** Number of events waiting (cancelled ones not counted). */
  get pending(): number {
    return this.queued - this.dead;
  }

  /** Time of the next event in nanoseconds, or Infinity when none is waiting. */
  peek(): number {
    this.dropDeadTop();
    return this.size > 0 ? this.heapTime[0]! : Infinity;
  }

  /** Schedules `target.fire(arg)` at absolute time `at_ns` (never before `now`); `arg` is a 32-bit integer. */
  schedule(at_ns: number, target: EventHandler, arg: number): EventHandle {
    const slot = this.insert(at_ns, target, arg);
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
    this.insert(at_ns, target, arg);
  }

  /** `after` without a handle (see `post`). */
  postAfter(delay_ns: number, target: EventHandler, arg: number): void {
    this.insert(this.now + delay_ns, target, arg);
  }

  /** Cancels a scheduled event. Returns false when the handle has already fired or been cancelled. */
  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_BITS;
    const gen = (handle - slot) / SLOT_BITS;
    if (!(slot >= 0 && slot < this.capacity) || this.slotGen[slot] !== gen || this.slotTarget[slot] === null) return false;
    // The slot stays queued, dead, until it comes first; its generation moves on when it is freed.
    this.slotTarget[slot] = null;
    this.dead++;
    if (this.dead > MIN_DEAD_TO_COMPACT && this.dead > this.queued - this.dead) this.compact();
    return true;
  }

  /** Asks the running loop to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Fires events in order until the next one is after `until_ns` (the clock then stands at `until_ns`),
   * the queue is empty, or `stop()` is called. Returns the number of events fired.
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
      this.dequeueTop(slot);
      this.release(slot);
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

  /** Takes a slot for the event and queues it; returns the slot (a small integer: nothing to allocate). */
  private insert(at_ns: number, target: EventHandler, arg: number): number {
    if (!(at_ns >= this.now)) throw new RangeError(`schedule: time ${at_ns} ns is before now (${this.now} ns) or not a number`);
    if (this.freeSlots.count === 0) this.grow();
    const slot = this.freeSlots.take();
    this.slotTime[slot] = at_ns;
    this.slotSeq[slot] = this.seq++;
    this.slotArg[slot] = arg;
    this.slotTarget[slot] = target;
    this.slotNext[slot] = NONE;
    this.queued++;
    this.enqueue(at_ns, slot);
    return slot;
  }

  /**
   * Queues `slot` at `time`: at the end of its delay's lane when the lane's last event is not after
   * `time`, else as the head of a new chain in the heap (the lane's, unless there are no lanes).
   */
  private enqueue(time: number, slot: number): void {
    // The lane of the event's delay: events a same delay after a non-decreasing now come in time order.
    const delay = Math.round(time - this.now) | 0;
    const lane = this.lanes === 0 ? NONE : Math.imul(delay, HASH_MULTIPLIER) >>> this.laneShift;
    this.slotLane[slot] = lane;
    if (lane !== NONE) {
      const tail = this.laneTail[lane]!;
      // Only the lane's own delay joins it: another's event (a one-off, mostly) would be followed by
      // events far from it in time, and a chain's next event is cheap in the heap only when it is near.
      if (tail !== NONE && this.laneDelay[lane] === delay && this.laneTailTime[lane]! <= time) {
        this.slotNext[tail] = slot;
        this.laneTail[lane] = slot;
        this.laneTailTime[lane] = time;
        return;
      }
      // The lane starts a new chain here; an older one it held stays in the heap, without a lane.
      this.laneDelay[lane] = delay;
      this.laneTail[lane] = slot;
      this.laneTailTime[lane] = time;
    }
    this.siftUp(this.size++, time, slot);
  }

  /** Takes the heap's top, `slot`, out of the queue: its lane's next event takes its place in the heap, if any. */
  private dequeueTop(slot: number): void {
    this.queued--;
    const next = this.slotNext[slot]!;
    if (next !== NONE) {
      // In the top's place, sifted down from there: a lane's next event is near the front, seldom far down.
      this.siftDown(0, this.slotTime[next]!, next);
      return;
    }
    const lane = this.slotLane[slot]!;
    // The lane ends here unless it has moved on to a newer chain since.
    if (lane !== NONE && this.laneTail[lane] === slot) {
      this.laneTail[lane] = NONE;
      this.laneTailTime[lane] = -Infinity;
    }
    this.removeTop();
  }

  private release(slot: number): void {
    this.slotTarget[slot] = null;
    this.slotGen[slot] = (this.slotGen[slot]! + 1) >>> 0;
    this.freeSlots.give(slot);
  }

  /** Takes cancelled events off the front, so the first event is live (or the queue empty). */
  private dropDeadTop(): void {
    while (this.size > 0 && this.slotTarget[this.heapSlot[0]!] === null) {
      const slot = this.heapSlot[0]!;
      this.dequeueTop(slot);
      this.release(slot);
      this.dead--;
    }
  }

  /**
   * Sweeps every cancelled event out of the queue: the live ones go back into the heap on their own,
   * lanes emptied (the same order: keys are unique).
   */
  private compact(): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    const heapSeq = this.heapSeq;
    // Heads first, then the rest of each chain: the heap's arrays fill from the front while the
    // heads are read from the back of the same arrays, so the heads are copied aside first.
    const heads = heapSlot.slice(0, this.size);
    let kept = 0;
    for (const head of heads) {
      for (let slot = head; slot !== NONE;) {
        const next = this.slotNext[slot]!;
        if (this.slotTarget[slot] === null) this.release(slot);
        else {
          this.slotNext[slot] = NONE;
          this.slotLane[slot] = NONE;
          heapTime[kept] = this.slotTime[slot]!;
          heapSeq[kept] = this.slotSeq[slot]!;
          heapSlot[kept++] = slot;
        }
        slot = next;
      }
    }
    this.laneTail.fill(NONE);
    this.laneTailTime.fill(-Infinity);
    this.size = kept;
    this.queued = kept;
    this.dead = 0;
    for (let pos = (kept >> 1) - 1; pos >= 0; pos--) this.siftDown(pos, heapTime[pos]!, heapSlot[pos]!);
  }

  /**
   * Takes the top off the heap (Floyd's bottom-up way): the hole at the top goes down to a leaf along
   * the lesser children, one comparison per level, then the last element goes into it and up, which it
   * seldom does far (it came from the bottom). About half the comparisons of sifting the last element
   * down from the top; the same heap order.
   */
  private removeTop(): void {
    const size = --this.size;
    if (size === 0) return;
    this.siftUp(this.holeToLeaf(size), this.heapTime[size]!, this.heapSlot[size]!);
  }

  /**
   * Moves the hole at the top of a heap of `size` elements down to a leaf along the lesser children;
   * returns the leaf's position. The lesser child is picked without a branch on the times (which child
   * wins is a coin toss the CPU cannot predict): its index is the left one's plus 0 or 1.
   */
  private holeToLeaf(size: number): number {
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
    return pos;
  }

  /** Moves (time, slot) up from the hole at `pos` to its place: past every parent after it in (time, sequence). */
  private siftUp(pos: number, time: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    const heapSeq = this.heapSeq;
    const seq = this.slotSeq[slot]!;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const other = heapTime[parent]!;
      if (!(time < other || (time === other && seq < heapSeq[parent]!))) break;
      heapTime[pos] = other;
      heapSlot[pos] = heapSlot[parent]!;
      heapSeq[pos] = heapSeq[parent]!;
      pos = parent;
    }
    heapTime[pos] = time;
    heapSlot[pos] = slot;
    heapSeq[pos] = seq;
  }

  /** Moves (time, slot) down from the hole at `pos` to its place, along the lesser children (picked as in `holeToLeaf`). */
  private siftDown(pos: number, time: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    const heapSeq = this.heapSeq;
    const seq = this.slotSeq[slot]!;
    const size = this.size;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size) {
        const tr = heapTime[right]!;
        const tc = heapTime[child]!;
        child += Number(tr < tc) | Number(tr === tc && heapSeq[right]! < heapSeq[child]!);
      }
      const t = heapTime[child]!;
      if (!(t < time || (t === time && heapSeq[child]! < seq))) break;
      heapTime[pos] = t;
      heapSlot[pos] = heapSlot[child]!;
      heapSeq[pos] = heapSeq[child]!;
      pos = child;
    }
    heapTime[pos] = time;
    heapSlot[pos] = slot;
    heapSeq[pos] = seq;
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    this.heapTime = grown(this.heapTime, cap);
    this.heapSlot = grown(this.heapSlot, cap);
    this.heapSeq = grown(this.heapSeq, cap);
    this.slotTime = grown(this.slotTime, cap);
    this.slotSeq = grown(this.slotSeq, cap);
    this.slotNext = grown(this.slotNext, cap);
    this.slotLane = grown(this.slotLane, cap);
    this.slotArg = grown(this.slotArg, cap);
    this.slotGen = grown(this.slotGen, cap);
    for (let i = old; i < cap; i++) this.slotTarget.push(null);
    this.freeSlots.grow(old, cap);
    this.capacity = cap;
  }
}
