/**
 * A mergeable log-linear latency histogram with fio's bucket layout (stat.h: FIO_IO_U_PLAT_BITS = 6,
 * 29 groups of 64 buckets), so `bins` in json+ and percentiles mean what they mean in fio: values below
 * 128 ns are exact, above that each power of two is cut into 64 buckets (at most 1/64 relative width).
 * Recording is O(1) and allocates nothing; exact min, max, mean and standard deviation ride beside it
 * (`LatencyHistogram`), or only the count, mean and max where that is all that is read (`BucketHistogram`).
 */

const PLAT_BITS = 6;
const PLAT_VAL = 1 << PLAT_BITS;
const PLAT_GROUPS = 29;
/** Number of buckets (fio's FIO_IO_U_PLAT_NR). */
export const BUCKETS = PLAT_GROUPS * PLAT_VAL;

/** Index of the most significant set bit of a non-negative integer below 2^53. */
function msb(v: number): number {
  if (v < 4294967296) return 31 - Math.clz32(v);
  return 63 - Math.clz32(Math.floor(v / 4294967296));
}

/** Bucket index of a latency in ns (fio's plat_val_to_idx). */
export function bucketOf(ns: number): number {
  if (ns < 2147483648) {
    // Latencies under 2.1 s, nearly all of them: 32-bit integer arithmetic only.
    const v = ns > 0 ? ns | 0 : 0;
    if (v < PLAT_VAL * 2) return v;
    const bits = 31 - Math.clz32(v) - PLAT_BITS;
    return ((bits + 1) << PLAT_BITS) + ((v >>> bits) & (PLAT_VAL - 1));
  }
  const v = Math.floor(ns);
  const errorBits = msb(v) - PLAT_BITS;
  const base = (errorBits + 1) << PLAT_BITS;
  const offset = Math.floor(v / 2 ** errorBits) & (PLAT_VAL - 1);
  const idx = base + offset;
  return idx < BUCKETS - 1 ? idx : BUCKETS - 1;
}

/** Lowest latency (ns) that falls in bucket `idx`. */
export function bucketLow(idx: number): number {
  if (idx < PLAT_VAL * 2) return idx;
  const errorBits = (idx >> PLAT_BITS) - 1;
  return 2 ** (errorBits + PLAT_BITS) + (idx % PLAT_VAL) * 2 ** errorBits;
}

/** Width of bucket `idx` in ns. */
export function bucketWidth(idx: number): number {
  return idx < PLAT_VAL * 2 ? 1 : 2 ** ((idx >> PLAT_BITS) - 1);
}

/** Each bucket's value, computed once: output scans every bucket per latency range and percentile. */
const BUCKET_VALUES = Float64Array.from({ length: BUCKETS }, (_, idx) =>
  idx < PLAT_VAL * 2 ? idx : Math.floor(bucketLow(idx) + 0.5 * bucketWidth(idx)),
);

/** The value fio reports for bucket `idx` (0 .. BUCKETS - 1): its midpoint, as an integer (fio's plat_idx_to_val), ns. */
export function bucketValue(idx: number): number {
  return BUCKET_VALUES[idx]!;
}

/**
 * The first bucket whose value (`bucketValue`) is at least `ns`, BUCKETS when none is: bucket values rise
 * with the index, so the buckets whose values lie in [a, b) are those from `firstBucketAtOrAbove(a)` up to
 * `firstBucketAtOrAbove(b)`, found by bisection rather than by testing every bucket.
 */
export function firstBucketAtOrAbove(ns: number): number {
  let lo = 0;
  let hi = BUCKETS;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (BUCKET_VALUES[mid]! >= ns) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** fio's default percentile list. */
export const FIO_DEFAULT_PERCENTILES = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99];

/**
 * The latency at percentile `p` (0..100) of `n` samples in fio's buckets, ns, the way fio reports it: the
 * value of the first bucket at which the running count reaches p% of the samples (0 when empty).
 */
export function bucketPercentile(counts: ArrayLike<number>, n: number, p: number): number {
  if (n === 0) return 0;
  const target = (p / 100) * n;
  let cumulative = 0;
  for (let i = 0; i < BUCKETS; i++) {
    cumulative += counts[i]!;
    if (cumulative >= target && cumulative > 0) return bucketValue(i);
  }
  return bucketValue(BUCKETS - 1);
}

/**
 * Bucket counts with the count, sum and maximum beside them: what an interval row needs (mean, max,
 * percentiles) and no more, since one is updated per I/O beside the job's full histograms.
 */
export class BucketHistogram {
  readonly counts = new Float64Array(BUCKETS);
  /** Samples recorded. */
  n = 0;
  /** Largest sample, ns (0 when empty). */
  max_ns = 0;
  protected sum = 0;

