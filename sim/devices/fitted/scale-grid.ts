/**
 * A table of one direction's extra host time and factors on its completion latency (its body and its tail), over one axis (the I/O size,
 * or the read fraction of a mix) and the queue depth. The `fitted` device multiplies its 4K pure-direction
 * figures by them. Between grid points the factors are interpolated (linear on the axis coordinate, on
 * log depth), the ends of the axis are anchors the caller gives (factor 1 at the reference size, at
 * a pure read and a pure write), and outside the measured depths the nearest depth holds.
 * Laid out in typed arrays and evaluated without allocation (the simulation's hot path).
 */

export class ScaleGrid {
  /** Set by `locate`: the factors on host time and on completion latency. */
  hostScale = 1;
  clatScale = 1;
  /** The factor on the latency's tail (p99 and above). */
  tailScale = 1;
  /** Past the last coordinate with `growBeyond`: exp(x - last), the factor on the whole time per I/O; else 1. */
  grow = 1;
  private readonly coords: Float64Array;
  private readonly logDepths: Float64Array;
  /** axis rows x depths. */
  private readonly host: Float64Array;
  private readonly clat: Float64Array;
  private readonly tail: Float64Array;

  /**
   * `coords` ascending (anchors included), `host`, `clat` and `tail` one row per coordinate, one value per depth.
   * `growBeyond`: past the last coordinate `grow` is exp(x - last) (on log size: the time per I/O in
   * proportion to the size, as a bandwidth-bound drive's); otherwise the last row holds.
   */
  constructor(
    coords: readonly number[],
    depths: readonly number[],
    host: readonly (readonly number[])[],
    clat: readonly (readonly number[])[],
    tail: readonly (readonly number[])[],
    private readonly growBeyond: boolean,
  ) {
    this.coords = Float64Array.from(coords);
    this.logDepths = Float64Array.from(depths, (d) => Math.log(d));
    this.host = Float64Array.from(host.flat());
    this.clat = Float64Array.from(clat.flat());
    this.tail = Float64Array.from(tail.flat());
  }

  /** Sets `hostScale`, `clatScale` and `tailScale` for axis coordinate `x` and `depth` (I/Os in the device). */
  locate(x: number, depth: number): void {
    const d = this.logDepths;
    const nd = d.length;
    const ld = Math.log(depth < 1 ? 1 : depth);
    let j = 0;
    let wd = 0;
    if (ld >= d[nd - 1]!) j = nd - 1;
    else if (ld > d[0]!) {
      while (d[j + 1]! <= ld) j++;
      wd = (ld - d[j]!) / (d[j + 1]! - d[j]!);
    }
    const c = this.coords;
    const nc = c.length;
    let i = 0;
    let wx = 0;
    let grow = 1;
    if (x >= c[nc - 1]!) {
      i = nc - 1;
      if (this.growBeyond) grow = Math.exp(x - c[nc - 1]!);
    } else if (x > c[0]!) {
      while (c[i + 1]! <= x) i++;
      wx = (x - c[i]!) / (c[i + 1]! - c[i]!);
    }
    this.hostScale = blend(this.host, nd, i, j, wx, wd);
    this.clatScale = blend(this.clat, nd, i, j, wx, wd);
    this.tailScale = blend(this.tail, nd, i, j, wx, wd);
    this.grow = grow;
  }
}

/** Bilinear blend of the table at row i (weight wx of row i + 1) and column j (weight wd of column j + 1). */
function blend(t: Float64Array, nd: number, i: number, j: number, wx: number, wd: number): number {
  const j1 = wd > 0 ? j + 1 : j;
  const lo = t[i * nd + j]! + (t[i * nd + j1]! - t[i * nd + j]!) * wd;
  if (wx === 0) return lo;
  const hi = t[(i + 1) * nd + j]! + (t[(i + 1) * nd + j1]! - t[(i + 1) * nd + j]!) * wd;
  return lo + (hi - lo) * wx;
}
