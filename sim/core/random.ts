/**
 * Seeded random streams: xoshiro128** (Blackman and Vigna, 2018), one stream per component, each seeded
 * from the scenario seed and the component's name through SplitMix32. Same seed and name, same draws.
 */

/** The largest seed: every seed is a whole number from 0 to 2^53 - 1, exact in a double (CLI and scenario alike). */
export const SEED_MAX = Number.MAX_SAFE_INTEGER;

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
function hashName(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A xoshiro128** stream. `next()` is uniform on [0, 1) with 53 bits; `nextUint32()` a raw 32-bit draw. */
export class RandomStream {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed` is any integer (the scenario seed); `name` names the component that owns the stream. */
  constructor(seed: number, name: string) {
    // SplitMix32 expands (seed, name) into four state words, none all-zero together.
    let x = (hashName(name) ^ Math.imul(seed >>> 0, 0x9e3779b9) ^ Math.floor(seed / 2 ** 32)) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    // Kept as signed 32-bit integers (the same bits): small integers to the engine, never boxed doubles.
    this.s0 = next() | 0;
    this.s1 = next() | 0;
    this.s2 = next() | 0;
    this.s3 = next() | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const s0 = this.s0,
      s1 = this.s1,
      s2 = this.s2,
      s3 = this.s3;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = rotl(n3, 11);
    return result;
  }

  /**
   * A uniform double on [0, 1) with 53 random bits: two steps of `nextUint32`, written out so the state
   * is loaded and stored once and no 32-bit draw is boxed on the way (the hottest call of a model).
   */
  next(): number {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    let x = Math.imul(s1, 5);
    const first = Math.imul((x << 7) | (x >>> 25), 9);
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    x = Math.imul(s1, 5);
    const second = Math.imul((x << 7) | (x >>> 25), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    // 27 high bits of the first draw, 26 of the second.
    return ((first >>> 5) * 67108864 + (second >>> 6)) / 9007199254740992;
  }

  /** A uniform integer on [0, n), n up to 2^53. */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Makes named streams from one scenario seed: `streams.get("nvme0/backend")`. */
export class RandomStreams {
  constructor(readonly seed: number) {}

  /** A fresh stream for the component `name`; the same name always gives the same sequence. */
  get(name: string): RandomStream {
    return new RandomStream(this.seed, name);
  }
}
