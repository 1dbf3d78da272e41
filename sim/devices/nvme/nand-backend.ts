/**
 * The media behind the controller: channels x dies, kept as next-free times (FEMU's bookkeeping) rather
 * than queues of events. Every reservation is made at the simulated instant the work reaches the
 * resource, never ahead of time, so a next-free time is exactly a FIFO queue: a read reserves its dies
 * when the controller hands it over, and its channel transfers when the last of its array reads has
 * finished (an event), so a slow die on one read never holds a channel another read's data waits for.
 *
 * Addresses map to dies by striping page-sized units: page p = floor(offset / page) lives on die
 * p mod dies, whose channel is die mod channels. A 128 KiB read of 16 KiB pages touches eight dies on
 * eight channels and completes when all its pieces have arrived.
 *
 * Writes reach the media as program units from the write buffer (write-buffer.ts), log-structured: the
 * buffer chooses the die and keeps at most one background operation on each. A program moves its data
 * over the channel into the die's cache register, then occupies the die for tPROG; a garbage-collection
 * copy reads a unit's worth of valid pages on the die (multi-plane reads), moves them through the
 * controller (ECC) and programs them; every `unitsPerBlock` programs on a die are followed by a block
 * erase on that die. Host reads have priority over background work that has not started; a program under
 * way is suspended for them when the profile gives a suspend latency (as enterprise firmware does, and
 * MQSim models), and erases are never suspended, so an erase of several milliseconds shows in the read
 * tail. The background operation's end moves later by the time reads took from it.
 */
import type { NvmeConfig } from './params.js';

export class NandBackend {
  /** When each die finishes the host reads reserved on it, ns. */
  readonly readFree: Float64Array;
  /** 1 while a die has a background operation (program, GC copy, erase) pending or running. */
  readonly bgBusy: Uint8Array;
  /** When the die's background operation starts, ends its program phase and ends (after any erase), ns. */
  readonly bgStart: Float64Array;
  readonly bgProgramEnd: Float64Array;
  readonly bgEnd: Float64Array;
  /** When each channel finishes the transfers reserved on it, ns. */
  readonly chFree: Float64Array;
  /** Program units written on each die since its last erase. */
  private readonly unitsOnDie: Float64Array;
  private readonly dies: number;
  private readonly channels: number;
  private readonly page: number;
  private readonly readTypes: Float64Array;
  private readonly suspend_ns: number;
  private readonly channelNsPerByte: number;
  private readonly programXfer_ns: number;
  private readonly program_ns: number;
  private readonly gcCopyArray_ns: number;
  private readonly erase_ns: number;
  private readonly unitsPerBlock: number;

  /** Array reads, programs (host and GC), erases and program suspensions so far, for tests and reports. */
  readonly counts = { reads: 0, hostPrograms: 0, gcPrograms: 0, erases: 0, suspensions: 0 };

  constructor(cfg: NvmeConfig) {
    this.dies = cfg.dies;
    this.channels = cfg.channels;
    this.page = cfg.page_bytes;
    this.readTypes = Float64Array.from(cfg.readByPageType_ns);
    this.suspend_ns = cfg.programSuspend_ns;
    this.channelNsPerByte = 1e9 / cfg.channel_bytes_per_s;
    this.programXfer_ns = cfg.programUnit_bytes * this.channelNsPerByte;
    this.program_ns = cfg.program_ns;
    // A GC copy of one program unit reads its pages plane-parallel: pages_per_program multi-plane reads.
    this.gcCopyArray_ns = cfg.pagesPerProgram * cfg.read_ns;
    this.erase_ns = cfg.erase_ns;
    this.unitsPerBlock = cfg.unitsPerBlock;
    this.readFree = new Float64Array(cfg.dies);
    this.bgBusy = new Uint8Array(cfg.dies);
    this.bgStart = new Float64Array(cfg.dies);
    this.bgProgramEnd = new Float64Array(cfg.dies);
    this.bgEnd = new Float64Array(cfg.dies);
    this.chFree = new Float64Array(cfg.channels);
    // Steady state: the dies are at different points of filling their current block, so their erases
    // are spread out in time rather than all falling due together.
    this.unitsOnDie = new Float64Array(cfg.dies);
    if (Number.isFinite(this.unitsPerBlock)) {
      for (let d = 0; d < cfg.dies; d++) this.unitsOnDie[d] = Math.floor((d * this.unitsPerBlock) / cfg.dies);
    }
  }

  /** Page index of a byte offset. */
  pageOf(offset: number): number {
    return Math.floor(offset / this.page);
  }

  /** Die holding page `page`. */
  dieOf(page: number): number {
    return page % this.dies;
  }