  /** Records one latency in ns whose bucket (`bucketOf(ns)`) the caller already knows. */
  recordInBucket(ns: number, bucket: number): void {
    this.counts[bucket]!++;
    this.n++;
    this.sum += ns;
    if (ns > this.max_ns) this.max_ns = ns;
  }

  /** Mean latency, ns (0 when empty). */
  get mean_ns(): number {
    return this.n > 0 ? this.sum / this.n : 0;
  }

  /**
   * The latency at percentile `p` (0..100), ns, the way fio reports it: the value of the first bucket at
   * which the running count reaches p% of the samples.
   */
  percentile(p: number): number {
    return bucketPercentile(this.counts, this.n, p);
  }

  /** The non-empty buckets, ascending, with their counts (sparse, for keeping or writing). */
  nonEmptyBuckets(): { buckets: Int32Array; counts: Float64Array } {
    const counts = this.counts;
    let used = 0;
    for (let i = 0; i < BUCKETS; i++) if (counts[i] !== 0) used++;
    const out = { buckets: new Int32Array(used), counts: new Float64Array(used) };
    for (let i = 0, j = 0; j < used; i++) {
      if (counts[i] === 0) continue;
      out.buckets[j] = i;
      out.counts[j++] = counts[i]!;
    }
    return out;
  }

  /**
   * Sets this histogram to the samples `total` holds beyond `before`, bucket by bucket (the same
   * histogram read at two times), with their count, sum and maximum as kept beside it.
   */
  loadDifference(total: Float64Array, before: Float64Array, n: number, sum_ns: number, max_ns: number): void {
    const counts = this.counts;
    for (let i = 0; i < BUCKETS; i++) counts[i] = total[i]! - before[i]!;
    this.n = n;
    this.sum = sum_ns;
    this.max_ns = max_ns;
  }

  /** Empties the histogram. */
  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.sum = 0;
    this.max_ns = 0;
  }
}

/** A job's latency histogram: bucket counts plus exact min, max, mean and standard deviation; mergeable. */
export class LatencyHistogram extends BucketHistogram {
  /** Smallest sample, ns (Infinity when empty). */
  min_ns = Infinity;
  // Welford's running variance, exact enough at billions of samples. Its running mean is not `sum / n`
  // to the last bit, and fio's mean is reported from `sum`, so both are kept.
  private runningMean = 0;
  private m2 = 0;

  /** Records one latency in ns. */
  record(ns: number): void {
    this.recordInBucket(ns, bucketOf(ns));
  }

  /** Records one latency in ns whose bucket (`bucketOf(ns)`) the caller already knows. */
  override recordInBucket(ns: number, bucket: number): void {
    super.recordInBucket(ns, bucket);
    if (ns < this.min_ns) this.min_ns = ns;
    const delta = ns - this.runningMean;
    this.runningMean += delta / this.n;
    this.m2 += delta * (ns - this.runningMean);
  }

  /**
   * Records a latency of 0 ns (a submission without wait). While every sample so far was 0 the running
   * mean and variance stay 0, so only the counts move: the same state as `recordInBucket(0, 0)`, cheaper.
   */
  recordZero(): void {
    if (this.runningMean !== 0 || this.m2 !== 0) {
      this.recordInBucket(0, 0);
      return;
    }
    this.counts[0]!++;
    this.n++;
    this.min_ns = 0;
  }

  /** Makes this histogram an exact copy of `other` (counts and running figures, to the last bit). */
  copyFrom(other: LatencyHistogram): void {
    this.counts.set(other.counts);
    this.n = other.n;
    this.sum = other.sum;
    this.max_ns = other.max_ns;
    this.min_ns = other.min_ns;
    this.runningMean = other.runningMean;
    this.m2 = other.m2;
  }

  /** Sample standard deviation, ns, as fio computes it (n - 1 in the denominator). */
  get stddev_ns(): number {
    return this.n > 1 ? Math.sqrt(this.m2 / (this.n - 1)) : 0;
  }

  /** Adds another histogram's samples to this one (Chan et al.'s parallel variance). */
  merge(other: LatencyHistogram): void {
    if (other.n === 0) return;
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    const n = this.n + other.n;
    const delta = other.runningMean - this.runningMean;
    this.m2 += other.m2 + (delta * delta * this.n * other.n) / n;
    this.runningMean += (delta * other.n) / n;
    this.n = n;
    this.sum += other.sum;
    if (other.min_ns < this.min_ns) this.min_ns = other.min_ns;
    if (other.max_ns > this.max_ns) this.max_ns = other.max_ns;
  }

  /** Empties the histogram. */
  override reset(): void {
    super.reset();
    this.min_ns = Infinity;
    this.runningMean = 0;
    this.m2 = 0;
  }
}
