import { describe, expect, it } from "vitest";
import { decimal, fraction, percent, proportionWithInterval } from "./format";

describe("dashboard formatting", () => {
  it("shows a proportion with its interval, and a dash when there were no cases", () => {
    expect(proportionWithInterval({ successes: 2, trials: 4, estimate: 0.5, lower: 0.15003898915214953, upper: 0.8499610108478505 })).toBe(
      "50.0% (95% CI 15.0%–85.0%)",
    );
    expect(proportionWithInterval({ successes: 0, trials: 0, estimate: null, lower: null, upper: null })).toBe("—");
    expect(fraction({ successes: 2, trials: 4, estimate: 0.5, lower: 0.1, upper: 0.9 })).toBe("2 / 4");
  });

  it("never prints NaN", () => {
    expect(percent(Number.NaN)).toBe("—");
    expect(percent(null)).toBe("—");
    expect(decimal(undefined)).toBe("—");
    expect(decimal(7 / 3)).toBe("2.33");
  });
});
