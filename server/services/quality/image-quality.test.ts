import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import sharp, { type Sharp } from "sharp";
import { describe, expect, it } from "vitest";
import { assessImageQuality } from "./image-quality";

const data = path.resolve(import.meta.dirname, "../../../../shared/data");
const hamDir = path.join(data, "ham10000-sample/images");
const isicDirs = ["train/benign", "train/malignant"].map((folder) => path.join(data, "isic2019-180", folder));
const files = (dir: string, count: number) => readdirSync(dir).sort().slice(0, count).map((name) => path.join(dir, name));

describe("image-quality gate", () => {
  it("passes real dermoscopy images (all 70 HAM10000 samples and 400 ISIC images)", async () => {
    const real = [...files(hamDir, 70), ...isicDirs.flatMap((dir) => files(dir, 200))];
    const failures: string[] = [];
    for (const file of real) {
      const quality = await assessImageQuality(readFileSync(file));
      if (!quality.passed) failures.push(`${path.basename(file)}: ${quality.reasons.join(", ")}`);
    }
    expect(failures).toEqual([]);
  });

  const original = () => readFileSync(files(hamDir, 1)[0]!);
  const degraded: [string, (image: Sharp) => Sharp, string][] = [
    ["blurred", (image) => image.blur(3), "image blurred"],
    ["dark", (image) => image.linear(0.15, 0), "image too dark"],
    ["overexposed", (image) => image.linear(0.3, 200), "image overexposed"],
    ["greyscale", (image) => image.grayscale().toColourspace("srgb"), "not a colour skin image (greyscale or document)"],
  ];

  it.each(degraded)("refuses a %s copy with its reason", async (_name, degrade, reason) => {
    const bytes = await degrade(sharp(original())).jpeg({ quality: 92 }).toBuffer();
    const quality = await assessImageQuality(bytes);
    expect(quality.passed).toBe(false);
    expect(quality.reasons).toContain(reason);
  });

  it("refuses a blank frame", async () => {
    const blank = await sharp({ create: { width: 600, height: 450, channels: 3, background: { r: 200, g: 150, b: 140 } } })
      .png()
      .toBuffer();
    expect((await assessImageQuality(blank)).reasons).toContain("image shows almost no detail");
  });

  it("does not judge the sharpness of images at the model's own small resolution", async () => {
    const small = await sharp(original()).resize(28, 28).png().toBuffer();
    const quality = await assessImageQuality(small);
    expect(quality.measures.sharpness).toBeNull();
  });
});
