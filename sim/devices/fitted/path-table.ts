/**
 * One direction's tables of a `fitted` device, laid out in typed arrays for sampling without allocation:
 * the completion-latency quantile function of every measured depth and the host time per I/O there.
 * Between two measured depths both are interpolated on log depth (the same probability drawn in both
 * rows, so a row's shape carries over); beyond the deepest row the drive is taken as saturated, its
 * throughput flat, so latency and host time grow in proportion to the depth; below the shallowest,
 * that row holds.
 * Other sizes and mixes multiply these figures by the path's `ScaleGrid`s (`size_scale`, `mix_scale`).
 */
import type { FittedPath } from './fitted-schema.js';
import { ScaleGrid } from './scale-grid.js';

/** Read fraction of a pure stream of this path's direction: no mix factor applies. */
export const PURE = -1;

/** Share of the tail factor at probability `u`: none up to p90, all from p99, linear between. */
export function tailShare(u: number): number {
  return u <= 0.9 ? 0 : u >= 0.99 ? 1 : (u - 0.9) / 0.09;
}

export class PathTable {
  private readonly probabilities: Float64Array;
  /** rows x quantiles, ns. */
  private readonly clat: Float64Array;
  private readonly host: Float64Array;
  /**
   * Mean completion latency of each row (the mean of its piecewise-linear quantile function), ns, split
   * into the part a factor on the body scales and the part the tail factor scales (`tailShare`).
   */
  private readonly rowMeanBody: Float64Array;
  private readonly rowMeanTail: Float64Array;
  private readonly rowMean: Float64Array;
  /** Per depth 1..deepest: the row at or below it and the weight of the row above. */
  private readonly lowerRow: Int32Array;
  private readonly upperWeight: Float64Array;
  private readonly quantiles: number;
  private readonly deepest: number;
  private readonly clatPerByte: number;
  private readonly hostPerByte: number;
  /** Set by `locate`: the row, the weight of the next row, and the stretch beyond the deepest row. */
  private row = 0;
  private weight = 0;
  private stretch = 1;
  private readonly sizes: ScaleGrid | undefined;
  private readonly mixes: ScaleGrid | undefined;
  /**
   * Set by `scale`: of size and mix, the host time added (a fraction of the reference time per I/O), the
   * factors on completion latency (body, tail), and past the largest size the factor on all of it.
   */
  private hostExtra = 0;
  private clatFactor = 1;
  private tailFactor = 1;
  private grow = 1;

  constructor(
    path: FittedPath,
    probabilities: readonly number[],
    private readonly reference_bytes: number,
  ) {
    const rows = path.depths.length;
    this.quantiles = probabilities.length;
    this.probabilities = Float64Array.from(probabilities);
    this.clat = new Float64Array(rows * this.quantiles);
    this.host = Float64Array.from(path.host_ns);
    this.rowMeanBody = new Float64Array(rows);
    this.rowMeanTail = new Float64Array(rows);
    this.rowMean = new Float64Array(rows);
    path.clat_ns.forEach((values, r) => {
      this.clat.set(values, r * this.quantiles);
      const [body, tail] = meanParts(values, probabilities);
      this.rowMeanBody[r] = body;
      this.rowMeanTail[r] = tail;
      this.rowMean[r] = body + tail;
    });
    this.deepest = path.depths[rows - 1]!;
    this.lowerRow = new Int32Array(this.deepest + 1);
    this.upperWeight = new Float64Array(this.deepest + 1);
    let r = 0;
    for (let n = 1; n <= this.deepest; n++) {
      while (r + 1 < rows && path.depths[r + 1]! <= n) r++;
      this.lowerRow[n] = r;
      const d = path.depths[r]!;
      this.upperWeight[n] = r + 1 < rows && n > d ? Math.log(n / d) / Math.log(path.depths[r + 1]! / d) : 0;
    }
    this.clatPerByte = path.clat_ns_per_kib / 1024;
    this.hostPerByte = path.host_ns_per_kib / 1024;
    const size = path.size_scale;
    const ones = (n: number) => Array.from({ length: n }, () => 1);
    const zeros = (n: number) => Array.from({ length: n }, () => 0);
    // The reference size is the grid's anchor (no extra, factor 1 at every depth), interpolated on log size.
    this.sizes = size
      ? new ScaleGrid(
          [Math.log(reference_bytes), ...size.sizes.map((b) => Math.log(b))],
          size.depths,
          [zeros(size.depths.length), ...size.host],
          [ones(size.depths.length), ...size.clat],
          [ones(size.depths.length), ...(size.clat_tail ?? size.clat)],
          true,
        )
      : undefined;
    // A pure read (fraction 1) and a pure write (0) are the mix grid's anchors, linear in the fraction.
    const mix = path.mix_scale;
    this.mixes = mix
      ? new ScaleGrid(
          [0, ...mix.read_fractions, 1],
          mix.depths,
          [zeros(mix.depths.length), ...mix.host, zeros(mix.depths.length)],
          [ones(mix.depths.length), ...mix.clat, ones(mix.depths.length)],
          [ones(mix.depths.length), ...(mix.clat_tail ?? mix.clat), ones(mix.depths.length)],
          false,
        )
      : undefined;
  }

