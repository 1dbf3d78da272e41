/**
 * The statistics of a comparison with a baseline (../shared/research/perf-regression.md, section 5): a
 * paired hierarchical block bootstrap (seeds resampled, then intervals within each seed; baseline and
 * current drawn with the same indices, since they share seeds: common random numbers), a seeded PRNG so
 * the same inputs give the same verdict, percentile confidence intervals, and Holm's step-down adjustment
 * across the checks of one comparison.
 */

/** Resamples by default: the research note's 2,000. */
export const DEFAULT_RESAMPLES = 2000;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit FNV-1a hash of `text`: a seed per check from its name, so checks do not share draws. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * One resample's draw: for each drawn seed (index into the shared seeds), the interval indices drawn within
 * it. Baseline and current use the same draw.
 */
export type Draw = readonly { readonly seed: number; readonly intervals: readonly number[] }[];

/** A hierarchical draw: `seeds` seeds with replacement, then within each as many intervals as it has, with replacement. */
export function drawBlocks(random: () => number, intervalsPerSeed: readonly number[]): Draw {
  const n = intervalsPerSeed.length;
  const out: { seed: number; intervals: number[] }[] = [];
  for (let k = 0; k < n; k++) {
    const seed = Math.floor(random() * n);
    const m = intervalsPerSeed[seed]!;
    const intervals: number[] = [];
    for (let i = 0; i < m; i++) intervals.push(Math.floor(random() * m));
    out.push({ seed, intervals });
  }
  return out;
}

/** The value at quantile q (0..1) of sorted values, linear between neighbours. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Holm's step-down adjusted p-values, in the input order: family-wise error at most alpha when each is held to alpha. */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
