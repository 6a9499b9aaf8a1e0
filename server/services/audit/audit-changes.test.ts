import { describe, expect, it } from "vitest";
import { auditChanges } from "./audit-changes";

describe("auditChanges", () => {
  it("lists only the fields an update changed, as readable text", () => {
    const before = { id: "p1", name: "Ann Lee", fitzpatrickType: null, birthDate: "1960-05-04T00:00:00.000Z", tags: ["a"] };
    const after = { id: "p1", name: "Ann Lee-Smith", fitzpatrickType: 2, birthDate: "1960-05-04T00:00:00.000Z", tags: ["a", "b"] };
    expect(auditChanges(before, after)).toEqual([
      { field: "name", before: "Ann Lee", after: "Ann Lee-Smith" },
      { field: "fitzpatrickType", before: null, after: "2" },
      { field: "tags", before: '["a"]', after: '["a","b"]' },
    ]);
  });

  it("lists every field of a creation and of a deletion", () => {
    expect(auditChanges(null, { mrn: "A1", note: null })).toEqual([
      { field: "mrn", before: null, after: "A1" },
      { field: "note", before: null, after: null },
    ]);
    expect(auditChanges({ mrn: "A1" }, undefined)).toEqual([{ field: "mrn", before: "A1", after: null }]);
  });

  it("handles fields that appear on one side only, values that are not objects, and no change at all", () => {
    expect(auditChanges({ a: 1 }, { b: true })).toEqual([
      { field: "b", before: null, after: "true" },
      { field: "a", before: "1", after: null },
    ]);
    expect(auditChanges("old", "new")).toEqual([{ field: "value", before: "old", after: "new" }]);
    expect(auditChanges({ a: 1 }, { a: 1 })).toEqual([]);
    expect(auditChanges(null, null)).toEqual([]);
  });
});
