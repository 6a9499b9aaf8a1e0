/**
 * Cases that change one field of a format's structure: sizes in the header (huge, zero, negative, just over the pixel
 * limit), other header fields (depth, compression, offsets), and chunks or segments repeated, removed, unknown or
 * lying about their length.
 */
import { ascii, concat, patch } from "./bytes";
import { CaseList } from "./image-fuzz-case";
import type { ImageSources } from "./image-sources";
import {
  APP1,
  APP2,
  COM,
  DHT,
  DQT,
  SOS,
  encodeJpegSegment,
  isStartOfFrame,
  readJpegSegments,
  startOfFrame,
  withJpegSize,
  withSegmentRepeated,
  withSegmentsAfterSoi,
  withoutJpegSegments,
} from "./jpeg-structure";
import { encodePngChunk, readPngChunks, withPngSize, writePng, type PngChunk } from "./png-structure";
import { TIFF_TAG, withFirstIfdOffset, withNextIfdOffset, withTiffEntryCount, withTiffValue } from "./tiff-structure";

/** Offsets in a BMP file (14-byte file header, then the Windows 3+ info header). */
const BMP = { pixelOffset: 10, dibSize: 14, width: 18, height: 22, planes: 26, bitsPerPixel: 28, compression: 30, colorsUsed: 46 } as const;

function bmpWith(bmp: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  return patch(bmp, edit);
}

