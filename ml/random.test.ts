import { describe, expect, it } from "vitest";
import { createRng, randomInt, shuffleInPlace } from "./random";

describe("createRng", () => {
  it("replays the same sequence for the same seed and a different one for another seed", () => {
    const a = createRng(123);
    const b = createRng(123);
    const c = createRng(124);
    const seqA = Array.from({ length: 20 }, () => a());
    expect(Array.from({ length: 20 }, () => b())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c())).not.toEqual(seqA);
  });

  it("stays in [0, 1) and is roughly uniform", () => {
    const rng = createRng(7);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng();
      if (!(u >= 0 && u < 1)) outside += 1;
      else buckets[Math.floor(u * 10)]! += 1;
    }
    expect(outside).toBe(0);
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it("rejects a non-finite seed", () => {
    expect(() => createRng(Number.NaN)).toThrow(RangeError);
  });
});

describe("shuffleInPlace / randomInt", () => {
  it("permutes deterministically", () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const once = shuffleInPlace([...items], createRng(1));
    expect([...once].sort((x, y) => x - y)).toEqual(items);
    expect(once).not.toEqual(items);
    expect(shuffleInPlace([...items], createRng(1))).toEqual(once);
  });

  it("draws integers below the bound", () => {
    const rng = createRng(3);
    const seen = new Set(Array.from({ length: 1_000 }, () => randomInt(rng, 4)));
    expect(seen).toEqual(new Set([0, 1, 2, 3]));
  });
});
