/**
 * The DRAM write buffer and its flusher. A write reserves buffer space before its data crosses PCIe and
 * is acknowledged once the data is in the buffer; the space is given back when the program unit holding
 * that data has been programmed. When the buffer is full, writes wait (backpressure), so sustained write
 * throughput is what the media can program, including garbage collection.
 *
 * The flusher keeps at most one background operation per die, taking dies in the order they became idle
 * (round robin while all are busy), so a host read waits behind at most one program or GC copy (plus an
 * erase) on its die, less when programs are suspended for reads. Each operation is one event when it
 * ends, plus one more each time reads have pushed its end later. Whole program units are flushed; a
 * partial unit is flushed only when writes are waiting for space and nothing else would free any.
 *
 * Garbage collection in steady state (garbage-collection.ts): each flushed byte of random data owes
 * (WA - 1) bytes of GC copies, paid in program units on the dies ahead of further host data; sequential
 * data owes none.
 */
import type { EventHandler, Simulator } from '../../core/kernel.js';
import { RequestFifo } from '../../resources/request-fifo.js';
import type { NandBackend } from './nand-backend.js';
import type { NvmeConfig } from './params.js';
import { flashAgeOf, type FlashAge } from './flash-age.js';

/** What the buffer tells the device about. */
export interface WriteBufferOwner {
  /** Space was given back; writes waiting for it may go on. */
  bufferSpaceFreed(): void;
  /** Are writes waiting for buffer space? */
  writesWaiting(): boolean;
}

export class WriteBuffer implements EventHandler {
  /** Bytes reserved: writes in transfer, buffered data not yet programmed. */
  used = 0;
  /** Buffered bytes not yet handed to the media. */
  dirty = 0;
  /** Of `dirty`, bytes written randomly (they bring GC work when flushed). */
  private randomDirty = 0;
  /** GC copy work owed, bytes. */
  gcDebt = 0;
  /** Host programs in flight. */
  private hostInFlight = 0;
  private readonly capacity: number;
  private readonly unit: number;
  /** The drive's cleaning state; absent without garbage collection (no copies ever owed). */
  private readonly age: FlashAge | undefined;
  /** Dies without a background operation, in the order they became idle. */
  private readonly idle: RequestFifo;
  /** Buffer bytes each die's current operation gives back when it ends (0 for a GC copy). */
  private readonly releases: Float64Array;

  constructor(
    cfg: NvmeConfig,
    private readonly backend: NandBackend,
    private readonly sim: Simulator,
    private readonly owner: WriteBufferOwner,
  ) {
    this.capacity = cfg.buffer_bytes;
    this.unit = cfg.programUnit_bytes;
    this.age = cfg.gc === 'lrw' && cfg.randomWriteAmplification > 1 ? flashAgeOf(cfg) : undefined;
    this.idle = new RequestFifo(cfg.dies);
    for (let d = 0; d < cfg.dies; d++) this.idle.push(d);
    this.releases = new Float64Array(cfg.dies);
  }

  /** Takes `size` bytes of buffer space if there is room (a write larger than the buffer goes in alone). */
  tryReserve(size: number): boolean {
    if (this.used + size > this.capacity && this.used > 0) return false;
    this.used += size;
    return true;
  }

  /** A write's data is in the buffer. */
  landed(size: number, random: boolean): void {
    this.dirty += size;
    if (random) this.randomDirty += size;
    this.kick();
  }

  /** The host deallocated `size` bytes (a trim): their pages need no copying when their blocks are cleaned. */
  trimmed(size: number): void {
    this.age?.invalidated(size);
  }

  /** Random-write amplification now (1 without GC), for tests and reports. */
  writeAmplification(): number {
    return this.age ? this.age.writeAmplification() : 1;
  }

  /** A background operation was due to end on die `die` (reads may have pushed it later). */
  fire(die: number): void {
    if (!this.backend.finishBackground(die, this.sim.now)) {
      this.sim.post(this.backend.bgEnd[die]!, this, die);
      return;
    }
    const freed = this.releases[die]!;
    if (freed > 0) {
      this.used -= freed;
      this.hostInFlight--;
    }
    this.idle.push(die);
    this.kick();
    if (freed > 0) this.owner.bufferSpaceFreed();
  }

  /** Starts background operations on idle dies while there is work: GC owed first, then full units of data. */
  private kick(): void {
    while (this.idle.length > 0) {
      if (this.gcDebt >= this.unit) {
        this.gcDebt -= this.unit;
        this.age?.programmed(this.unit);
        this.start(this.idle.shift(), 0);
      } else if (this.dirty >= this.unit) {
        this.flushHost(this.unit);
      } else if (this.dirty > 0 && this.hostInFlight === 0 && this.owner.writesWaiting()) {
        this.flushHost(this.dirty);
      } else {
        return;
      }
    }
  }

  private flushHost(bytes: number): void {
    const random = (this.randomDirty * bytes) / this.dirty;
    this.dirty -= bytes;
    // Keep 0 <= randomDirty <= dirty against rounding.
    const left = this.randomDirty - random;
    this.randomDirty = left < 0 ? 0 : left > this.dirty ? this.dirty : left;
    if (this.age) {
      // The old copies of these blocks become invalid as the new ones are programmed (not as they land in
      // the buffer, which a small drive would otherwise see as a burst of invalidations).
      this.age.invalidated(bytes);
      this.gcDebt += random * this.age.copiesPerRandomByte();
      this.age.programmed(bytes);
    }
    this.hostInFlight++;
    this.start(this.idle.shift(), bytes);
  }

  private start(die: number, hostBytes: number): void {
    const now = this.sim.now;
    this.releases[die] = hostBytes;
    const end = hostBytes > 0 ? this.backend.programHost(now, die) : this.backend.programGcCopy(now, die);
    this.sim.post(end, this, die);
  }
}
