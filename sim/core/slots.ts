/**
 * Rows of typed arrays recycled through a free list: the storage of the kernel's events and of the
 * request pool. `grown` copies a column into a larger array; `FreeList` hands out free row numbers.
 */

type Column = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** A copy of `column` with room for `capacity` rows; the new rows hold `fill`. */
export function grown<T extends Column>(column: T, capacity: number, fill = 0): T {
  const next = new (column.constructor as new (length: number) => T)(capacity);
  if (fill !== 0) next.fill(fill, column.length);
  next.set(column);
  return next;
}

/** Free row numbers as a stack: the lowest first on a fresh list, then the last given back first. */
export class FreeList {
  private rows: Int32Array;
  /** Rows free. */
  count: number;

  constructor(capacity: number) {
    this.rows = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.rows[i] = capacity - 1 - i;
    this.count = capacity;
  }

  /** Takes a free row (call only when `count > 0`). */
  take(): number {
    return this.rows[--this.count]!;
  }

  /** Gives a row back. */
  give(row: number): void {
    this.rows[this.count++] = row;
  }

  /** Adds rows `from` .. `capacity - 1` (the owner grew from `from` rows), the lowest to be taken first. */
  grow(from: number, capacity: number): void {
    const rows = new Int32Array(capacity);
    rows.set(this.rows.subarray(0, this.count));
    for (let i = capacity - 1; i >= from; i--) rows[this.count++] = i;
    this.rows = rows;
  }
}
