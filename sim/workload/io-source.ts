/**
 * What a job's next I/O is (direction, offset, size) for a job with fio's shaping options: block-size
 * mixes, skewed random offsets, sequential gaps (rw=read:-8k), strided zones, io_size/loops and
 * number_ios, and verify (a read-back pass after the writes, or after every verify_backlog writes).
 * The job generator asks it for each I/O and handles the timing; plain jobs do not use it. Nothing is
 * allocated per I/O.
 */
import type { RandomStream } from '../core/random.js';
import { OP_READ, OP_TRIM, OP_WRITE, type Op } from '../io/requests.js';
import { OffsetDraw, SizeMix } from './io-shape.js';
import type { WorkloadSpec } from './spec.js';

/** Most writes a verify backlog holds (its ring is allocated once per job). */
export const MAX_VERIFY_BACKLOG = 65536;

export class IoSource {
  /** The I/O `next` picked. */
  op: Op = OP_READ;
  offset_bytes = 0;
  size_bytes = 0;

  private readonly fixedOp: number;
  private readonly readMix: SizeMix | null;
  private readonly writeMix: SizeMix | null;
  private readonly offsetDraw: OffsetDraw | null;
  private readonly random: boolean;
  private readonly seqGap: number;
  private nextSequential: number;
  /** Strided zones: bytes done in the current zone, and the zone's size and the skip after it (0: none). */
  private zoneDone = 0;
  private readonly zoneSize: number;
  private readonly zoneSkip: number;
  /** The job's own bytes and I/Os so far (verify reads not counted in bytes, as in fio), and its limits. */
  private jobBytes = 0;
  private writtenBytes = 0;
  private ios = 0;
  private readonly ioLimit: number;
  private readonly maxIos: number;
  /** Final verify pass: bytes still to read back (-1 before it starts). */
  private verifyLeft = -1;
  private verifyNext = 0;
  /** verify_backlog: offsets and sizes of writes not yet read back, and how many are being replayed. */
  private readonly backlogOffsets: Float64Array | null;
  private readonly backlogSizes: Float64Array | null;
  private backlogCount = 0;
  private replay = 0;
  private replaying = false;
  /** fio's trim modes: every I/O a trim, or trim then write each block (`writeAfterTrim`: the write is next). */
  private readonly trimOnly: boolean;
  private readonly trimThenWrite: boolean;
  private writeAfterTrim = false;
  /** fio's num_range: block-size ranges per trim command. */
  private readonly trimRanges: number;
  /** A trim's own size (one range), bytes; 0: the write size. */
  private readonly trimSize: number;

  constructor(
    private readonly spec: WorkloadSpec,
    private readonly stream: RandomStream,
    private readonly regionStart: number,
    private readonly regionBytes: number,
  ) {
    this.fixedOp = spec.readFraction >= 1 ? OP_READ : spec.readFraction <= 0 ? OP_WRITE : -1;
    this.trimOnly = spec.trimMode === 'trim';
    this.trimThenWrite = spec.trimMode === 'trimwrite';
    this.trimRanges = spec.trimRanges ?? 1;
    this.trimSize = spec.trimBlockSize_bytes ?? 0;
    const mix = (shares: WorkloadSpec['bsSplit'], read: boolean) => {
      if (shares === undefined) return null;
      const m = new SizeMix(read ? shares.read : shares.write);
      return m.fixed ? null : m;
    };
    this.readMix = mix(spec.bsSplit, true);
    this.writeMix = mix(spec.bsSplit, false);
    this.random = spec.pattern === 'random';
    this.offsetDraw = spec.distribution !== undefined && this.random ? new OffsetDraw(spec.distribution) : null;
    this.seqGap = spec.seqGap_bytes ?? 0;
    this.nextSequential = regionStart;
    this.zoneSize = spec.stride?.zone_bytes ?? 0;
    this.zoneSkip = spec.stride?.skip_bytes ?? 0;
    this.ioLimit = spec.timeBased ? Infinity : (spec.ioLimit_bytes ?? regionBytes);
    this.maxIos = spec.maxIos !== undefined && spec.maxIos > 0 ? spec.maxIos : Infinity;
    const backlog = spec.verify === true && spec.verifyBacklog !== undefined ? Math.min(spec.verifyBacklog, MAX_VERIFY_BACKLOG) : 0;
    this.backlogOffsets = backlog > 0 ? new Float64Array(backlog) : null;
    this.backlogSizes = backlog > 0 ? new Float64Array(backlog) : null;
  }

