/**
 * Test-only files: real dermoscopy images from ../shared/data, and damaged or hostile copies written to a temp dir,
 * the way an upload would arrive.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { DERMAMNIST_28_DIR, HAM10000_SAMPLE_DIR, ISIC2019_180_DIR } from "@/ml/data/shared-data";

export function hamSampleImage(index = 0): Uint8Array<ArrayBuffer> {
  const dir = path.join(HAM10000_SAMPLE_DIR, "images");
  const name = readdirSync(dir).sort()[index];
  if (!name) throw new Error(`no image ${index} in ${dir}`);
  return readFileSync(path.join(dir, name));
}

export function isicImage(): Uint8Array<ArrayBuffer> {
  const dir = path.join(ISIC2019_180_DIR, "train", "benign");
  return readFileSync(path.join(dir, readdirSync(dir).sort()[0]!));
}

export function dermamnistImage(): Uint8Array<ArrayBuffer> {
  return readFileSync(path.join(DERMAMNIST_28_DIR, "images", "DermaMNIST_train_00000.jpg"));
}

/** A temp folder for damaged copies; remove() deletes it. */
export function tempFolder(prefix: string): { dir: string; write(name: string, bytes: Uint8Array | string): Uint8Array<ArrayBuffer>; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    write(name, bytes) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      return readFileSync(file);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(new TextEncoder().encode(type), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/**
 * A valid 1-bit greyscale PNG of side x side pixels, every pixel black: a 30000 x 30000 one is about 110 KB on disk
 * and 2.7 GB once decoded to RGB. Written directly (sharp takes ~20 s to make one this size).
 */
export function decompressionBombPng(side: number): Uint8Array<ArrayBuffer> {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, side);
  view.setUint32(4, side);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, filter 0, no interlace
  const row = Math.ceil(side / 8) + 1; // filter byte + packed bits
  const raw = new Uint8Array(row * side); // all zero: filter "none", black pixels
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [signature, pngChunk("IHDR", header), pngChunk("IDAT", deflateSync(raw, { level: 9 })), pngChunk("IEND", new Uint8Array())];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
