import { createHash } from "node:crypto";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGE_LIMITS } from "@/server/services/images/image-limits";
import { buildCsvDataset } from "./malformed-csv";
import { buildImageCorpus, IMAGE_FUZZ_CATEGORIES, type ImageFuzzCase } from "./malformed-images";
import { crc32, readPngChunks } from "./png-structure";
import { startOfFrame } from "./jpeg-structure";

const limits = { ...DEFAULT_IMAGE_LIMITS, minDimension: 16 };
const fingerprint = (cases: readonly ImageFuzzCase[]) =>
  cases.map((c) => `${c.name} ${c.expect} ${createHash("sha256").update(c.bytes).digest("hex")}`);
const byName = (cases: readonly ImageFuzzCase[], name: string) => {
  const found = cases.find((c) => c.name === name);
  if (!found) throw new Error(`no case ${name}`);
  return found.bytes;
};

describe("the malformed-image corpus", () => {
  it("is the same for the same seed, and only its seeded byte flips change with the seed", async () => {
    const [a, b, other] = await Promise.all([
      buildImageCorpus({ seed: 1, limits }),
      buildImageCorpus({ seed: 1, limits }),
      buildImageCorpus({ seed: 2, limits }),
    ]);
    const prints = { a: fingerprint(a), b: fingerprint(b), other: fingerprint(other) };
    expect(prints.b).toEqual(prints.a);
    const changed = prints.other.filter((line, i) => line !== prints.a[i]);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((line) => line.startsWith("byte-flips/"))).toBe(true);
    expect(new Set(a.map((c) => c.name)).size).toBe(a.length);
    for (const category of IMAGE_FUZZ_CATEGORIES) expect(a.some((c) => c.category === category), category).toBe(true);
  });

  it("rewrites header fields as its case names say (PNG IHDR with a fixed or a stale CRC, JPEG SOF)", async () => {
    const cases = await buildImageCorpus({ seed: 1, limits });
    const ihdrCrcValid = (png: Uint8Array) => {
      const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
      return view.getUint32(8 + 8 + 13) === crc32(png.subarray(12, 12 + 4 + 13));
    };
    const fixed = byName(cases, "huge-dimensions/png-ihdr-100000x100000-crc-fixed");
    expect(ihdrCrcValid(fixed)).toBe(true);
    expect(ihdrCrcValid(byName(cases, "huge-dimensions/png-ihdr-100000x100000-crc-stale"))).toBe(false);
    const ihdr = readPngChunks(fixed)[0]!;
    expect(new DataView(ihdr.data.buffer).getUint32(0)).toBe(100_000);
    // The decoder reads the rewritten size from the header (with its own pixel limit off).
    const header = await sharp(fixed, { limitInputPixels: false }).metadata();
    expect([header.width, header.height]).toEqual([100_000, 100_000]);
    const jpeg = byName(cases, "huge-dimensions/jpeg-sof-65500x65500");
    const sof = startOfFrame(jpeg);
    const view = new DataView(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
    expect([view.getUint16(sof.start + 7), view.getUint16(sof.start + 5)]).toEqual([65_500, 65_500]);
  });
});

describe("the malformed-CSV corpus", () => {
  it("is the same for the same seed, and every row case has a unique name", () => {
    const rowPrints = (kind: "ham10000" | "dermamnist", seed: number) =>
      buildCsvDataset(kind, seed).rows.map((row) => {
        const image = row.image && "bytes" in row.image ? createHash("sha256").update(row.image.bytes).digest("hex") : JSON.stringify(row.image);
        return `${row.name} ${JSON.stringify(row.cells)} ${row.imageFileName} ${image} ${JSON.stringify(row.expect)}`;
      });
    for (const kind of ["ham10000", "dermamnist"] as const) {
      const a = rowPrints(kind, 7);
      expect(rowPrints(kind, 7)).toEqual(a);
      expect(new Set(a.map((line) => line.split(" ")[0])).size).toBe(a.length);
      expect(rowPrints(kind, 8)).not.toEqual(a);
    }
  });
});
