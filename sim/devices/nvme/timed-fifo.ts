/**
 * A FIFO of (request id, time) pairs whose times never decrease: the work reserved on one FIFO server
 * (a controller core, a die), each with the time it will be done. The owner keeps one kernel event for
 * the head only and schedules the next when it fires, so the event heap holds one entry per busy server
 * rather than one per waiting request. A growable ring; no allocation once grown.
 */
export class TimedFifo {
  private ids: Int32Array;
  private times: Float64Array;
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 16) {
    let n = 1;
    while (n < initialCapacity) n *= 2; // a power of two, so positions wrap with a mask
    this.ids = new Int32Array(n);
    this.times = new Float64Array(n);
  }

  get length(): number {
    return this.count;
  }

  /** Appends `id`, done at `time` (not before the last time pushed). */
  push(id: number, time: number): void {
    if (this.count === this.ids.length) this.grow();
    const i = (this.head + this.count) & (this.ids.length - 1);
    this.ids[i] = id;
    this.times[i] = time;
    this.count++;
  }

  /** Time of the oldest entry (call only when not empty). */
  headTime(): number {
    return this.times[this.head]!;
  }

  /** Removes the oldest entry and returns its id; -1 when empty. */
  shift(): number {
    if (this.count === 0) return -1;
    const id = this.ids[this.head]!;
    this.head = (this.head + 1) & (this.ids.length - 1);
    this.count--;
    return id;
  }

  private grow(): void {
    const n = this.ids.length;
    const ids = new Int32Array(n * 2);
    const times = new Float64Array(n * 2);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & (n - 1);
      ids[k] = this.ids[i]!;
      times[k] = this.times[i]!;
    }
    this.ids = ids;
    this.times = times;
    this.head = 0;
  }
}
