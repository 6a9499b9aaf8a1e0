/**
 * Cases that damage a file as a whole rather than one field: nothing at all, the first few bytes only, a file cut
 * short, the wrong magic number, two files in one (polyglots), and seeded random byte changes.
 */
import { PAYLOAD, TEXT_FILES, foreignHeaders, zipArchive } from "./foreign-files";
import { ascii, concat, overwrite, prefix } from "./bytes";
import { CaseList } from "./image-fuzz-case";
import type { ImageSources } from "./image-sources";
import { COM, encodeJpegSegment, readJpegSegments, SOS, withSegmentsAfterSoi } from "./jpeg-structure";
import { encodePngChunk, PNG_SIGNATURE, readPngChunks, writePng } from "./png-structure";
import type { SeededRandom } from "./seeded-random";

/** Prefix lengths 1..PREFIX_MAX of each format: every magic number and fixed header is shorter than 16 bytes. */
export const PREFIX_MAX = 16;
/** Where each format is cut, as a fraction of its length. */
export const TRUNCATION_POINTS = [0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.98] as const;

function mainFormats(sources: ImageSources): [string, Uint8Array][] {
  return [
    ["jpeg", sources.jpeg],
    ["jpeg-progressive", sources.jpegProgressive],
    ["png", sources.png],
    ["tiff", sources.tiff],
    ["bmp", sources.bmp],
  ];
}

export function emptyCases(): CaseList {
  return new CaseList("empty").add("zero-bytes", { bytes: new Uint8Array(), expect: "reject", code: "EMPTY" });
}

export function prefixCases(sources: ImageSources): CaseList {
  const list = new CaseList("prefix");
  for (const [format, bytes] of mainFormats(sources)) {
    if (format === "jpeg-progressive") continue; // same first bytes as the baseline JPEG
    for (let length = 1; length <= PREFIX_MAX; length++) {
      list.add(`${format}-first-${length}-bytes`, { bytes: prefix(bytes, length), expect: "reject" });
    }
  }
  return list;
}

export function truncationCases(sources: ImageSources): CaseList {
  const list = new CaseList("truncated");
  for (const [format, bytes] of mainFormats(sources)) {
    for (const point of TRUNCATION_POINTS) {
      list.add(`${format}-cut-at-${Math.round(point * 100)}-percent`, { bytes: prefix(bytes, Math.floor(bytes.length * point)), expect: "reject" });
    }
  }
  list.add("jpeg-large-cut-at-60-percent", { bytes: prefix(sources.jpegLarge, Math.floor(sources.jpegLarge.length * 0.6)), expect: "reject" });
  // Only the end-of-image marker or the IEND chunk missing: every pixel is there, so a decoder may accept it.
  list.add("jpeg-without-eoi-marker", { bytes: prefix(sources.jpeg, sources.jpeg.length - 2), expect: "either" });
  list.add("jpeg-without-last-byte", { bytes: prefix(sources.jpeg, sources.jpeg.length - 1), expect: "either" });
  list.add("png-without-iend-chunk", { bytes: prefix(sources.png, sources.png.length - 12), expect: "either" });
  list.add("png-without-iend-crc", { bytes: prefix(sources.png, sources.png.length - 4), expect: "either" });
  // The last pixel row short by one byte: pixels are missing.
  list.add("tiff-without-last-byte", { bytes: prefix(sources.tiff, sources.tiff.length - 1), expect: "reject" });
  list.add("bmp-without-last-byte", { bytes: prefix(sources.bmp, sources.bmp.length - 1), expect: "reject" });
  const sos = readJpegSegments(sources.jpeg).find((segment) => segment.marker === SOS)!;
  list.add("jpeg-headers-only-no-scan-data", { bytes: prefix(sources.jpeg, sos.end), expect: "reject" });
  list.add("jpeg-headers-then-eoi", { bytes: concat(prefix(sources.jpeg, sos.end), Uint8Array.of(0xff, 0xd9)), expect: "reject" });
  const [ihdr] = readPngChunks(sources.png);
  list.add("png-signature-and-ihdr-only", { bytes: writePng([ihdr!]), expect: "reject" });
  list.add("png-without-idat", { bytes: writePng(readPngChunks(sources.png).filter((chunk) => chunk.type !== "IDAT")), expect: "reject" });
  return list;
}

