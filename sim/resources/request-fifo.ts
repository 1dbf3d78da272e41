/**
 * The one ring buffer of the simulation: integer ids (requests, dies), first in first out, optionally
 * with a time beside each id (`RequestFifo.timed`: the work reserved on a FIFO server, each entry with
 * when it is done), and a second time that orders equal times (`RequestFifo.tied`). Capacity is a power of
 * two so positions wrap with a mask; it doubles when full, and allocates nothing once grown.
 */
export class RequestFifo {
  private ids: Int32Array;
  /** Empty unless the ring is timed. */
  private times: Float64Array;
  /** Empty unless the ring is tied: per entry, what orders it among entries of equal time. */
  private ties: Float64Array;
  private mask: number;
  private head = 0;
  private count = 0;

  /** A ring of ids, with room for `initialCapacity` (rounded up to a power of two) before it grows. */
  constructor(initialCapacity = 64, timed = false, tied = false) {
    let n = 1;
    while (n < initialCapacity) n *= 2;
    this.ids = new Int32Array(n);
    this.times = new Float64Array(timed || tied ? n : 0);
    this.ties = new Float64Array(tied ? n : 0);
    this.mask = n - 1;
  }

  /** A ring of (id, time) pairs: `pushTimed` and `headTime`. */
  static timed(initialCapacity: number): RequestFifo {
    return new RequestFifo(initialCapacity, true);
  }

  /** A ring of (id, time, tie) triples kept in (time, tie) order: `insertTied` and `headTime`. */
  static tied(initialCapacity: number): RequestFifo {
    return new RequestFifo(initialCapacity, true, true);
  }

  /** Entries waiting. */
  get length(): number {
    return this.count;
  }

  /** Appends `id`. */
  push(id: number): void {
    if (this.count > this.mask) this.grow();
    this.ids[(this.head + this.count) & this.mask] = id;
    this.count++;
  }

  /** Appends `id`, done at `time_ns` (not before the last time pushed); timed rings only. */
  pushTimed(id: number, time_ns: number): void {
    if (this.count > this.mask) this.grow();
    const i = (this.head + this.count) & this.mask;
    this.ids[i] = id;
    this.times[i] = time_ns;
    this.count++;
  }

  /**
   * Puts `id` in time order (timed rings kept in time order): after every entry whose time is not after
   * `time_ns`, so equal times keep the order they came in. Returns its place, 0 when it is now the head.
   * Entries mostly come in order, so the scan from the tail seldom goes far.
   */
  insertTimed(id: number, time_ns: number): number {
    if (this.count > this.mask) this.grow();
    const mask = this.mask;
    let place = this.count;
    while (place > 0 && this.times[(this.head + place - 1) & mask]! > time_ns) {
      const from = (this.head + place - 1) & mask;
      const to = (this.head + place) & mask;
      this.ids[to] = this.ids[from]!;
      this.times[to] = this.times[from]!;
      place--;
    }
    const i = (this.head + place) & mask;
    this.ids[i] = id;
    this.times[i] = time_ns;
    this.count++;
    return place;
  }

  /**
   * Puts `id` in (time, tie) order (tied rings): after every entry whose time is before `time_ns`, or equal
   * with a tie not after `tie_ns`, so equal pairs keep the order they came in.
   */
  insertTied(id: number, time_ns: number, tie_ns: number): void {
    if (this.count > this.mask) this.grow();
    const mask = this.mask;
    let place = this.count;
    for (; place > 0; place--) {
      const from = (this.head + place - 1) & mask;
      const t = this.times[from]!;
      if (t < time_ns || (t === time_ns && this.ties[from]! <= tie_ns)) break;
      const to = (this.head + place) & mask;
      this.ids[to] = this.ids[from]!;
      this.times[to] = t;
      this.ties[to] = this.ties[from]!;
    }
    const i = (this.head + place) & mask;
    this.ids[i] = id;
    this.times[i] = time_ns;
    this.ties[i] = tie_ns;
    this.count++;
  }

  /** Time of the oldest entry, ns (timed rings, when not empty). */
  headTime(): number {
    return this.times[this.head]!;
  }

  /** The oldest id, left in place; -1 when empty. */
  peek(): number {
    return this.count === 0 ? -1 : this.ids[this.head]!;
  }

  /** Removes and returns the oldest id; -1 when empty. */
  shift(): number {
    if (this.count === 0) return -1;
    const id = this.ids[this.head]!;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    return id;
  }

  private grow(): void {
    const n = this.ids.length;
    const ids = new Int32Array(n * 2);
    const timed = this.times.length > 0;
    const tied = this.ties.length > 0;
    const times = new Float64Array(timed ? n * 2 : 0);
    const ties = new Float64Array(tied ? n * 2 : 0);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & this.mask;
      ids[k] = this.ids[i]!;
      if (timed) times[k] = this.times[i]!;
      if (tied) ties[k] = this.ties[i]!;
    }
    this.ids = ids;
    this.times = times;
    this.ties = ties;
    this.mask = n * 2 - 1;
    this.head = 0;
  }
}
