import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { parseExifDate, readCaptureDateFromExif, readCaptureDateFromTiff } from "./read-capture-date";
import { writeTestTiff } from "./write-test-tiff";

const NOW = new Date("2025-06-01T00:00:00Z");

describe("parseExifDate", () => {
  it("reads the EXIF format as wall-clock time kept as UTC", () => {
    expect(parseExifDate("2021:03:04 10:11:12", undefined, NOW)?.toISOString()).toBe("2021-03-04T10:11:12.000Z");
  });

  it("applies an EXIF UTC offset", () => {
    expect(parseExifDate("2021:03:04 10:11:12", "+02:00", NOW)?.toISOString()).toBe("2021-03-04T08:11:12.000Z");
    expect(parseExifDate("2021:03:04 10:11:12", "-05:30", NOW)?.toISOString()).toBe("2021-03-04T15:41:12.000Z");
  });

  it.each(["0000:00:00 00:00:00", "    :  :     :  :  ", "2021:02:30 10:00:00", "2021:13:01 10:00:00", "1850:01:01 00:00:00", "2026:01:01 00:00:00", "yesterday"])(
    "gives null for %j",
    (text) => {
      expect(parseExifDate(text, undefined, NOW)).toBeNull();
    },
  );
});

describe("readCaptureDate", () => {
  it("prefers DateTimeOriginal over DateTime in a JPEG's EXIF", async () => {
    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: "#804020" } })
      .jpeg()
      .withExif({ IFD0: { DateTime: "2022:01:02 03:04:05" }, IFD2: { DateTimeOriginal: "2021:03:04 10:11:12" } })
      .toBuffer();
    const { exif } = await sharp(jpeg).metadata();
    expect(readCaptureDateFromExif(exif!, NOW)?.toISOString()).toBe("2021-03-04T10:11:12.000Z");
  });

  it("falls back to DateTime", async () => {
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: "#804020" } })
      .png()
      .withExif({ IFD0: { DateTime: "2022:01:02 03:04:05" } })
      .toBuffer();
    const { exif } = await sharp(png).metadata();
    expect(readCaptureDateFromExif(exif!, NOW)?.toISOString()).toBe("2022-01-02T03:04:05.000Z");
  });

  it("reads a TIFF file's own DateTime tag (big- and little-endian)", () => {
    for (const littleEndian of [true, false]) {
      const tiff = writeTestTiff({ width: 4, height: 2, littleEndian, dateTime: "2019:07:08 09:10:11", pixel: () => [1, 2, 3] });
      expect(readCaptureDateFromTiff(tiff, NOW)?.toISOString()).toBe("2019-07-08T09:10:11.000Z");
    }
  });

  it("survives garbage without throwing", () => {
    const garbage = new Uint8Array(64).fill(0xff);
    garbage.set([0x49, 0x49, 0x2a, 0x00, 0xf0, 0xff, 0xff, 0x7f]);
    expect(readCaptureDateFromTiff(garbage, NOW)).toBeNull();
    expect(readCaptureDateFromExif(new Uint8Array([1, 2, 3]), NOW)).toBeNull();
  });
});