export function hugeDimensionCases(sources: ImageSources, maxPixels: number): CaseList {
  const list = new CaseList("huge-dimensions");
  const { png, jpeg, tiff, bmp } = sources;
  // Just over the configured pixel limit, as width x height.
  const overWidth = 10_000;
  const overHeight = Math.floor(maxPixels / overWidth) + 1;

  list.add("png-ihdr-100000x100000-crc-fixed", { bytes: withPngSize(png, 100_000, 100_000), expect: "reject", code: "TOO_MANY_PIXELS" });
  list.add("png-ihdr-100000x100000-crc-stale", { bytes: withPngSize(png, 100_000, 100_000, { staleCrc: true }), expect: "reject" });
  list.add("png-ihdr-2147483647-square", { bytes: withPngSize(png, 0x7fffffff, 0x7fffffff), expect: "reject" });
  list.add("png-ihdr-4294967295-square", { bytes: withPngSize(png, 0xffffffff, 0xffffffff), expect: "reject" });
  list.add("png-ihdr-1x60000000", { bytes: withPngSize(png, 1, 60_000_000), expect: "reject" });
  list.add("png-ihdr-60000000x1", { bytes: withPngSize(png, 60_000_000, 1), expect: "reject" });
  list.add(`png-ihdr-${overWidth}x${overHeight}-just-over-the-limit`, { bytes: withPngSize(png, overWidth, overHeight), expect: "reject", code: "TOO_MANY_PIXELS" });
  list.add("png-ihdr-0x0", { bytes: withPngSize(png, 0, 0), expect: "reject" });
  list.add("png-ihdr-0x180", { bytes: withPngSize(png, 0, 180), expect: "reject" });
  // Under the pixel limit but far more pixels than the compressed data holds.
  list.add("png-ihdr-7000x7000-with-180px-data", { bytes: withPngSize(png, 7000, 7000), expect: "reject" });
  list.add("png-ihdr-180x10000-with-180px-data", { bytes: withPngSize(png, 180, 10_000), expect: "reject" });
  list.add("png-ihdr-181x180-one-column-more", { bytes: withPngSize(png, 181, 180), expect: "either" });

  list.add("jpeg-sof-65500x65500", { bytes: withJpegSize(jpeg, 65_500, 65_500), expect: "reject", code: "TOO_MANY_PIXELS" });
  // libjpeg refuses sides over 65500 itself, before the pipeline's pixel limit is asked: CORRUPT, not TOO_MANY_PIXELS.
  list.add("jpeg-sof-65535x65535", { bytes: withJpegSize(jpeg, 65_535, 65_535), expect: "reject" });
  list.add(`jpeg-sof-${overWidth}x${overHeight}-just-over-the-limit`, {
    bytes: withJpegSize(jpeg, overWidth, Math.min(overHeight, 65_535)),
    expect: "reject",
    code: "TOO_MANY_PIXELS",
  });
  list.add("jpeg-sof-0x0", { bytes: withJpegSize(jpeg, 0, 0), expect: "reject" });
  list.add("jpeg-sof-height-0", { bytes: withJpegSize(jpeg, 180, 0), expect: "reject" });
  list.add("jpeg-sof-65535x1", { bytes: withJpegSize(jpeg, 65_535, 1), expect: "reject" });
  list.add("jpeg-sof-7000x7000-with-180px-data", { bytes: withJpegSize(jpeg, 7000, 7000), expect: "reject" });
  list.add("jpeg-sof-181x180-one-column-more", { bytes: withJpegSize(jpeg, 181, 180), expect: "either" });
  list.add("jpeg-sof-90x90-half-size", { bytes: withJpegSize(jpeg, 90, 90), expect: "either" });

  list.add("tiff-100000x100000", { bytes: withTiffValue(withTiffValue(tiff, TIFF_TAG.width, 100_000), TIFF_TAG.height, 100_000), expect: "reject", code: "TOO_MANY_PIXELS" });
  list.add("tiff-width-4294967295", { bytes: withTiffValue(tiff, TIFF_TAG.width, 0xffffffff), expect: "reject" });
  list.add("tiff-width-0", { bytes: withTiffValue(tiff, TIFF_TAG.width, 0), expect: "reject" });
  list.add("tiff-height-100000-strip-unchanged", { bytes: withTiffValue(tiff, TIFF_TAG.height, 100_000), expect: "reject" });

  const bmpSize = (width: number, height: number) =>
    bmpWith(bmp, (view) => {
      view.setInt32(BMP.width, width, true);
      view.setInt32(BMP.height, height, true);
    });
  list.add("bmp-100000x100000", { bytes: bmpSize(100_000, 100_000), expect: "reject", code: "TOO_MANY_PIXELS" });
  list.add(`bmp-${overWidth}x${overHeight}-just-over-the-limit`, { bytes: bmpSize(overWidth, overHeight), expect: "reject", code: "TOO_MANY_PIXELS" });
  list.add("bmp-negative-height-is-top-down", { bytes: bmpSize(64, -64), expect: "accept" });
  list.add("bmp-height-minus-2147483648", { bytes: bmpSize(64, -0x80000000), expect: "reject" });
  list.add("bmp-height-2147483647", { bytes: bmpSize(64, 0x7fffffff), expect: "reject" });
  list.add("bmp-negative-width", { bytes: bmpSize(-64, 64), expect: "reject" });
  list.add("bmp-width-0", { bytes: bmpSize(0, 64), expect: "reject" });
  list.add("bmp-height-0", { bytes: bmpSize(64, 0), expect: "reject" });
  list.add("bmp-65x64-one-column-more", { bytes: bmpSize(65, 64), expect: "reject" });
  const core = sources.variants.get("bmp-os2-core-header")!;
  list.add("bmp-core-header-65535x65535", {
    bytes: patch(core, (view) => {
      view.setUint16(18, 0xffff, true);
      view.setUint16(20, 0xffff, true);
    }),
    expect: "reject",
    code: "TOO_MANY_PIXELS",
  });
  return list;
}

