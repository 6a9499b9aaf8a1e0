/**
 * Seeded helpers for the fuzz corpora: the same seed gives the same cases on every machine and
 * every run, so a failing case can be named in a bug report and reproduced; Math.random() could not be.
 */
import { createRng } from "@/ml/random";

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both included). */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(length: number): Uint8Array;
}

export function seededRandom(seed: number): SeededRandom {
  // ml/random's mulberry32: one generator for everything seeded in the project.
  const next = createRng(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: (items) => {
      if (items.length === 0) throw new RangeError("pick from an empty list");
      return items[int(0, items.length - 1)]!;
    },
    bytes: (length) => Uint8Array.from({ length }, () => int(0, 255)),
  };
}
