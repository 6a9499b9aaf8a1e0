import { createHash } from "node:crypto";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { decodeToRgb } from "@/ml/data/decode";
import { writeTestBmp } from "@/ml/data/bmp/write-test-bmp";
import { ImageRejectedError, type ImageRejectionCode } from "./image-rejected-error";
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from "./image-limits";
import { MODEL_VIEW_SIZE, prepareImage, THUMBNAIL_SIZE } from "./prepare-image";
import { decompressionBombPng, dermamnistImage, hamSampleImage, isicImage, tempFolder } from "./test-images";
import { writeTestTiff } from "./write-test-tiff";

const limits: ImageLimits = { ...DEFAULT_IMAGE_LIMITS };
const folder = tempFolder("prepare-image-");
afterAll(() => folder.remove());

async function rejectionCode(bytes: Uint8Array, withLimits: ImageLimits = limits): Promise<ImageRejectionCode> {
  try {
    await prepareImage(bytes, withLimits);
  } catch (error) {
    if (error instanceof ImageRejectedError) return error.code;
    throw error;
  }
  throw new Error("expected the image to be rejected");
}

async function rawPixels(encoded: Uint8Array) {
  return sharp(encoded).raw().toBuffer({ resolveWithObject: true });
}

describe("prepareImage with real dermoscopy images", () => {
  it("stores a HAM10000 JPEG as a metadata-free lossless PNG with the decoded pixels", async () => {
    const upload = hamSampleImage(0);
    const prepared = await prepareImage(upload, limits);
    expect([prepared.width, prepared.height, prepared.mimeType, prepared.sourceType]).toEqual([600, 450, "image/png", "jpeg"]);
    expect(prepared.contentHash).toBe(createHash("sha256").update(prepared.original).digest("hex"));

    const stored = await sharp(prepared.original).metadata();
    expect([stored.format, stored.channels, stored.depth]).toEqual(["png", 3, "uchar"]);
    expect(stored.exif ?? stored.icc ?? stored.xmp ?? stored.iptc).toBeUndefined();
    // Lossless: the stored pixels are exactly the upload's decoded pixels.
    const [fromUpload, fromStored] = await Promise.all([rawPixels(upload), rawPixels(prepared.original)]);
    expect(fromStored.data.equals(fromUpload.data)).toBe(true);
  });

  it("is deterministic: the same upload gives the same content hash", async () => {
    const [a, b] = await Promise.all([prepareImage(hamSampleImage(1), limits), prepareImage(hamSampleImage(1), limits)]);
    expect(a.contentHash).toBe(b.contentHash);
    expect((await prepareImage(hamSampleImage(2), limits)).contentHash).not.toBe(a.contentHash);
  });

  it("makes a thumbnail and the model view in the ml module's preprocessing", async () => {
    const prepared = await prepareImage(hamSampleImage(3), limits);
    const thumbnail = await sharp(prepared.thumbnail).metadata();
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).toEqual(["jpeg", THUMBNAIL_SIZE, 192]);
    const modelView = await rawPixels(prepared.modelView);
    expect([modelView.info.width, modelView.info.height]).toEqual([MODEL_VIEW_SIZE, MODEL_VIEW_SIZE]);
    // Same crop and kernel as training's decoder applied to the stored original.
    const viaMl = await decodeToRgb(prepared.original, MODEL_VIEW_SIZE);
    expect(Buffer.from(viaMl).equals(modelView.data)).toBe(true);
  });

  it("accepts the 180 px ISIC images, and 28 px DermaMNIST images only when the minimum allows", async () => {
    expect((await prepareImage(isicImage(), limits)).width).toBe(180);
    expect(await rejectionCode(dermamnistImage())).toBe("TOO_SMALL");
    const tiny = await prepareImage(dermamnistImage(), { ...limits, minDimension: 28 });
    expect([tiny.width, tiny.height]).toEqual([28, 28]);
    expect((await sharp(tiny.thumbnail).metadata()).width).toBe(28);
    expect((await sharp(tiny.modelView).metadata()).width).toBe(28);
  });
});

