import { describe, expect, it } from "vitest";
import { formatAge } from "./format";

describe("formatAge", () => {
  it("counts whole years on the UTC calendar, turning a year older on the birthday itself", () => {
    const born = new Date("1970-03-04T00:00:00Z");
    expect(formatAge(born, new Date("2026-03-03T23:59:00Z"))).toBe("55 y");
    expect(formatAge(born, new Date("2026-03-04T00:00:00Z"))).toBe("56 y");
    expect(formatAge("2000-12-31", new Date("2026-01-01T00:00:00Z"))).toBe("25 y");
    expect(formatAge(null)).toBe("—");
  });
});
