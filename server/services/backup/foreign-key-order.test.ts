import { describe, expect, it } from "vitest";
import { foreignKeyOrder } from "./public-tables";

describe("foreignKeyOrder", () => {
  it("puts every referenced table before the tables referencing it, ties by name", () => {
    const order = foreignKeyOrder(
      ["Review", "Flag", "Lesion", "Patient", "User", "_prisma_migrations"],
      [
        { table: "Lesion", references: "Patient" },
        { table: "Flag", references: "Lesion" },
        { table: "Review", references: "Flag" },
        { table: "Review", references: "User" },
      ],
    );
    expect(order).toEqual(["Patient", "User", "_prisma_migrations", "Lesion", "Flag", "Review"]);
  });

  it("ignores a table referencing itself and references to tables outside the list", () => {
    expect(foreignKeyOrder(["B", "A"], [{ table: "A", references: "A" }, { table: "B", references: "Elsewhere" }])).toEqual(["A", "B"]);
  });

  it("refuses a cycle, which immediate foreign keys cannot load", () => {
    expect(() => foreignKeyOrder(["A", "B", "C"], [{ table: "A", references: "B" }, { table: "B", references: "A" }])).toThrow(/cycle between A, B/);
  });
});