export function wrongMagicCases(sources: ImageSources): CaseList {
  const list = new CaseList("wrong-magic");
  for (const [name, text] of Object.entries(TEXT_FILES)) list.add(name, { bytes: ascii(text), expect: "reject", code: "UNSUPPORTED_TYPE" });
  for (const [name, bytes] of Object.entries(foreignHeaders())) list.add(name, { bytes, expect: "reject", code: "UNSUPPORTED_TYPE" });
  for (const [name, bytes] of sources.otherFormats) list.add(`real-${name}-image`, { bytes, expect: "reject", code: "UNSUPPORTED_TYPE" });
  list.add("jpeg-body-with-png-signature-over-its-start", { bytes: overwrite(sources.jpeg, 0, PNG_SIGNATURE), expect: "reject", code: "CORRUPT" });
  list.add("jpeg-body-after-png-signature", { bytes: concat(PNG_SIGNATURE, sources.jpeg), expect: "reject", code: "CORRUPT" });
  list.add("png-body-after-jpeg-soi", { bytes: concat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0), sources.png), expect: "reject", code: "CORRUPT" });
  list.add("jpeg-body-after-tiff-magic", { bytes: concat(Uint8Array.of(0x49, 0x49, 0x2a, 0x00), sources.jpeg), expect: "reject", code: "CORRUPT" });
  list.add("jpeg-body-with-tiff-magic-over-its-start", { bytes: overwrite(sources.jpeg, 0, Uint8Array.of(0x4d, 0x4d, 0x00, 0x2a)), expect: "reject", code: "CORRUPT" });
  // "BM" + a plausible header size: sniffed as BMP, then the JS BMP decoder meets JPEG bytes.
  const bmpHead = overwrite(new Uint8Array(18), 0, concat("BM", new Uint8Array(12), Uint8Array.of(40, 0, 0, 0)));
  list.add("jpeg-body-after-bmp-header", { bytes: concat(bmpHead, sources.jpeg), expect: "reject" });
  list.add("svg-after-png-signature", { bytes: concat(PNG_SIGNATURE, TEXT_FILES.svg!), expect: "reject", code: "CORRUPT" });
  list.add("svg-after-tiff-magic", { bytes: concat(Uint8Array.of(0x4d, 0x4d, 0x00, 0x2a), TEXT_FILES.svg!), expect: "reject", code: "CORRUPT" });
  list.add("jpeg-bytes-reversed", { bytes: Uint8Array.from(sources.jpeg).reverse(), expect: "reject" });
  list.add("png-with-lowercase-signature", { bytes: overwrite(sources.png, 1, "png"), expect: "reject", code: "UNSUPPORTED_TYPE" });
  return list;
}

