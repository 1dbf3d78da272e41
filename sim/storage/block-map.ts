/**
 * What a mirrored volume's blocks hold, to prove that no acknowledged write is lost. Every write takes
 * a version (the volume's write sequence number); per block the map keeps the newest version
 * acknowledged to the application and, per plex, the newest version that plex holds. A plex that misses
 * a write (offline, or it left while the write was in flight) gets the block's dirty bit: resync copies
 * exactly those blocks. After a snapshot, each block remembers whether its first write paid the copy.
 * Memory is bounded by the block count: 4 bytes per block for the acknowledged version, 5 per block and
 * plex (version, dirty byte), 4 more after the first snapshot.
 */

/** The most blocks one volume's map tracks; a larger volume takes a larger `block_bytes`. */
export const MAX_BLOCKS = 1 << 24;

/** A block that was acknowledged but that no in-sync plex can give back (the loud failure). */
export interface LostBlock {
  readonly block: number;
  /** Version the application was told is written. */
  readonly acknowledged: number;
  /** The newest version any in-sync plex holds of it (0: none). */
  readonly bestInSync: number;
}

export class BlockMap {
  /**
   * Per block, side by side: the newest acknowledged write version (0: never written), then per plex the
   * newest version the plex holds. One I/O reads and writes one block's versions, so they share a cache
   * line: a volume's map is megabytes, touched at random, and three arrays cost three cache misses.
   */
  private readonly versions: Uint32Array;
  /** Versions per block: the acknowledged one and one per plex. */
  private readonly stride: number;
  /** Plexes of the volume. */
  readonly plexes: number;
  /** Per plex, per block, 1 when the plex missed a write to it. */
  readonly dirty: Uint8Array[];
  /** Per plex, how many blocks are dirty. */
  readonly dirtyCount: number[];
  /** Per block, the snapshot generation whose copy-on-write it paid (allocated at the first snapshot). */
  private copiedFor: Uint32Array | null = null;
  /** Snapshots taken (the current generation; 0: none). */
  snapshotGeneration = 0;
  /** Blocks copied on their first write after a snapshot. */
  copiesOnWrite = 0;
  private writeSequence = 0;
  /** Writes acknowledged so far (0: every block's acknowledged version is still 0). */
  private acknowledgedWrites = 0;

  /**
   * @param blocks blocks in the volume
   * @param block_bytes bytes per block (the unit of versions, dirty bits and copy-on-write)
   * @param plexes plexes of the volume
   */
  constructor(
    readonly blocks: number,
    readonly block_bytes: number,
    plexes: number,
  ) {
    if (!Number.isInteger(blocks) || blocks < 1 || blocks > MAX_BLOCKS) {
      throw new RangeError(
        `a volume's block map holds 1 to ${MAX_BLOCKS} blocks, not ${blocks}; give a larger block_bytes (the volume's chunk size)`,
      );
    }
    this.plexes = plexes;
    this.stride = plexes + 1;
    this.versions = new Uint32Array(blocks * this.stride);
    this.dirty = [];
    this.dirtyCount = [];
    for (let p = 0; p < plexes; p++) {
      this.dirty.push(new Uint8Array(blocks));
      this.dirtyCount.push(0);
    }
  }

  /** The newest version plex `plex` holds of `block` (0: none). */
  heldVersion(plex: number, block: number): number {
    return this.versions[block * this.stride + 1 + plex]!;
  }

  /** The newest acknowledged version of `block` (0: never written). */
  acknowledgedVersion(block: number): number {
    return this.versions[block * this.stride]!;
  }

  /** Every block's acknowledged version, a copy (for tests and reports; never on the hot path). */
  get acknowledged(): Uint32Array {
    const out = new Uint32Array(this.blocks);
    for (let b = 0; b < this.blocks; b++) out[b] = this.versions[b * this.stride]!;
    return out;
  }

  /** First block a byte range touches. */
  firstBlock(offset_bytes: number): number {
    return Math.floor(offset_bytes / this.block_bytes);
  }

  /** Last block a byte range touches. */
  lastBlock(offset_bytes: number, size_bytes: number): number {
    return Math.floor((offset_bytes + Math.max(size_bytes, 1) - 1) / this.block_bytes);
  }

  /** A new write's version. */
  nextVersion(): number {
    // Versions are Uint32 to keep the map at 4 bytes per block; 4.29e9 writes is over an hour at 1M IOPS on one volume.
    if (this.writeSequence === 0xffffffff)
      throw new RangeError('a volume took 4,294,967,295 writes, the most its block map numbers; run shorter or split the volume');
    return ++this.writeSequence;
  }

