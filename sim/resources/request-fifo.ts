/** A growable ring buffer of request ids, first in first out; no allocation once grown. */
export class RequestFifo {
  private items: Int32Array;
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 64) {
    this.items = new Int32Array(initialCapacity);
  }

  /** Requests waiting. */
  get length(): number {
    return this.count;
  }

  push(req: number): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = req;
    this.count++;
  }

  /** Removes and returns the oldest request; -1 when empty. */
  shift(): number {
    if (this.count === 0) return -1;
    const req = this.items[this.head]!;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return req;
  }

  private grow(): void {
    const next = new Int32Array(this.items.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) % this.items.length]!;
    this.items = next;
    this.head = 0;
  }
}
