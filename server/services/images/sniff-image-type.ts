/**
 * The file's type from its first bytes (magic numbers), never from its name or the browser's claim: a text file
 * called photo.jpg is text. Known formats we do not accept are named, so the message can say what the file is.
 */

import { looksLikeBmp } from "@/ml/data/bmp/decode-bmp";

export const ACCEPTED_IMAGE_TYPES = ["jpeg", "png", "bmp", "tiff"] as const;
export type AcceptedImageType = (typeof ACCEPTED_IMAGE_TYPES)[number];

export type SniffResult =
  | { accepted: true; type: AcceptedImageType }
  | { accepted: false; /** What the bytes look like, for the message; null when unrecognised. */ looksLike: string | null };

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

export function sniffImageType(bytes: Uint8Array): SniffResult {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { accepted: true, type: "jpeg" };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { accepted: true, type: "png" };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { accepted: true, type: "tiff" };
  }
  if (looksLikeBmp(bytes)) return { accepted: true, type: "bmp" };
  return { accepted: false, looksLike: recogniseOther(bytes) };
}

function recogniseOther(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) return "BigTIFF";
  if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") return "GIF";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return "WebP";
  if (ascii(bytes, 4, 4) === "ftyp") {
    const brand = ascii(bytes, 8, 4);
    if (brand.startsWith("avi")) return "AVIF";
    if (brand.startsWith("hei") || brand.startsWith("hev") || brand === "mif1" || brand === "msf1") return "HEIC";
    return "a video or ISO media file";
  }
  if (ascii(bytes, 128, 4) === "DICM") return "DICOM";
  if (ascii(bytes, 0, 5) === "%PDF-") return "PDF";
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return "a ZIP archive";
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])) {
    return "JPEG 2000";
  }
  if (looksLikeText(bytes)) return "text";
  return null;
}

/** Valid UTF-8 in the first 512 bytes with hardly any control characters: HTML, SVG, CSV, a note renamed .jpg. */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512);
  if (head.length === 0) return false;
  let decoded: string | null = null;
  // The 512-byte cut may split a multi-byte character: allow up to 3 bytes to be dropped from the end.
  for (let drop = 0; drop <= 3 && decoded === null; drop++) {
    try {
      decoded = new TextDecoder("utf-8", { fatal: true }).decode(head.subarray(0, head.length - drop));
    } catch {
      decoded = null;
    }
  }
  if (decoded === null || decoded.length === 0) return false;
  const control = decoded.match(/[\u0000-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  return control / decoded.length < 0.02;
}

export const IMAGE_TYPE_LABELS: Record<AcceptedImageType, string> = { jpeg: "JPEG", png: "PNG", bmp: "BMP", tiff: "TIFF" };