  /** Sets the extras and factors for an I/O of `bytes` at `depth` in a stream whose read fraction is `mix` (`PURE`: none); size and mix add their extra host times and multiply their factors. */
  private scale(depth: number, bytes: number, mix: number): void {
    let host = 0;
    let clat = 1;
    let tail = 1;
    let grow = 1;
    if (this.sizes !== undefined && bytes !== this.reference_bytes) {
      this.sizes.locate(Math.log(bytes), depth);
      host = this.sizes.hostScale;
      clat = this.sizes.clatScale;
      tail = this.sizes.tailScale;
      grow = this.sizes.grow;
    }
    if (this.mixes !== undefined && mix > 0 && mix < 1) {
      this.mixes.locate(mix, depth);
      host += this.mixes.hostScale;
      clat *= this.mixes.clatScale;
      tail *= this.mixes.tailScale;
    }
    this.hostExtra = host;
    this.clatFactor = clat;
    this.tailFactor = tail;
    this.grow = grow;
  }

  private locate(depth: number): void {
    if (depth >= this.deepest) {
      this.row = this.lowerRow[this.deepest]!;
      this.weight = 0;
      this.stretch = depth / this.deepest;
    } else {
      const n = depth < 1 ? 1 : Math.floor(depth);
      this.row = this.lowerRow[n]!;
      this.weight = this.upperWeight[n]!;
      this.stretch = 1;
    }
  }

  private extraBytes(bytes: number): number {
    return bytes > this.reference_bytes ? bytes - this.reference_bytes : 0;
  }

  /**
   * Host time of an I/O of `bytes` started with `depth` I/Os in the device (itself included), in a stream
   * whose read fraction is `mix` (`PURE` for a stream of this direction alone), ns.
   */
  hostTime(depth: number, bytes: number, mix: number = PURE): number {
    this.locate(depth);
    this.scale(depth, bytes, mix);
    const h = this.host[this.row]!;
    const blended = this.weight > 0 ? h + (this.host[this.row + 1]! - h) * this.weight : h;
    let host = blended;
    if (this.hostExtra !== 0) {
      const m = this.rowMean[this.row]!;
      const cycle = blended + (this.weight > 0 ? m + (this.rowMean[this.row + 1]! - m) * this.weight : m);
      host = Math.max(0, blended + this.hostExtra * cycle);
    }
    return host * this.stretch * this.grow + this.extraBytes(bytes) * this.hostPerByte;
  }

