import { describe, expect, it } from "vitest";
import { pageWindow } from "./page-window";

describe("pageWindow", () => {
  it("shows every page when there are few", () => {
    expect(pageWindow(1, 1)).toEqual([1]);
    expect(pageWindow(2, 4)).toEqual([1, 2, 3, 4]);
  });

  it("keeps first and last reachable and marks skipped pages", () => {
    expect(pageWindow(10, 40)).toEqual([1, "gap", 8, 9, 10, 11, 12, "gap", 40]);
    expect(pageWindow(1, 40)).toEqual([1, 2, 3, "gap", 40]);
    expect(pageWindow(40, 40)).toEqual([1, "gap", 38, 39, 40]);
    // No gap marker for a run that is already contiguous.
    expect(pageWindow(4, 40)).toEqual([1, 2, 3, 4, 5, 6, "gap", 40]);
  });
});
