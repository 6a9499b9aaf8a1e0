/**
 * Reading and rewriting PNG chunks, so a mutation can change one field (IHDR's size, a chunk's length) and either
 * recompute the CRC, which makes the damage reach the decoder's logic, or keep the stale one, which tests the checksum.
 */
import { ascii, concat } from "./bytes";

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export interface PngChunk {
  type: string;
  data: Uint8Array;
}

export function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** One chunk as stored: length, type, data, CRC (computed unless `crc` is given). */
export function encodePngChunk(chunk: PngChunk, options: { crc?: number; length?: number } = {}): Uint8Array {
  const out = new Uint8Array(12 + chunk.data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, options.length ?? chunk.data.length);
  out.set(ascii(chunk.type), 4);
  out.set(chunk.data, 8);
  view.setUint32(8 + chunk.data.length, options.crc ?? crc32(out.subarray(4, 8 + chunk.data.length)));
  return out;
}

/** The chunks of a well-formed PNG (throws on anything else: only used on files the corpus made itself). */
export function readPngChunks(png: Uint8Array): PngChunk[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let at = PNG_SIGNATURE.length;
  while (at < png.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (at + 12 + length > png.length) throw new RangeError(`PNG chunk ${type} runs past the end`);
    chunks.push({ type, data: png.slice(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}

export function writePng(chunks: readonly (PngChunk | Uint8Array)[]): Uint8Array {
  return concat(PNG_SIGNATURE, ...chunks.map((chunk) => (chunk instanceof Uint8Array ? chunk : encodePngChunk(chunk))));
}

/** IHDR with another width and height; the CRC is recomputed unless `staleCrc`. */
export function withPngSize(png: Uint8Array, width: number, height: number, options: { staleCrc?: boolean } = {}): Uint8Array {
  const chunks = readPngChunks(png);
  const ihdr = chunks[0];
  if (ihdr?.type !== "IHDR") throw new RangeError("PNG does not start with IHDR");
  const data = Uint8Array.from(ihdr.data);
  const view = new DataView(data.buffer);
  view.setUint32(0, width >>> 0);
  view.setUint32(4, height >>> 0);
  const first = options.staleCrc ? encodePngChunk({ type: "IHDR", data }, { crc: crc32(concat("IHDR", ihdr.data)) }) : { type: "IHDR", data };
  return writePng([first, ...chunks.slice(1)]);
}
