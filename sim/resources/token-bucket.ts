/**
 * A token bucket: tokens accrue at a fixed rate up to a burst size, and work takes tokens before it goes
 * (Linux io.max's "temporary bursts", a VF's maximum rate, a limit-only volume throttle). Pure arithmetic
 * on the simulated clock: no events of its own; the station that uses it schedules its own wake-up at
 * `readyAt_ns`. Tokens are fractional, so a rate that does not divide a second evenly keeps its long-run rate.
 *
 * Work larger than the burst would never fit, so a take may overdraw: work waits until the bucket holds
 * `min(tokens, burst)`, then takes all it needs and the bucket goes into debt, which later work waits out.
 * Over any long interval the tokens taken stay within `burst + rate * interval`.
 */
/** Tokens short of a take still counted as enough: the rounding of `readyAt_ns`'s division, so a wake-up at that time succeeds. */
const ROUNDING_TOKENS = 1e-9;

export class TokenBucket {
  /** Tokens held at `updated_ns` (negative while in debt). */
  private level: number;
  private updated_ns: number;

  /**
   * @param rate_per_s tokens added per second (> 0)
   * @param burst tokens the bucket holds at most (>= 0); it starts full
   * @param now_ns when the bucket starts, ns
   */
  constructor(
    readonly rate_per_s: number,
    readonly burst: number,
    now_ns = 0,
  ) {
    if (!(rate_per_s > 0) || !Number.isFinite(rate_per_s))
      throw new RangeError(`token bucket rate must be a positive number of tokens per second, got ${rate_per_s}`);
    if (!(burst >= 0) || !Number.isFinite(burst)) throw new RangeError(`token bucket burst must be a number of tokens >= 0, got ${burst}`);
    this.level = burst;
    this.updated_ns = now_ns;
  }

  /** Tokens in the bucket at `now_ns` (negative while in debt). */
  tokens(now_ns: number): number {
    this.refill(now_ns);
    return this.level;
  }

  /** The earliest time, ns (never before `now_ns`), at which `tokens` may be taken. */
  readyAt_ns(now_ns: number, tokens: number): number {
    this.refill(now_ns);
    const needed = Math.min(tokens, this.burst);
    if (this.level >= needed - ROUNDING_TOKENS) return now_ns;
    return this.updated_ns + ((needed - this.level) * 1e9) / this.rate_per_s;
  }

  /** Takes `tokens` if they may be taken at `now_ns` (see the class comment on debt); false, taking nothing, if not yet. */
  tryTake(now_ns: number, tokens: number): boolean {
    this.refill(now_ns);
    if (this.level < Math.min(tokens, this.burst) - ROUNDING_TOKENS) return false;
    this.level -= tokens;
    return true;
  }

  private refill(now_ns: number): void {
    if (now_ns <= this.updated_ns) return;
    this.level = Math.min(this.burst, this.level + ((now_ns - this.updated_ns) * this.rate_per_s) / 1e9);
    this.updated_ns = now_ns;
  }
}
