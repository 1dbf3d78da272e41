/**
 * Per-I/O draws beyond a fixed block size and uniform offsets: a block-size mix (fio's bssplit,
 * bsrange) and a skewed distribution of random offsets (fio's random_distribution). Tables are built
 * once per job; a draw allocates nothing.
 */
import type { RandomStream } from '../core/random.js';
import type { BlockSizeShare, OffsetDistribution } from './spec.js';

/** A block-size mix of one direction: one uniform draw picks a size by its weight. */
export class SizeMix {
  private readonly sizes: Float64Array;
  private readonly cumulative: Float64Array;
  /** The smallest size, bytes: random offsets are aligned to it (fio aligns to the minimum block size). */
  readonly min_bytes: number;

  constructor(shares: readonly BlockSizeShare[]) {
    const kept = shares.filter((s) => s.weight > 0);
    const used = kept.length > 0 ? kept : shares;
    this.sizes = Float64Array.from(used.map((s) => s.size_bytes));
    const total = used.reduce((t, s) => t + s.weight, 0) || 1;
    let acc = 0;
    this.cumulative = Float64Array.from(used.map((s) => (acc += s.weight / total)));
    this.min_bytes = Math.min(...used.map((s) => s.size_bytes));
  }

  /** Whether every draw gives the same size (no draw needed). */
  get fixed(): boolean {
    return this.sizes.length === 1;
  }

  /** A size, bytes, for the uniform draw `u` in [0, 1). */
  pick(u: number): number {
    const c = this.cumulative;
    const last = c.length - 1;
    for (let i = 0; i < last; i++) if (u < c[i]!) return this.sizes[i]!;
    return this.sizes[last]!;
  }
}

/**
 * Draws block indexes in [0, blocks) by a skewed distribution. zipf and pareto are drawn by inverting
 * their continuous forms (exact enough for millions of blocks, O(1) a draw); fio then scatters the hot
 * blocks with a hash, which the model leaves out, so the hot blocks are the region's first ones.
 */
export class OffsetDraw {
  private readonly zoneAccess: Float64Array;
  private readonly zoneStart: Float64Array;
  private readonly zoneSize: Float64Array;
  /** sequence: the indexes, the position in them, and the base of the current cycle (strided). */
  private readonly sequence: Float64Array;
  private position = 0;
  private base = 0;

  constructor(private readonly d: OffsetDistribution) {
    let acc = 0;
    this.zoneAccess = Float64Array.from(d.zones.map((z) => (acc += z.access)));
    let start = 0;
    this.zoneStart = Float64Array.from(d.zones.map((z) => ((start += z.region), start - z.region)));
    this.zoneSize = Float64Array.from(d.zones.map((z) => z.region));
    this.sequence = Float64Array.from(d.sequence ?? []);
  }

  /** A block index in [0, blocks), drawing from `stream`. */
  block(blocks: number, stream: RandomStream): number {
    const d = this.d;
    let x: number; // position in [0, 1)
    if (d.kind === 'sequence') {
      // fio's sequence distribution: the given indexes in turn (no draw), wrapped into the region.
      const i = this.base + this.sequence[this.position]!;
      if (++this.position === this.sequence.length) {
        this.position = 0;
        if (d.strided === true) this.base += this.sequence.length;
      }
      return i % blocks;
    } else if (d.kind === 'zoned') {
      const u = stream.next();
      const z = this.zoneAccess;
      let i = 0;
      while (i < z.length - 1 && u >= z[i]!) i++;
      x = this.zoneStart[i]! + stream.next() * this.zoneSize[i]!;
    } else if (d.kind === 'zipf') {
      // Continuous power law on ranks [1, blocks + 1): inverse of its CDF.
      const e = 1 - d.param;
      const top = (blocks + 1) ** e;
      x = ((1 + stream.next() * (top - 1)) ** (1 / e) - 1) / blocks;
    } else if (d.kind === 'pareto') {
      // fio's pareto_next: n * u^(log h / log(1 - h)).
      x = stream.next() ** (Math.log(d.param) / Math.log(1 - d.param));
    } else if (d.kind === 'normal') {
      // Box-Muller around the middle, deviation param % of the region, wrapped into it.
      const g = Math.sqrt(-2 * Math.log(1 - stream.next())) * Math.cos(2 * Math.PI * stream.next());
      x = 0.5 + (g * d.param) / 100;
      x -= Math.floor(x);
    } else {
      x = stream.next();
    }
    const i = Math.floor(x * blocks);
    return i < 0 ? 0 : i >= blocks ? blocks - 1 : i;
  }
}
