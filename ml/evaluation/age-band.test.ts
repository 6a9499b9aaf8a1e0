import { describe, expect, it } from "vitest";
import { AGE_BANDS, ageBand } from "./age-band";

describe("ageBand", () => {
  it("puts band edges in the upper band", () => {
    expect([0, 29, 30, 44, 45, 59, 60, 74, 75, 90].map(ageBand)).toEqual([
      "<30",
      "<30",
      "30-44",
      "30-44",
      "45-59",
      "45-59",
      "60-74",
      "60-74",
      "75+",
      "75+",
    ]);
    expect(ageBand(44.9)).toBe("30-44");
  });

  it("keeps missing or impossible ages visible as unknown", () => {
    expect([null, undefined, Number.NaN, -5].map(ageBand)).toEqual(["unknown", "unknown", "unknown", "unknown"]);
    expect(AGE_BANDS.at(-1)).toBe("unknown");
  });
});