export function polyglotCases(sources: ImageSources): CaseList {
  const list = new CaseList("polyglot");
  const html = ascii(TEXT_FILES.html!);
  const zip = zipArchive();
  // A valid image with another file appended: the photo is accepted and the appendix must not be stored.
  list.add("jpeg-then-zip", { bytes: concat(sources.jpeg, zip), expect: "accept", payload: PAYLOAD });
  list.add("jpeg-then-html", { bytes: concat(sources.jpeg, html), expect: "accept", payload: PAYLOAD });
  list.add("jpeg-then-png", { bytes: concat(sources.jpeg, sources.png), expect: "accept" });
  list.add("jpeg-then-another-jpeg", { bytes: concat(sources.jpeg, sources.jpegLarge), expect: "accept" });
  list.add("png-then-zip-after-iend", { bytes: concat(sources.png, zip), expect: "accept", payload: PAYLOAD });
  list.add("tiff-then-html", { bytes: concat(sources.tiff, html), expect: "accept", payload: PAYLOAD });
  list.add("bmp-then-zip", { bytes: concat(sources.bmp, zip), expect: "accept", payload: PAYLOAD });
  // Another file inside the image's own metadata: also accepted, also never stored.
  list.add("jpeg-comment-holding-html", { bytes: withSegmentsAfterSoi(sources.jpeg, encodeJpegSegment(COM, html)), expect: "accept", payload: PAYLOAD });
  list.add("jpeg-app15-holding-zip", { bytes: withSegmentsAfterSoi(sources.jpeg, encodeJpegSegment(0xef, zip)), expect: "accept", payload: PAYLOAD });
  list.add("jpeg-comment-holding-pdf", {
    bytes: withSegmentsAfterSoi(sources.jpeg, encodeJpegSegment(COM, ascii(`%PDF-1.4 ${PAYLOAD}`))),
    expect: "accept",
    payload: PAYLOAD,
  });
  const chunks = readPngChunks(sources.png);
  const text = { type: "tEXt", data: concat("Comment\0", html) };
  list.add("png-text-chunk-holding-html", { bytes: writePng([chunks[0]!, text, ...chunks.slice(1)]), expect: "accept", payload: PAYLOAD });
  // Another file first, an image after it: the file is what its first bytes say.
  list.add("html-then-jpeg", { bytes: concat(html, sources.jpeg), expect: "reject", code: "UNSUPPORTED_TYPE" });
  list.add("pdf-header-then-jpeg", { bytes: concat("%PDF-1.7\n", sources.jpeg), expect: "reject", code: "UNSUPPORTED_TYPE" });
  list.add("zip-then-jpeg", { bytes: concat(zip, sources.jpeg), expect: "reject", code: "UNSUPPORTED_TYPE" });
  list.add("gif-header-then-jpeg", { bytes: concat("GIF89a", Uint8Array.of(0xb4, 0, 0xb4, 0, 0, 0, 0), sources.jpeg), expect: "reject", code: "UNSUPPORTED_TYPE" });
  list.add("png-signature-and-ihdr-then-jpeg", { bytes: concat(writePng([chunks[0]!]), sources.jpeg), expect: "reject", code: "CORRUPT" });
  list.add("jpeg-soi-then-pdf", { bytes: concat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0), PDF_HEAD), expect: "reject", code: "CORRUPT" });
  list.add("png-signature-then-zip", { bytes: concat(PNG_SIGNATURE, encodePngChunk({ type: "zIPp", data: zip })), expect: "reject", code: "CORRUPT" });
  return list;
}

const PDF_HEAD = ascii("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

/** Where a format's "body" starts: after the magic number, so a flip is not simply a wrong-magic case. */
const BODY_START: Readonly<Record<string, number>> = { jpeg: 3, "jpeg-progressive": 3, png: 8, tiff: 4, bmp: 2 };

/** Seeded changes of 1-8 bytes (XOR with a non-zero value) in each format. */
export function byteFlipCases(sources: ImageSources, random: SeededRandom, perFormat: Readonly<Record<string, number>>): CaseList {
  const list = new CaseList("byte-flips");
  for (const [format, bytes] of mainFormats(sources)) {
    const count = perFormat[format] ?? 0;
    for (let i = 0; i < count; i++) {
      const flips = random.int(1, 8);
      const start = BODY_START[format] ?? 0;
      const mutated = Uint8Array.from(bytes);
      const positions: number[] = [];
      for (let f = 0; f < flips; f++) {
        const at = random.int(start, bytes.length - 1);
        mutated[at] = mutated[at]! ^ random.int(1, 255);
        positions.push(at);
      }
      list.add(`${format}-${i + 1}-at-${positions.sort((a, b) => a - b).join("-")}`, { bytes: mutated, expect: "either" });
    }
  }
  return list;
}
