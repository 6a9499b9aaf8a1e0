import { describe, expect, it } from "vitest";
import { imageListLine, parseImageList, tableFile } from "./backup-manifest";

describe("backup manifest files", () => {
  it("round-trips the image list in sha256sum's format", () => {
    const entries = [
      { sha256: "a".repeat(64), key: "ab/cd/abcd.png" },
      { sha256: "b".repeat(64), key: "ab/cd/abcd.thumb.jpg" },
    ];
    const text = entries.map((entry) => imageListLine(entry.sha256, entry.key)).join("");
    expect(text.split("\n")[0]).toBe(`${"a".repeat(64)}  images/ab/cd/abcd.png`);
    expect(parseImageList(text)).toEqual(entries);
  });

  it("refuses a truncated or malformed list", () => {
    const line = imageListLine("c".repeat(64), "x/y.png");
    expect(() => parseImageList(line.slice(0, -1))).toThrow(/truncated/);
    expect(() => parseImageList(line.replace("  images/", " images/"))).toThrow(/line 1/);
  });

  it("only makes file names of plain identifiers", () => {
    expect(tableFile("_prisma_migrations")).toBe("database/_prisma_migrations.csv");
    expect(() => tableFile("../etc/passwd")).toThrow();
  });
});
