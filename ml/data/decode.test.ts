import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { writeTestBmp } from "./bmp/write-test-bmp";
import { DatasetError } from "./dataset-error";
import { decodeToRgb, loadImages } from "./decode";
import { readDermamnist } from "./read-dermamnist";
import { readHam10000 } from "./read-ham10000";
import { ISIC2019_180_DIR, DERMAMNIST_28_DIR, HAM10000_SAMPLE_DIR } from "./shared-data";

const dermamnist = readDermamnist(DERMAMNIST_28_DIR);
const ham = readHam10000(HAM10000_SAMPLE_DIR);
const tmp = mkdtempSync(path.join(tmpdir(), "dermflag-decode-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function meanAbsoluteDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** A solid-colour RGB(A) image as raw pixels in sharp's input format. */
function solid(width: number, height: number, channels: 1 | 3 | 4, value: readonly number[]) {
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = value[i % channels]!;
  return sharp(data, { raw: { width, height, channels } });
}

describe("decodeToRgb on BMP (the format dermoscopy archives use; libvips cannot read it)", () => {
  it("decodes a 24-bit BMP file exactly like the PNG of the same pixels, from a path and from bytes", async () => {
    const pixel = (x: number, y: number) => (((x * 37) & 255) << 16) | (((y * 53) & 255) << 8) | ((x * y) & 255);
    const bmp = writeTestBmp({ width: 60, height: 45, bitsPerPixel: 24, pixel });
    const rgb = Buffer.alloc(60 * 45 * 3);
    for (let y = 0; y < 45; y++) for (let x = 0; x < 60; x++) rgb.set([(pixel(x, y) >> 16) & 255, (pixel(x, y) >> 8) & 255, pixel(x, y) & 255], (y * 60 + x) * 3);
    const bmpFile = path.join(tmp, "lesion.bmp");
    const pngFile = path.join(tmp, "lesion.png");
    writeFileSync(bmpFile, bmp);
    await sharp(rgb, { raw: { width: 60, height: 45, channels: 3 } }).png().toFile(pngFile);
    const fromPng = await decodeToRgb(pngFile, 32);
    expect(await decodeToRgb(bmpFile, 32)).toEqual(fromPng);
    expect(await decodeToRgb(bmp, 32)).toEqual(fromPng);
    expect(await loadImages([{ file: bmpFile }], 32)).toEqual(fromPng);
  });

  it("refuses a damaged BMP with the decoder's reason", async () => {
    const bmp = writeTestBmp({ width: 8, height: 8, bitsPerPixel: 24, pixel: () => 0 });
    await expect(decodeToRgb(bmp.subarray(0, 70), 8)).rejects.toThrow(/damaged/);
  });
});

describe("decodeToRgb", () => {
  it("returns size*size*3 bytes for DermaMNIST, ISIC and full-size HAM10000 images", async () => {
    expect(await decodeToRgb(dermamnist[0]!.file, 28)).toHaveLength(28 * 28 * 3);
    expect(await decodeToRgb(path.join(ISIC2019_180_DIR, "train/benign/ISIC_0000019.jpg"), 64)).toHaveLength(64 * 64 * 3);
    expect(await decodeToRgb(ham[0]!.file, 224)).toHaveLength(224 * 224 * 3);
  });

  it("returns the file's own pixels when the image is already at the requested size", async () => {
    const file = dermamnist[5]!.file;
    const raw = await sharp(file).raw().toBuffer();
    expect(Buffer.from(await decodeToRgb(file, 28)).equals(raw)).toBe(true);
  });

  it("frames full-size HAM10000 images the way DermaMNIST did (centre crop), not squashed", async () => {
    const byId = new Map(dermamnist.map((r) => [r.id, r.file]));
    let cover = 0;
    let fill = 0;
    for (const r of ham) {
      const reference = await decodeToRgb(byId.get(r.id)!, 28);
      cover += meanAbsoluteDifference(await decodeToRgb(r.file, 28), reference);
      fill += meanAbsoluteDifference(await decodeToRgb(r.file, 28, { fit: "fill" }), reference);
    }
    // Measured: about 3.5 grey levels for cover (the rest is DermaMNIST's JPEG re-save), about 9.2 for fill.
    expect(cover / ham.length).toBeLessThan(4.5);
    expect(fill / ham.length).toBeGreaterThan(2 * (cover / ham.length));
  });

  it("composites transparency onto black and expands greyscale to three channels", async () => {
    const opaque = await decodeToRgb(await solid(8, 8, 4, [200, 100, 50, 255]).png().toBuffer(), 4);
    expect(opaque).toHaveLength(48);
    expect([...opaque.subarray(0, 6)]).toEqual([200, 100, 50, 200, 100, 50]);
    const half = await decodeToRgb(await solid(8, 8, 4, [200, 100, 50, 128]).png().toBuffer(), 4);
    [200, 100, 50].forEach((value, c) => expect(Math.abs(half[c]! - (value * 128) / 255)).toBeLessThanOrEqual(1));
    const clear = await decodeToRgb(await solid(8, 8, 4, [200, 100, 50, 0]).png().toBuffer(), 4);
    expect(clear.every((v) => v === 0)).toBe(true);

    const grey = await solid(8, 8, 1, [90]).png().toBuffer();
    expect([...(await decodeToRgb(grey, 2))]).toEqual(new Array(12).fill(90));
  });

  it("applies EXIF orientation", async () => {
    // Stored 8 wide x 4 tall, left half red, right half blue; orientation 6 = display rotated 90 degrees clockwise,
    // so the upright image is 4 x 8 with red on top.
    const data = Buffer.alloc(8 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) data.set(x < 4 ? [255, 0, 0] : [0, 0, 255], (y * 8 + x) * 3);
    const jpeg = await sharp(data, { raw: { width: 8, height: 4, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    const pixels = await decodeToRgb(jpeg, 8, { fit: "fill" });
    const at = (y: number, x: number) => [...pixels.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)];
    expect(at(0, 4)[0]).toBeGreaterThan(200); // top: red
    expect(at(7, 4)[2]).toBeGreaterThan(200); // bottom: blue
  });

  it("names the file it cannot decode", async () => {
    const broken = path.join(tmp, "broken.jpg");
    writeFileSync(broken, "not an image");
    await expect(decodeToRgb(broken, 28)).rejects.toThrow(DatasetError);
    await expect(decodeToRgb(broken, 28)).rejects.toThrow(`${broken}: cannot decode image`);
  });
});

describe("loadImages", () => {
  it("packs images in record order whatever order they finish in", async () => {
    const records = [...dermamnist.slice(0, 40), ham[0]!, ...dermamnist.slice(40, 60)];
    let progress = 0;
    const pixels = await loadImages(records, 28, { concurrency: 5, onProgress: (done) => (progress = done) });
    expect(pixels).toHaveLength(records.length * 28 * 28 * 3);
    expect(progress).toBe(records.length);
    for (const [i, r] of records.entries()) {
      const one = await decodeToRgb(r.file, 28);
      expect(Buffer.from(pixels.subarray(i * 2352, (i + 1) * 2352)).equals(Buffer.from(one)), r.id).toBe(true);
    }
  });

  it("fails with the name of a file that cannot be decoded", async () => {
    const broken = path.join(tmp, "broken-in-batch.jpg");
    writeFileSync(broken, "garbage");
    await expect(loadImages([...dermamnist.slice(0, 10), { file: broken }], 28, { concurrency: 3 })).rejects.toThrow(broken);
  });
});