  /** Picks the next I/O into `op`, `offset_bytes`, `size_bytes`; false when it is the job's last. */
  next(): boolean {
    if (this.replaying) return this.replayOne();
    if (this.verifyLeft >= 0) return this.verifyOne();
    if (this.writeAfterTrim) return this.writeTrimmed();
    const spec = this.spec;
    const op: Op =
      this.trimOnly || this.trimThenWrite
        ? OP_TRIM
        : this.fixedOp >= 0
          ? (this.fixedOp as Op)
          : this.stream.next() < spec.readFraction
            ? OP_READ
            : OP_WRITE;
    // Trims take the write block size (and mix) unless fio's bs gave them their own (its third value).
    const ownTrimSize = op === OP_TRIM && this.trimSize > 0;
    const mix = op === OP_READ ? this.readMix : ownTrimSize ? null : this.writeMix;
    const pickedBs =
      mix !== null
        ? mix.pick(this.stream.next())
        : op === OP_READ
          ? spec.blockSize_bytes.read
          : ownTrimSize
            ? this.trimSize
            : spec.blockSize_bytes.write;
    const bs = op === OP_TRIM ? pickedBs * this.trimRanges : pickedBs;
    this.op = op;
    this.size_bytes = bs;
    this.offset_bytes = this.random ? this.randomOffset(bs, mix) : this.sequentialOffset(bs);
    if (this.trimThenWrite) {
      // fio's trimwrite: the same block is written next; io_size counts the trims (and as much is written).
      this.writeAfterTrim = true;
      return true;
    }
    return this.counted(op, bs);
  }

  /**
   * trimwrite: write the block just trimmed, at its offset and length as fio's randtrimwrite does (io_u.c);
   * the pair counts once towards io_size and number_ios.
   */
  private writeTrimmed(): boolean {
    this.writeAfterTrim = false;
    this.op = OP_WRITE;
    return this.counted(OP_WRITE, this.size_bytes);
  }

  /** Counts the I/O just picked towards the job's limits; false when it is the job's last. */
  private counted(op: Op, bs: number): boolean {
    const spec = this.spec;
    this.jobBytes += bs;
    if (op === OP_WRITE) this.writtenBytes += bs;
    if (op === OP_WRITE && this.backlogOffsets !== null) {
      this.backlogOffsets[this.backlogCount] = this.offset_bytes;
      this.backlogSizes![this.backlogCount++] = bs;
      if (this.backlogCount === this.backlogOffsets.length) this.replaying = true; // fio: verify these N blocks now
    }
    if (++this.ios >= this.maxIos) return false;
    if (this.jobBytes < this.ioLimit) return true;
    if (spec.verify !== true) return false;
    if (this.backlogOffsets !== null) {
      // With a backlog, what is left in it is read back at the end; then the job is done.
      if (this.backlogCount === 0) return false;
      this.replaying = true;
      this.verifyLeft = 0; // marks the end: no pass after the replay
      return true;
    }
    if (this.writtenBytes === 0) return false;
    this.verifyLeft = this.writtenBytes; // what was written is read back (a mix's reads are not)
    this.verifyNext = this.regionStart;
    return true;
  }

  private randomOffset(bs: number, mix: SizeMix | null): number {
    // A mix aligns offsets to its smallest size, and the block must fit in the region.
    const align = mix !== null ? mix.min_bytes : bs;
    const slots = Math.max(1, Math.floor((this.regionBytes - bs) / align) + 1);
    const slot = this.offsetDraw !== null ? this.offsetDraw.block(slots, this.stream) : this.stream.below(slots);
    return this.regionStart + slot * align;
  }

  private sequentialOffset(bs: number): number {
    const end = this.regionStart + this.regionBytes;
    if (this.zoneSize > 0 && this.zoneDone >= this.zoneSize) {
      // fio's zonemode=strided: after zonesize bytes, skip zoneskip bytes.
      this.nextSequential += this.zoneSkip;
      this.zoneDone = 0;
    }
    if (this.nextSequential + bs > end) this.nextSequential = this.regionStart;
    else if (this.nextSequential < this.regionStart) this.nextSequential = Math.max(this.regionStart, end - bs); // backwards: wrap to the end
    const offset = this.nextSequential;
    this.nextSequential += bs + this.seqGap;
    this.zoneDone += bs;
    return offset;
  }

  /** verify_backlog: read back the next write of the backlog. */
  private replayOne(): boolean {
    this.op = OP_READ;
    this.offset_bytes = this.backlogOffsets![this.replay]!;
    this.size_bytes = this.backlogSizes![this.replay++]!;
    if (this.replay < this.backlogCount) return true;
    this.replaying = false;
    this.replay = 0;
    this.backlogCount = 0;
    return this.verifyLeft < 0; // the replay at the end was the job's last I/O
  }

  /** The final verify pass: what was written is read back sequentially from the region's start. */
  private verifyOne(): boolean {
    const bs = this.spec.blockSize_bytes.write;
    const end = this.regionStart + this.regionBytes;
    if (this.verifyNext + bs > end) this.verifyNext = this.regionStart;
    this.op = OP_READ;
    this.offset_bytes = this.verifyNext;
    this.size_bytes = bs;
    this.verifyNext += bs;
    this.verifyLeft -= bs;
    return this.verifyLeft > 0;
  }
}
