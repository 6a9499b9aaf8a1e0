/**
 * Seeded pseudo-random numbers for everything in ml/ that must be reproducible: split assignment, shuffling,
 * augmentation. One small generator (mulberry32) so a seed written in a training log replays the same run.
 */

/** Returns floats uniformly in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: 32-bit state, passes the usual smoke tests for this kind of use and is fast enough to call once per
 * pixel. Not cryptographic. The seed is reduced to an unsigned 32-bit integer, so 1 and 2**32 + 1 are the same seed.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`createRng: seed must be a finite number, got ${seed}`);
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer uniformly in [0, maxExclusive). */
export function randomInt(rng: Rng, maxExclusive: number): number {
  return Math.floor(rng() * maxExclusive);
}

/** Fisher-Yates shuffle in place; returns the same array for chaining. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}