describe("prepareImage refuses bad files with a reason", () => {
  it("EMPTY: a 0-byte file", async () => {
    expect(await rejectionCode(folder.write("empty.jpg", new Uint8Array()))).toBe("EMPTY");
  });

  it("UNSUPPORTED_TYPE: a text file named .jpg, and a GIF", async () => {
    const note = folder.write("lesion.jpg", "Patient notes: mole on left shoulder, see photo.\n");
    await expect(prepareImage(note, limits)).rejects.toMatchObject({
      code: "UNSUPPORTED_TYPE",
      reason: "This file is text, not a JPEG, PNG, BMP or TIFF image.",
    });
    const gif = await sharp({ create: { width: 80, height: 80, channels: 3, background: "#fff" } }).gif().toBuffer();
    await expect(prepareImage(folder.write("x.png", gif), limits)).rejects.toMatchObject({ code: "UNSUPPORTED_TYPE", reason: /GIF/ });
  });

  it("TOO_LARGE: over the configured byte limit", async () => {
    const upload = hamSampleImage(0);
    expect(await rejectionCode(upload, { ...limits, maxBytes: upload.length - 1 })).toBe("TOO_LARGE");
    await expect(prepareImage(upload, { ...limits, maxBytes: upload.length })).resolves.toBeDefined();
  });

  it("CORRUPT: a truncated JPEG", async () => {
    const upload = hamSampleImage(4);
    expect(await rejectionCode(folder.write("truncated.jpg", upload.subarray(0, upload.length / 2)))).toBe("CORRUPT");
  });

  it("CORRUPT: a JPEG with damaged image data", async () => {
    const damaged = new Uint8Array(hamSampleImage(5));
    const middle = Math.floor(damaged.length / 2);
    for (let i = 0; i < 2000; i++) damaged[middle + i] = (i * 37) & 0xff;
    expect(await rejectionCode(folder.write("damaged.jpg", damaged))).toBe("CORRUPT");
  });

  it("CORRUPT: a PNG signature in front of a JPEG body", async () => {
    const jpeg = hamSampleImage(6);
    const fake = new Uint8Array(jpeg.length + 8);
    fake.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    fake.set(jpeg, 8);
    expect(await rejectionCode(folder.write("fake.png", fake))).toBe("CORRUPT");
  });

  it("TOO_MANY_PIXELS: a decompression bomb is refused from its header, quickly", async () => {
    const bomb = folder.write("bomb.png", decompressionBombPng(30_000));
    expect(bomb.length).toBeLessThan(200_000);
    const started = performance.now();
    await expect(prepareImage(bomb, limits)).rejects.toMatchObject({ code: "TOO_MANY_PIXELS", reason: /30000x30000/ });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("TOO_SMALL: under the minimum side", async () => {
    const small = await sharp({ create: { width: 200, height: 40, channels: 3, background: "#a0a0a0" } }).png().toBuffer();
    await expect(prepareImage(small, limits)).rejects.toMatchObject({ code: "TOO_SMALL", reason: /200x40/ });
  });
});

describe("prepareImage strips metadata but keeps the capture date", () => {
  it("drops EXIF and GPS, orients the pixels upright and keeps DateTimeOriginal", async () => {
    // 120x80, left half red, right half blue, orientation 6 (rotate 90° clockwise to view): upright it is 80x120
    // with red on top.
    const raw = Buffer.alloc(120 * 80 * 3);
    for (let y = 0; y < 80; y++) for (let x = 0; x < 120; x++) raw.set(x < 60 ? [220, 30, 30] : [30, 30, 220], (y * 120 + x) * 3);
    const withGps = await sharp(raw, { raw: { width: 120, height: 80, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .withExif({
        IFD0: { Make: "DermaCam", Model: "Serial-7731" },
        IFD2: { DateTimeOriginal: "2021:03:04 10:11:12", OffsetTimeOriginal: "+02:00" },
        IFD3: { GPSLatitudeRef: "N", GPSLatitude: "51/1 30/1 0/1", GPSLongitudeRef: "W", GPSLongitude: "0/1 7/1 0/1" },
      })
      .toBuffer();
    const upload = folder.write("with-gps.jpg", withGps);
    const input = await sharp(upload).metadata();
    expect(input.exif).toBeDefined();
    expect(input.orientation).toBe(6);
    expect(hasGpsIfd(input.exif!)).toBe(true);

    const prepared = await prepareImage(upload, { ...limits, minDimension: 16 });
    expect(prepared.capturedAt?.toISOString()).toBe("2021-03-04T08:11:12.000Z");
    expect([prepared.width, prepared.height]).toEqual([80, 120]);
    const upright = await rawPixels(prepared.original);
    const red = (x: number, y: number) => upright.data[(y * 80 + x) * 3]!;
    expect(red(40, 10)).toBeGreaterThan(180);
    expect(red(40, 110)).toBeLessThan(80);
    for (const blob of [prepared.original, prepared.thumbnail, prepared.modelView]) {
      const stored = await sharp(blob).metadata();
      expect(stored.exif).toBeUndefined();
      expect(stored.xmp).toBeUndefined();
      expect(stored.icc).toBeUndefined();
      expect(stored.orientation).toBeUndefined();
      expect(Buffer.from(blob).includes("DermaCam")).toBe(false);
      expect(Buffer.from(blob).includes("Serial-7731")).toBe(false);
    }
  });

  it("drops data appended after the image (a JPEG+ZIP polyglot) without rejecting the photo", async () => {
    const payload = new TextEncoder().encode("PK\u0003\u0004<script>alert(1)</script> hidden archive");
    const jpeg = hamSampleImage(7);
    const polyglot = new Uint8Array(jpeg.length + payload.length);
    polyglot.set(jpeg);
    polyglot.set(payload, jpeg.length);
    const prepared = await prepareImage(folder.write("polyglot.jpg", polyglot), limits);
    expect(Buffer.from(prepared.original).includes("<script>")).toBe(false);
    expect(prepared.contentHash).toBe((await prepareImage(jpeg, limits)).contentHash);
  });

  it("normalises greyscale and 16-bit images with alpha to 8-bit RGB", async () => {
    const grey = await sharp({ create: { width: 80, height: 80, channels: 3, background: "#777777" } }).greyscale().png().toBuffer();
    const deep = await sharp({ create: { width: 80, height: 80, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 0.5 } } })
      .png()
      .toColourspace("rgb16")
      .toBuffer();
    for (const upload of [grey, deep]) {
      const stored = await sharp((await prepareImage(upload, limits)).original).metadata();
      expect([stored.channels, stored.depth, stored.space]).toEqual([3, "uchar", "srgb"]);
    }
  });
});

describe("prepareImage reads BMP and TIFF", () => {
  const colour = (x: number, y: number): [number, number, number] => [(x * 3) % 256, (y * 3) % 256, (x + y) % 256];

  it.each([
    ["24-bit bottom-up", { bitsPerPixel: 24 as const }],
    ["32-bit bit fields, top-down", { bitsPerPixel: 32 as const, topDown: true, compression: 3, masks: [0xff0000, 0xff00, 0xff] as const }],
  ])("BMP %s: stored pixels equal the bitmap's", async (_name, spec) => {
    const bmp = writeTestBmp({
      width: 70,
      height: 65,
      ...spec,
      pixel: (x, y) => {
        const [r, g, b] = colour(x, y);
        return (r << 16) | (g << 8) | b;
      },
    });
    const prepared = await prepareImage(folder.write("scan.jpg", bmp), limits);
    expect(prepared.sourceType).toBe("bmp");
    const { data, info } = await rawPixels(prepared.original);
    expect([info.width, info.height]).toEqual([70, 65]);
    for (const [x, y] of [[0, 0], [69, 0], [0, 64], [33, 47]] as const) {
      expect(Array.from(data.subarray((y * 70 + x) * 3, (y * 70 + x) * 3 + 3))).toEqual(colour(x, y));
    }
  });

  it("BMP: an unsupported variant is refused with its name", async () => {
    const rle = writeTestBmp({ width: 70, height: 70, bitsPerPixel: 8, compression: 1, palette: [[0, 0, 0]], pixel: () => 0 });
    await expect(prepareImage(rle, limits)).rejects.toMatchObject({ code: "UNSUPPORTED_TYPE", reason: /RLE8/ });
  });

  it("TIFF: pixels and the DateTime tag", async () => {
    const tiff = writeTestTiff({ width: 66, height: 64, littleEndian: false, dateTime: "2018:11:12 13:14:15", pixel: colour });
    const prepared = await prepareImage(folder.write("scan.tif", tiff), limits);
    expect(prepared.sourceType).toBe("tiff");
    expect(prepared.capturedAt?.toISOString()).toBe("2018-11-12T13:14:15.000Z");
    const { data } = await rawPixels(prepared.original);
    expect(Array.from(data.subarray((10 * 66 + 20) * 3, (10 * 66 + 20) * 3 + 3))).toEqual(colour(20, 10));
  });
});

/** Whether IFD0 of an EXIF block points to a GPS IFD (tag 0x8825): proves the test input really carried GPS. */
function hasGpsIfd(exif: Uint8Array): boolean {
  const tiff = exif.subarray(6);
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const le = tiff[0] === 0x49;
  const ifd = view.getUint32(4, le);
  const count = view.getUint16(ifd, le);
  for (let i = 0; i < count; i++) if (view.getUint16(ifd + 2 + i * 12, le) === 0x8825) return true;
  return false;
}