  /** Completion latency at probability `u` (a uniform draw) for `depth`, `bytes` and `mix` (as `hostTime`), ns. */
  clatTime(depth: number, bytes: number, u: number, mix: number = PURE): number {
    this.locate(depth);
    this.scale(depth, bytes, mix);
    const p = this.probabilities;
    let lo = 0;
    let hi = this.quantiles - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (p[mid]! <= u) lo = mid;
      else hi = mid;
    }
    const f = (u - p[lo]!) / (p[hi]! - p[lo]!);
    const base = this.row * this.quantiles;
    const a = this.clat[base + lo]! + (this.clat[base + hi]! - this.clat[base + lo]!) * f;
    let value = a;
    if (this.weight > 0) {
      const next = base + this.quantiles;
      const b = this.clat[next + lo]! + (this.clat[next + hi]! - this.clat[next + lo]!) * f;
      value = a + (b - a) * this.weight;
    }
    const factor = this.clatFactor + (this.tailFactor - this.clatFactor) * tailShare(u);
    return value * this.stretch * factor * this.grow + this.extraBytes(bytes) * this.clatPerByte;
  }

  /** Mean completion latency at `depth` for `bytes` and `mix` (as `hostTime`), ns. */
  meanClat(depth: number, bytes: number, mix: number = PURE): number {
    this.locate(depth);
    this.scale(depth, bytes, mix);
    const at = (r: number) => this.rowMeanBody[r]! * this.clatFactor + this.rowMeanTail[r]! * this.tailFactor;
    const blended = this.weight > 0 ? at(this.row) + (at(this.row + 1) - at(this.row)) * this.weight : at(this.row);
    return blended * this.stretch * this.grow + this.extraBytes(bytes) * this.clatPerByte;
  }

  /** At `depth`, a pure stream's mean completion latency at the reference size as [body part, tail part] (`meanParts`), ns. */
  referenceMeanParts(depth: number): [body: number, tail: number] {
    this.locate(depth);
    const blend = (t: Float64Array) =>
      (t[this.row]! + (this.weight > 0 ? (t[this.row + 1]! - t[this.row]!) * this.weight : 0)) * this.stretch;
    return [blend(this.rowMeanBody), blend(this.rowMeanTail)];
  }

  /** Mean host time plus completion latency at `depth` for `bytes` and `mix`, ns: the closed loop's time per I/O. */
  meanCycle(depth: number, bytes: number, mix: number = PURE): number {
    return this.hostTime(depth, bytes, mix) + this.meanClat(depth, bytes, mix);
  }

  /** The most I/Os per second any depth reaches (depth over its mean cycle), for run estimates. */
  peakIops(bytes: number): number {
    let best = 0;
    for (let n = 1; n <= this.deepest; n++) best = Math.max(best, (n * 1e9) / this.meanCycle(n, bytes));
    return best;
  }

  /** The least time an I/O can take (host time plus the lowest quantile of any row), ns. */
  minLatency(): number {
    let least = Infinity;
    for (let r = 0; r < this.host.length; r++) least = Math.min(least, this.host[r]! + this.clat[r * this.quantiles]!);
    return least;
  }
}

/**
 * The mean of the piecewise-linear quantile function through `row`, split into the part weighted by
 * 1 - `tailShare` and the part weighted by `tailShare` (the two a body and a tail factor scale), ns.
 * Each segment is integrated exactly (Simpson: the integrand is quadratic on it).
 */
export function meanParts(row: readonly number[], probabilities: readonly number[]): [body: number, tail: number] {
  let body = 0;
  let tail = 0;
  for (let j = 1; j < row.length; j++) {
    const [p0, p1] = [probabilities[j - 1]!, probabilities[j]!];
    const [v0, v1] = [row[j - 1]!, row[j]!];
    // The tail share is linear on [0.9, 0.99] and flat elsewhere; every probability list of a fit has
    // 0.9 and 0.99 among its points, and any other is integrated on its halves, closely enough.
    const pm = (p0 + p1) / 2;
    const vm = (v0 + v1) / 2;
    const w = (f: (p: number) => number) => ((p1 - p0) / 6) * (f(p0) * v0 + 4 * f(pm) * vm + f(p1) * v1);
    tail += w(tailShare);
    body += w((p) => 1 - tailShare(p));
  }
  return [body, tail];
}
