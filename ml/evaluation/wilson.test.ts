import { describe, expect, it } from "vitest";
import { wilsonInterval, Z_95 } from "./wilson";

describe("wilsonInterval", () => {
  it("matches the textbook 8/10 interval", () => {
    const result = wilsonInterval(8, 10, 1.96);
    expect(result.estimate).toBe(0.8);
    expect(result.lower).toBeCloseTo(0.4902, 4);
    expect(result.upper).toBeCloseTo(0.9433, 4);
  });

  it("matches Newcombe (1998) examples", () => {
    // Newcombe, Statistics in Medicine 17:857, table I, method 3 (Wilson, no continuity correction).
    const a = wilsonInterval(81, 263, 1.96);
    expect(a.lower).toBeCloseTo(0.2553, 4);
    expect(a.upper).toBeCloseTo(0.3662, 4);
    const b = wilsonInterval(15, 148, 1.96);
    expect(b.lower).toBeCloseTo(0.0624, 4);
    expect(b.upper).toBeCloseTo(0.1605, 4);
  });

  it("gives [0, z²/(n+z²)] for 0/n and its mirror for n/n", () => {
    // 0/10 at z = 1.96: upper = 3.8416 / 13.8416.
    expect(wilsonInterval(0, 10, 1.96)).toEqual({ successes: 0, trials: 10, estimate: 0, lower: 0, upper: expect.closeTo(0.27754, 5) });
    expect(wilsonInterval(10, 10, 1.96)).toEqual({ successes: 10, trials: 10, estimate: 1, lower: expect.closeTo(0.72246, 5), upper: 1 });
  });

  it("has no estimate and no interval for 0/0", () => {
    expect(wilsonInterval(0, 0)).toEqual({ successes: 0, trials: 0, estimate: null, lower: null, upper: null });
  });

  it("defaults to the exact 95% quantile", () => {
    expect(Z_95).toBeCloseTo(1.96, 3);
    expect(wilsonInterval(8, 10)).toEqual(wilsonInterval(8, 10, Z_95));
    // A wider z gives a wider interval.
    expect(wilsonInterval(8, 10, 2.576).lower!).toBeLessThan(wilsonInterval(8, 10).lower!);
  });

  it("rejects impossible counts", () => {
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 10, 0)).toThrow(RangeError);
  });
});
