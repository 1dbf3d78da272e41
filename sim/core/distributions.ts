/**
 * Service-time and inter-arrival distributions, each drawing from one seeded stream.
 * Values are in the caller's unit (nanoseconds for times). `sample()` allocates nothing.
 */
import type { RandomStream } from './random.js';

/** A distribution of non-negative values with a known mean. */
export interface Distribution {
  readonly kind: string;
  /** Mean of the distribution, in the caller's unit. */
  readonly mean: number;
  sample(): number;
}

/** Exponential with the given mean. */
export class Exponential implements Distribution {
  readonly kind = 'exponential';
  constructor(
    readonly mean: number,
    private readonly stream: RandomStream,
  ) {}
  sample(): number {
    return -this.mean * Math.log(1 - this.stream.next());
  }
}

/** Always the same value. */
export class Deterministic implements Distribution {
  readonly kind = 'deterministic';
  constructor(readonly mean: number) {}
  sample(): number {
    return this.mean;
  }
}

/** Uniform on [min, max). */
export class Uniform implements Distribution {
  readonly kind = 'uniform';
  readonly mean: number;
  constructor(
    readonly min: number,
    readonly max: number,
    private readonly stream: RandomStream,
  ) {
    this.mean = (min + max) / 2;
  }
  sample(): number {
    return this.min + (this.max - this.min) * this.stream.next();
  }
}

/** Normal (Box-Muller, keeping the spare draw), truncated at zero since times cannot be negative. */
export class Normal implements Distribution {
  readonly kind = 'normal';
  private spare = 0;
  private hasSpare = false;
  constructor(
    readonly mean: number,
    readonly stddev: number,
    private readonly stream: RandomStream,
  ) {}
  /** A standard normal draw. */
  standard(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u = 1 - this.stream.next();
    const v = this.stream.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }
  sample(): number {
    const x = this.mean + this.stddev * this.standard();
    return x > 0 ? x : 0;
  }
}

/** Lognormal given the mean and standard deviation of the values themselves (not of their logarithm). */
export class LogNormal implements Distribution {
  readonly kind = 'lognormal';
  private readonly mu: number;
  private readonly sigma: number;
  private readonly normal: Normal;
  constructor(
    readonly mean: number,
    readonly stddev: number,
    stream: RandomStream,
  ) {
    const variance = stddev * stddev;
    this.sigma = Math.sqrt(Math.log(1 + variance / (mean * mean)));
    this.mu = Math.log(mean) - (this.sigma * this.sigma) / 2;
    this.normal = new Normal(0, 1, stream);
  }
  sample(): number {
    return Math.exp(this.mu + this.sigma * this.normal.standard());
  }
}

/**
 * Empirical distribution from a histogram: `values[i]` drawn with weight `weights[i]` (counts), uniformly
 * spread within [values[i], values[i+1]) when `interpolate` is set. Sampling is a binary search on the CDF.
 */
export class Empirical implements Distribution {
  readonly kind = 'empirical';
  readonly mean: number;
  private readonly cdf: Float64Array;
  private readonly values: Float64Array;
  constructor(
    values: readonly number[],
    weights: readonly number[],
    private readonly stream: RandomStream,
  ) {
    if (values.length === 0 || values.length !== weights.length)
      throw new RangeError('empirical: values and weights must be non-empty and of equal length');
    this.values = Float64Array.from(values);
    this.cdf = new Float64Array(weights.length);
    let total = 0;
    let weighted = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (!(w >= 0)) throw new RangeError(`empirical: weight ${i} is ${w}, weights must be >= 0`);
      total += w;
      weighted += w * values[i]!;
      this.cdf[i] = total;
    }
    if (!(total > 0)) throw new RangeError('empirical: weights add up to zero');
    for (let i = 0; i < this.cdf.length; i++) this.cdf[i] = this.cdf[i]! / total;
    this.mean = weighted / total;
  }
  sample(): number {
    const u = this.stream.next();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo]!;
  }
}