export function headerFieldCases(sources: ImageSources): CaseList {
  const list = new CaseList("header-fields");
  const { bmp, tiff, png } = sources;
  const bmpField = (name: string, edit: (view: DataView) => void, expect: "accept" | "reject" | "either" = "reject") =>
    list.add(`bmp-${name}`, { bytes: bmpWith(bmp, edit), expect });
  bmpField("bits-per-pixel-0", (view) => view.setUint16(BMP.bitsPerPixel, 0, true));
  bmpField("bits-per-pixel-7", (view) => view.setUint16(BMP.bitsPerPixel, 7, true));
  bmpField("bits-per-pixel-64", (view) => view.setUint16(BMP.bitsPerPixel, 64, true));
  bmpField("compression-99", (view) => view.setUint32(BMP.compression, 99, true));
  bmpField("compression-rle8-on-24-bit", (view) => view.setUint32(BMP.compression, 1, true));
  bmpField("compression-png-inside", (view) => view.setUint32(BMP.compression, 5, true));
  bmpField("bitfields-without-masks-room", (view) => view.setUint32(BMP.compression, 3, true));
  bmpField("pixel-offset-past-the-end", (view) => view.setUint32(BMP.pixelOffset, 0xfffffff0, true));
  bmpField("pixel-offset-0", (view) => view.setUint32(BMP.pixelOffset, 0, true));
  bmpField("pixel-offset-into-the-header", (view) => view.setUint32(BMP.pixelOffset, 20, true));
  bmpField("planes-0", (view) => view.setUint16(BMP.planes, 0, true));
  bmpField("header-size-64-os2-v2", (view) => view.setUint32(BMP.dibSize, 64, true));
  bmpField("header-size-0-not-a-bmp", (view) => view.setUint32(BMP.dibSize, 0, true));
  bmpField("header-size-1000000", (view) => view.setUint32(BMP.dibSize, 1_000_000, true));
  bmpField("file-size-field-wrong-is-ignored", (view) => view.setUint32(2, 7, true), "accept");
  const palette = sources.variants.get("bmp-8-bit-palette")!;
  list.add("bmp-palette-of-4294967295-colours", { bytes: patch(palette, (view) => view.setUint32(BMP.colorsUsed, 0xffffffff, true)), expect: "reject" });
  list.add("bmp-palette-of-2-colours-pixels-beyond-it", { bytes: patch(palette, (view) => view.setUint32(BMP.colorsUsed, 2, true)), expect: "reject" });
  const bitfields = sources.variants.get("bmp-32-bit-bitfields")!;
  list.add("bmp-bitfields-empty-red-mask", { bytes: patch(bitfields, (view) => view.setUint32(54, 0, true)), expect: "reject" });
  list.add("bmp-bitfields-non-contiguous-mask", { bytes: patch(bitfields, (view) => view.setUint32(54, 0x00f0f000, true)), expect: "reject" });

  list.add("tiff-first-ifd-past-the-end", { bytes: withFirstIfdOffset(tiff, 0x7ffffff0), expect: "reject" });
  list.add("tiff-first-ifd-at-0", { bytes: withFirstIfdOffset(tiff, 0), expect: "reject" });
  list.add("tiff-first-ifd-in-pixel-data", { bytes: withFirstIfdOffset(tiff, tiff.length - 200), expect: "reject" });
  list.add("tiff-ifd-entry-count-65535", { bytes: withTiffEntryCount(tiff, 0xffff), expect: "reject" });
  list.add("tiff-ifd-entry-count-0", { bytes: withTiffEntryCount(tiff, 0), expect: "reject" });
  list.add("tiff-next-ifd-points-to-itself", { bytes: withNextIfdOffset(tiff, 8), expect: "either" });
  list.add("tiff-next-ifd-past-the-end", { bytes: withNextIfdOffset(tiff, 0x7ffffff0), expect: "either" });
  list.add("tiff-compression-99", { bytes: withTiffValue(tiff, TIFF_TAG.compression, 99), expect: "reject" });
  list.add("tiff-compression-jpeg-on-raw-pixels", { bytes: withTiffValue(tiff, TIFF_TAG.compression, 7), expect: "reject" });
  list.add("tiff-compression-lzw-on-raw-pixels", { bytes: withTiffValue(tiff, TIFF_TAG.compression, 5), expect: "reject" });
  list.add("tiff-bits-per-sample-pointing-at-the-header", { bytes: withTiffValue(tiff, TIFF_TAG.bitsPerSample, 0), expect: "reject" });
  list.add("tiff-strip-offset-past-the-end", { bytes: withTiffValue(tiff, TIFF_TAG.stripOffsets, 0x7ffffff0), expect: "reject" });
  list.add("tiff-strip-byte-count-4294967295", { bytes: withTiffValue(tiff, TIFF_TAG.stripByteCounts, 0xffffffff), expect: "either" });
  list.add("tiff-strip-byte-count-0", { bytes: withTiffValue(tiff, TIFF_TAG.stripByteCounts, 0), expect: "either" });
  list.add("tiff-photometric-palette-without-colormap", { bytes: withTiffValue(tiff, 262, 3), expect: "reject" });
  list.add("tiff-samples-per-pixel-200", { bytes: withTiffValue(tiff, 277, 200), expect: "reject" });

  const [ihdr, ...rest] = readPngChunks(png) as [PngChunk, ...PngChunk[]];
  const ihdrWith = (offset: number, value: number) => writePng([{ type: "IHDR", data: patch(ihdr.data, (_, data) => (data[offset] = value)) }, ...rest]);
  list.add("png-ihdr-bit-depth-3", { bytes: ihdrWith(8, 3), expect: "reject" });
  list.add("png-ihdr-bit-depth-16-on-8-bit-data", { bytes: ihdrWith(8, 16), expect: "reject" });
  list.add("png-ihdr-colour-type-5", { bytes: ihdrWith(9, 5), expect: "reject" });
  list.add("png-ihdr-colour-type-palette-without-plte", { bytes: ihdrWith(9, 3), expect: "reject" });
  list.add("png-ihdr-compression-method-1", { bytes: ihdrWith(10, 1), expect: "reject" });
  list.add("png-ihdr-filter-method-1", { bytes: ihdrWith(11, 1), expect: "reject" });
  list.add("png-ihdr-interlace-2", { bytes: ihdrWith(12, 2), expect: "reject" });
  list.add("png-ihdr-interlaced-flag-on-plain-data", { bytes: ihdrWith(12, 1), expect: "reject" });
  return list;
}

