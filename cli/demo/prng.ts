/**
 * A small seeded pseudo-random generator for the demo traffic: the same seed and labels always give the same
 * sequence, on every machine (mulberry32 over a 32-bit state; not for anything security-related).
 */

/** Deterministic random source with the helpers the demo generator needs. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** One element chosen by weight (`[item, weight]` pairs, weights > 0). */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** Normally distributed (Box–Muller). */
  normal(mean: number, sd: number): number;
  /** Poisson-distributed count (Knuth for small means, normal approximation above 30). */
  poisson(mean: number): number;
}

/** FNV-1a over the seed and labels, so independent streams (per day, per tenant) do not overlap. */
function hashSeed(seed: number, labels: readonly (string | number)[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const text = labels.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= Math.imul(seed >>> 0, 0x9e3779b1) >>> 0;
  return h >>> 0;
}

/**
 * Creates a random stream for `seed` and a list of labels naming its purpose.
 * @example createRng(42, 'day', 3, 'riga').int(1, 6)
 */
export function createRng(seed: number, ...labels: (string | number)[]): Rng {
  let state = hashSeed(seed, labels);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    weighted: (items) => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return items[items.length - 1]![0];
    },
    normal: (mean, sd) => {
      const u = 1 - next();
      const v = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    poisson: (mean) => {
      if (mean <= 0) return 0;
      if (mean > 30) return Math.max(0, Math.round(rng.normal(mean, Math.sqrt(mean))));
      const limit = Math.exp(-mean);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
  };
  return rng;
}
