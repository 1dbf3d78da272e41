/**
 * Garbage collection in steady state, without a page map. A preconditioned drive (as datasheets measure
 * it) reclaims space as fast as it is written; what that costs per host write follows from the spare
 * factor through an analytic model, so the model charges the cost instead of tracking 10^9 pages.
 *
 * Model: uniform random writes, cleaning the least-recently-written block (LRW, i.e. FIFO) with large
 * blocks. A block is written, then the write frontier passes through all T physical pages before the
 * block is cleaned; meanwhile (1 - u) T user pages were written, each overwriting a given live page with
 * probability 1/U. The fraction u of pages still valid in the victim therefore satisfies
 *
 *     u = exp(-(1 + rho) (1 - u)),      rho = (T - U) / U  (the spare factor),
 *
 * and write amplification is A = 1 / (1 - u): every block cleaned copies u of its pages to free 1 - u.
 * This is the LRW model of P. Desnoyers, "Analytic Modeling of SSD Write Performance", SYSTOR 2012
 * (ACM TOS 2014 for the extended version), equivalently A = alpha / (alpha + W(-alpha e^-alpha)) with
 * alpha = 1 + rho and W the Lambert function; its first-order approximation (1 + rho) / (2 rho) is the
 * one often quoted. X.-Y. Hu et al., "Write Amplification Analysis in Flash-Based Solid State Drives",
 * SYSTOR 2009 (IBM Research), model greedy cleaning under the same uniform traffic; greedy does
 * somewhat better. A profile can fit `gc.write_amplification` directly when greedy or measured figures
 * are wanted.
 *
 * Sequential writes (a write that continues a recent write stream) fill whole blocks that are later
 * invalidated whole, so they are written with amplification 1.
 */

/** Write amplification of uniform random writes under LRW cleaning at spare factor `rho` (> 0). */
export function lrwWriteAmplification(rho: number): number {
  if (!(rho > 0)) throw new RangeError(`spare factor must be > 0, got ${rho}`);
  const alpha = 1 + rho;
  // f(u) = u - exp(-alpha (1 - u)) is concave with f(0) < 0 and f(1) = 0, f'(1) = 1 - alpha < 0: one
  // root in (0, 1), found by bisection (f < 0 left of it, > 0 between it and 1).
  const f = (u: number) => u - Math.exp(-alpha * (1 - u));
  let lo = 0;
  let hi = 1 - 1e-12;
  if (f(hi) <= 0) return 1 / (1 - hi); // rho so small that the root is indistinguishable from 1
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  const u = (lo + hi) / 2;
  return 1 / (1 - u);
}

/** The first-order approximation (1 + rho) / (2 rho), for comparison in tests and reports. */
export function lrwWriteAmplificationApprox(rho: number): number {
  return (1 + rho) / (2 * rho);
}

/**
 * Recognises sequential writes: remembers where the last `streams` write streams will continue and
 * calls a write sequential when it starts where one of them ends. The oldest stream is replaced when a
 * write continues none. O(streams) per write, no allocation.
 */
export class SequentialDetector {
  private readonly next: Float64Array;
  private cursor = 0;

  constructor(streams: number) {
    this.next = new Float64Array(streams).fill(-1);
  }

  /** Records a write of `size` bytes at `offset`; true when it continues a known stream. */
  isSequential(offset: number, size: number): boolean {
    const next = this.next;
    for (let i = 0; i < next.length; i++) {
      if (next[i] === offset) {
        next[i] = offset + size;
        return true;
      }
    }
    next[this.cursor] = offset + size;
    this.cursor = (this.cursor + 1) % next.length;
    return false;
  }
}