  /** The write of `version` to blocks first..last was acknowledged to the application. */
  acknowledge(first: number, last: number, version: number): void {
    this.acknowledgedWrites++;
    const versions = this.versions;
    const stride = this.stride;
    for (let i = first * stride; i <= last * stride; i += stride) if (versions[i]! < version) versions[i] = version;
  }

  /** Plex `plex` holds `version` of blocks first..last (the newest version wins: overlapping writes in flight are unordered). */
  store(plex: number, first: number, last: number, version: number): void {
    const versions = this.versions;
    const stride = this.stride;
    for (let i = first * stride + 1 + plex; i <= last * stride + 1 + plex; i += stride) if (versions[i]! < version) versions[i] = version;
  }

  /** Plex `plex` missed a write to blocks first..last. */
  markDirty(plex: number, first: number, last: number): void {
    const dirty = this.dirty[plex]!;
    let added = 0;
    for (let b = first; b <= last; b++) {
      if (dirty[b] === 0) {
        dirty[b] = 1;
        added++;
      }
    }
    this.dirtyCount[plex]! += added;
  }

  /** Resync brought `block` on `plex` up to date. */
  clean(plex: number, block: number): void {
    const dirty = this.dirty[plex]!;
    if (dirty[block] === 1) {
      dirty[block] = 0;
      this.dirtyCount[plex]!--;
    }
  }

  /** Every block of `plex` is up to date (it missed nothing acknowledged). */
  cleanAll(plex: number): void {
    this.dirty[plex]!.fill(0);
    this.dirtyCount[plex] = 0;
  }

  /** The plex's data is gone (a drive replaced): every written block is dirty and it holds nothing. */
  loseEverything(plex: number): void {
    for (let i = 1 + plex; i < this.versions.length; i += this.stride) this.versions[i] = 0;
    const dirty = this.dirty[plex]!;
    let count = 0;
    for (let b = 0; b < this.blocks; b++) {
      dirty[b] = this.versions[b * this.stride]! > 0 || dirty[b] === 1 ? 1 : 0;
      count += dirty[b]!;
    }
    this.dirtyCount[plex] = count;
  }

  /** First dirty block of `plex` at or after `from`, -1 when none. */
  nextDirty(plex: number, from: number): number {
    const dirty = this.dirty[plex]!;
    for (let b = from; b < this.blocks; b++) if (dirty[b] === 1) return b;
    return -1;
  }

  /** Takes a snapshot: from now on the first write to each block pays a copy. */
  snapshot(): void {
    if (this.copiedFor === null) this.copiedFor = new Uint32Array(this.blocks);
    this.snapshotGeneration++;
  }

  /**
   * How many of blocks first..last still owe their copy-on-write for the current snapshot; marks them
   * paid (a block pays once per snapshot, whichever write comes first).
   */
  takeCopiesOnWrite(first: number, last: number): number {
    const copiedFor = this.copiedFor;
    if (copiedFor === null) return 0;
    const generation = this.snapshotGeneration;
    let owed = 0;
    for (let b = first; b <= last; b++) {
      if (copiedFor[b] !== generation) {
        copiedFor[b] = generation;
        owed++;
      }
    }
    this.copiesOnWrite += owed;
    return owed;
  }

  /**
   * Whether every acknowledged version of blocks first..last is on `plex`. Before any acknowledged write
   * every version is 0 and held: answered without touching the per-block arrays (two cache misses per
   * read of a large volume's random block, a read-only volume's whole cost here).
   */
  holdsAcknowledged(plex: number, first: number, last: number): boolean {
    if (this.acknowledgedWrites === 0) return true;
    const versions = this.versions;
    const stride = this.stride;
    for (let i = first * stride; i <= last * stride; i += stride) if (versions[i + 1 + plex]! < versions[i]!) return false;
    return true;
  }

  /**
   * The blocks whose acknowledged version no plex in `inSync` holds: empty when no acknowledged write
   * was lost. Stops at `limit` blocks (a report names the first few, the count says the rest).
   */
  lostBlocks(inSync: readonly boolean[], limit = 100): LostBlock[] {
    const lost: LostBlock[] = [];
    if (this.acknowledgedWrites === 0) return lost; // nothing acknowledged: nothing to lose (a read-only volume)
    for (let b = 0; b < this.blocks && lost.length < limit; b++) {
      const acknowledged = this.versions[b * this.stride]!;
      if (acknowledged === 0) continue;
      let best = 0;
      for (let p = 0; p < this.plexes; p++) if (inSync[p] && this.heldVersion(p, b) > best) best = this.heldVersion(p, b);
      if (best < acknowledged) lost.push({ block: b, acknowledged, bestInSync: best });
    }
    return lost;
  }
}