  /**
   * Reserves the array read of page `page` on its die, arriving at `now`; returns when it ends, ns. The
   * read time depends on the page's type (LSB, CSB, MSB...), which cycles over a die's pages. Host reads go
   * before background work that has not started. A program (or GC copy) under way is suspended for the
   * read after the suspend latency when the profile allows it, and lasts that much longer; otherwise,
   * and always during an erase, the read waits for the operation to end.
   */
  reserveDieRead(now: number, page: number): number {
    const dies = this.dies;
    const die = page % dies;
    const types = this.readTypes;
    const read_ns = types.length === 1 ? types[0]! : types[Math.floor(page / dies) % types.length]!;
    const readFree = this.readFree[die]!;
    const ready = readFree > now ? readFree : now;
    let start = ready;
    if (this.bgBusy[die] === 1 && this.bgEnd[die]! > ready) {
      const bgStart = this.bgStart[die]!;
      const programEnd = this.bgProgramEnd[die]!;
      if (ready < bgStart) {
        // Not started: the read goes first and the operation starts after it.
        const overlap = ready + read_ns - bgStart;
        if (overlap > 0) this.delayBackground(die, overlap);
      } else if (this.suspend_ns >= 0 && ready + this.suspend_ns < programEnd) {
        // Program under way: suspend it (unless reads already hold it suspended), read, resume.
        if (!(readFree > now && readFree > bgStart)) {
          start = ready + this.suspend_ns;
          this.counts.suspensions++;
        }
        this.delayBackground(die, start + read_ns - ready);
      } else {
        start = this.bgEnd[die]!;
      }
    }
    const done = start + read_ns;
    this.readFree[die] = done;
    this.counts.reads++;
    return done;
  }

  /** Reserves an array read on every die the range touches; returns when the last one ends, ns. */
  reserveRead(now: number, offset: number, size: number): number {
    const page = this.page;
    const first = Math.floor(offset / page);
    const last = Math.floor((offset + size - 1) / page);
    let end = now;
    for (let p = first; p <= last; p++) {
      const done = this.reserveDieRead(now, p);
      if (done > end) end = done;
    }
    return end;
  }

  /** Reserves the transfer of `bytes` read on die `die` over its channel; returns when it ends, ns. */
  transferPiece(now: number, die: number, bytes: number): number {
    return this.reserveChannel(die % this.channels, now, bytes * this.channelNsPerByte);
  }

  /** Reserves the channel transfers of a read's pieces (only the bytes asked for); returns when the last ends, ns. */
  transferRead(now: number, offset: number, size: number): number {
    const page = this.page;
    const endByte = offset + size;
    const first = Math.floor(offset / page);
    const last = Math.floor((endByte - 1) / page);
    let end = now;
    for (let p = first; p <= last; p++) {
      const lo = p * page > offset ? p * page : offset;
      const hi = (p + 1) * page < endByte ? (p + 1) * page : endByte;
      const done = this.reserveChannel((p % this.dies) % this.channels, now, (hi - lo) * this.channelNsPerByte);
      if (done > end) end = done;
    }
    return end;
  }

  /**
   * A host program unit on `die` (which has no background operation): channel transfer in, then tPROG,
   * then an erase when a block is full. Returns its planned end, ns; reads may push it later (`bgEnd`).
   */
  programHost(now: number, die: number): number {
    const loaded = this.reserveChannel(die % this.channels, now, this.programXfer_ns);
    this.counts.hostPrograms++;
    return this.startBackground(die, loaded, this.program_ns);
  }

  /**
   * A garbage-collection copy of one program unit on `die`: its array reads and program occupy the die
   * back to back; the data's round trip through the controller is charged to the channel. Returns its
   * planned end, ns.
   */
  programGcCopy(now: number, die: number): number {
    this.reserveChannel(die % this.channels, now, 2 * this.programXfer_ns);
    this.counts.gcPrograms++;
    return this.startBackground(die, now, this.gcCopyArray_ns + this.program_ns);
  }

  /** Called when the die's background operation was due to end at `now`: true when it has, false when reads pushed it later (see `bgEnd`). */
  finishBackground(die: number, now: number): boolean {
    if (this.bgEnd[die]! > now) return false;
    this.bgBusy[die] = 0;
    return true;
  }

  /** Reserves channel `ch` for `duration_ns` from when it is free (not before `now`); returns when the transfer ends, ns. */
  private reserveChannel(ch: number, now: number, duration_ns: number): number {
    const free = this.chFree[ch]!;
    const done = (free > now ? free : now) + duration_ns;
    this.chFree[ch] = done;
    return done;
  }

  private startBackground(die: number, ready: number, programPart_ns: number): number {
    const readFree = this.readFree[die]!;
    const start = readFree > ready ? readFree : ready;
    const programEnd = start + programPart_ns;
    this.bgBusy[die] = 1;
    this.bgStart[die] = start;
    this.bgProgramEnd[die] = programEnd;
    const end = programEnd + this.eraseDue(die);
    this.bgEnd[die] = end;
    return end;
  }

  private delayBackground(die: number, by: number): void {
    this.bgStart[die]! += by;
    this.bgProgramEnd[die]! += by;
    this.bgEnd[die]! += by;
  }

  /** Counts a program on `die` and returns the erase time it brings (a block's worth of units since the last erase). */
  private eraseDue(die: number): number {
    const units = this.unitsOnDie[die]! + 1;
    if (units >= this.unitsPerBlock) {
      this.unitsOnDie[die] = 0;
      this.counts.erases++;
      return this.erase_ns;
    }
    this.unitsOnDie[die] = units;
    return 0;
  }
}