export function chunkAndSegmentCases(sources: ImageSources): CaseList {
  const list = new CaseList("chunks-and-segments");
  const { png, jpeg } = sources;
  const chunks = readPngChunks(png);
  const [ihdr] = chunks as [PngChunk];
  const idat = chunks.filter((chunk) => chunk.type === "IDAT");
  const others = chunks.filter((chunk) => chunk.type !== "IHDR" && chunk.type !== "IDAT" && chunk.type !== "IEND");
  const iend: PngChunk = { type: "IEND", data: new Uint8Array() };
  const idatBytes = concat(...idat.map((chunk) => chunk.data));
  const pngOf = (...parts: (PngChunk | Uint8Array)[]) => writePng(parts);
  const half = Math.floor(idatBytes.length / 2);

  list.add("png-ihdr-twice", { bytes: pngOf(ihdr, ihdr, ...others, ...idat, iend), expect: "either" });
  list.add("png-unknown-ancillary-chunk", { bytes: pngOf(ihdr, { type: "fuZz", data: ascii("garbage") }, ...others, ...idat, iend), expect: "accept" });
  list.add("png-unknown-critical-chunk", { bytes: pngOf(ihdr, { type: "FUZZ", data: ascii("garbage") }, ...others, ...idat, iend), expect: "either" });
  list.add("png-idat-split-in-two", { bytes: pngOf(ihdr, ...others, { type: "IDAT", data: idatBytes.slice(0, half) }, { type: "IDAT", data: idatBytes.slice(half) }, iend), expect: "accept" });
  list.add("png-empty-idat-first", { bytes: pngOf(ihdr, ...others, { type: "IDAT", data: new Uint8Array() }, ...idat, iend), expect: "either" });
  list.add("png-idat-crc-wrong", { bytes: pngOf(ihdr, ...others, encodePngChunk({ type: "IDAT", data: idatBytes }, { crc: 0xdeadbeef }), iend), expect: "either" });
  list.add("png-idat-length-2147483647", { bytes: pngOf(ihdr, ...others, encodePngChunk({ type: "IDAT", data: idatBytes }, { length: 0x7fffffff }), iend), expect: "reject" });
  list.add("png-idat-length-too-short-by-one", { bytes: pngOf(ihdr, ...others, encodePngChunk({ type: "IDAT", data: idatBytes }, { length: idatBytes.length - 1 }), iend), expect: "reject" });
  list.add("png-idat-not-zlib", { bytes: pngOf(ihdr, ...others, { type: "IDAT", data: new Uint8Array(idatBytes.length).fill(0xa5) }), expect: "reject" });
  list.add("png-idat-after-iend", { bytes: pngOf(ihdr, ...others, iend, ...idat), expect: "reject" });
  list.add("png-garbage-chunk-after-iend", { bytes: pngOf(ihdr, ...others, ...idat, iend, { type: "ZZZZ", data: ascii("trailing") }), expect: "either" });
  list.add("png-1000-text-chunks", {
    bytes: pngOf(ihdr, ...Array.from({ length: 1000 }, (_, i) => ({ type: "tEXt", data: ascii(`Comment\0note ${i}`) })), ...others, ...idat, iend),
    expect: "accept",
  });
  list.add("png-text-chunk-length-4294967295", { bytes: pngOf(ihdr, encodePngChunk({ type: "tEXt", data: ascii("Comment\0x") }, { length: 0xffffffff }), ...idat, iend), expect: "reject" });
  list.add("png-palette-chunk-in-rgb-image", { bytes: pngOf(ihdr, { type: "PLTE", data: new Uint8Array(768) }, ...others, ...idat, iend), expect: "either" });
  list.add("png-iccp-garbage-profile", { bytes: pngOf(ihdr, { type: "iCCP", data: concat("icc\0\0", new Uint8Array(64).fill(0x78)) }, ...idat, iend), expect: "either" });
  list.add("png-exif-chunk-garbage", { bytes: pngOf(ihdr, { type: "eXIf", data: ascii("MM\0*garbage garbage garbage") }, ...others, ...idat, iend), expect: "either" });
  list.add("png-exif-chunk-ifd-count-65535", {
    bytes: pngOf(ihdr, { type: "eXIf", data: concat(Uint8Array.of(0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0xff, 0xff), new Uint8Array(32)) }, ...others, ...idat, iend),
    expect: "either",
  });
  list.add("png-gamma-0", { bytes: pngOf(ihdr, { type: "gAMA", data: new Uint8Array(4) }, ...others, ...idat, iend), expect: "either" });

  const sos = readJpegSegments(jpeg).find((segment) => segment.marker === SOS)!;
  list.add("jpeg-sof-twice", { bytes: withSegmentRepeated(jpeg, isStartOfFrame), expect: "either" });
  list.add("jpeg-dqt-twice", { bytes: withSegmentRepeated(jpeg, (marker) => marker === DQT), expect: "either" });
  list.add("jpeg-without-dqt", { bytes: withoutJpegSegments(jpeg, DQT), expect: "reject" });
  list.add("jpeg-without-dht", { bytes: withoutJpegSegments(jpeg, DHT), expect: "either" });
  list.add("jpeg-without-sos", { bytes: concat(jpeg.subarray(0, sos.start), jpeg.subarray(sos.end)), expect: "reject" });
  list.add("jpeg-eoi-right-after-soi", { bytes: concat(jpeg.subarray(0, 2), Uint8Array.of(0xff, 0xd9), jpeg.subarray(2)), expect: "reject" });
  list.add("jpeg-app1-exif-garbage", { bytes: withSegmentsAfterSoi(jpeg, encodeJpegSegment(APP1, concat("Exif\0\0", new Uint8Array(200).fill(0x5a)))), expect: "either" });
  list.add("jpeg-app1-exif-ifd-count-65535", {
    bytes: withSegmentsAfterSoi(jpeg, encodeJpegSegment(APP1, concat("Exif\0\0", Uint8Array.of(0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 0xff, 0xff), new Uint8Array(40)))),
    expect: "either",
  });
  list.add("jpeg-app1-exif-ifd-pointing-at-itself", {
    bytes: withSegmentsAfterSoi(
      jpeg,
      encodeJpegSegment(APP1, concat("Exif\0\0", Uint8Array.of(0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x69, 0x87, 4, 0, 1, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0))),
    ),
    expect: "either",
  });
  list.add("jpeg-app1-exif-date-garbage", {
    bytes: withSegmentsAfterSoi(
      jpeg,
      encodeJpegSegment(APP1, concat("Exif\0\0", Uint8Array.of(0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x32, 0x01, 2, 0, 20, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0), "9999:99:99 99:99:99\0")),
    ),
    expect: "either",
  });
  list.add("jpeg-app2-icc-garbage", { bytes: withSegmentsAfterSoi(jpeg, encodeJpegSegment(APP2, concat("ICC_PROFILE\0", Uint8Array.of(1, 1), new Uint8Array(300).fill(0x33)))), expect: "either" });
  // A bogus length under 2 on an empty comment: libjpeg skips nothing and reads on from the next marker intact.
  list.add("jpeg-segment-length-0", { bytes: withSegmentsAfterSoi(jpeg, encodeJpegSegment(COM, new Uint8Array(), 0)), expect: "either" });
  list.add("jpeg-segment-length-1", { bytes: withSegmentsAfterSoi(jpeg, encodeJpegSegment(COM, new Uint8Array(), 1)), expect: "either" });
  list.add("jpeg-segment-length-past-the-end", { bytes: withSegmentsAfterSoi(jpeg, encodeJpegSegment(COM, ascii("short"), 0xffff)), expect: "reject" });
  list.add("jpeg-300-comment-segments", {
    bytes: withSegmentsAfterSoi(jpeg, ...Array.from({ length: 300 }, (_, i) => encodeJpegSegment(COM, ascii(`comment ${i}`)))),
    expect: "accept",
  });
  const sof = startOfFrame(jpeg);
  const sofWith = (edit: (view: DataView) => void) => patch(jpeg, edit);
  list.add("jpeg-sof-0-components", { bytes: sofWith((view) => view.setUint8(sof.start + 9, 0)), expect: "reject" });
  list.add("jpeg-sof-4-components-3-defined", { bytes: sofWith((view) => view.setUint8(sof.start + 9, 4)), expect: "reject" });
  list.add("jpeg-sof-precision-12", { bytes: sofWith((view) => view.setUint8(sof.start + 4, 12)), expect: "either" });
  list.add("jpeg-sof-precision-0", { bytes: sofWith((view) => view.setUint8(sof.start + 4, 0)), expect: "reject" });
  list.add("jpeg-baseline-data-marked-progressive", { bytes: sofWith((view) => view.setUint8(sof.start + 1, 0xc2)), expect: "either" });
  list.add("jpeg-baseline-data-marked-lossless", { bytes: sofWith((view) => view.setUint8(sof.start + 1, 0xc3)), expect: "either" });
  list.add("jpeg-baseline-data-marked-arithmetic", { bytes: sofWith((view) => view.setUint8(sof.start + 1, 0xc9)), expect: "either" });
  list.add("jpeg-restart-markers-in-the-scan", {
    bytes: concat(
      jpeg.subarray(0, sos.end + 200),
      Uint8Array.of(0xff, 0xd0),
      jpeg.subarray(sos.end + 200, sos.end + 400),
      Uint8Array.of(0xff, 0xd1),
      jpeg.subarray(sos.end + 400),
    ),
    expect: "either",
  });
  list.add("jpeg-quantisation-table-id-7", {
    bytes: (() => {
      const dqt = readJpegSegments(jpeg).find((segment) => segment.marker === DQT)!;
      return patch(jpeg, (view) => view.setUint8(dqt.start + 4, 0x07));
    })(),
    expect: "either",
  });
  return list;
}
