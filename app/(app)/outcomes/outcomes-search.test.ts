import { describe, expect, it } from "vitest";
import { outcomesHref, parseOutcomesSearch } from "./outcomes-search";

describe("parseOutcomesSearch", () => {
  it("reads the model, months and cost", () => {
    expect(parseOutcomesSearch({ model: "ckmodel_1", from: "2025-01", to: "2025-03", cost: "450" })).toEqual({
      query: { modelVersionId: "ckmodel_1", from: "2025-01", to: "2025-03", costPerBiopsy: 450 },
      ignored: [],
    });
    expect(parseOutcomesSearch({})).toEqual({ query: {}, ignored: [] });
  });

  it("drops malformed values and names them", () => {
    expect(parseOutcomesSearch({ model: "x y", from: "2025-1", to: ["2025-02", "2025-05"], cost: "-5" })).toEqual({
      query: { to: "2025-02" },
      ignored: ["model", "from", "cost"],
    });
    expect(parseOutcomesSearch({ cost: "lots" }).ignored).toEqual(["cost"]);
  });

  it("keeps the start of a reversed range", () => {
    expect(parseOutcomesSearch({ from: "2025-05", to: "2025-02" })).toEqual({ query: { from: "2025-05" }, ignored: ["to"] });
  });
});

describe("outcomesHref", () => {
  it("round-trips through the parser", () => {
    const query = { modelVersionId: "m1", from: "2024-12", to: "2025-02", costPerBiopsy: 0 };
    const href = outcomesHref(query);
    expect(href).toBe("/outcomes?model=m1&from=2024-12&to=2025-02&cost=0");
    expect(parseOutcomesSearch(Object.fromEntries(new URL(href, "http://x").searchParams)).query).toEqual(query);
    expect(outcomesHref({})).toBe("/outcomes");
  });
});
