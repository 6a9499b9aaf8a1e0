/** Finding and rewriting entries of a classic TIFF's first IFD (size, strip offsets, sample depth ...). */
import { patch } from "./bytes";

export const TIFF_TAG = {
  width: 256,
  height: 257,
  bitsPerSample: 258,
  compression: 259,
  stripOffsets: 273,
  stripByteCounts: 279,
} as const;

const TYPE_SHORT = 3;

function littleEndian(tiff: Uint8Array): boolean {
  return tiff[0] === 0x49;
}

/** Offset of the first IFD (bytes 4-7 of the header). */
export function firstIfdOffset(tiff: Uint8Array): number {
  return new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength).getUint32(4, littleEndian(tiff));
}

/** Offset of the 12-byte entry for `tag` in the first IFD. */
export function tiffEntryOffset(tiff: Uint8Array, tag: number): number {
  const le = littleEndian(tiff);
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const ifd = firstIfdOffset(tiff);
  const count = view.getUint16(ifd, le);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (view.getUint16(entry, le) === tag) return entry;
  }
  throw new RangeError(`TIFF tag ${tag} not in the first IFD`);
}

/** The tag's (single, inline) value set to `value`, written as SHORT or LONG as the entry's type says. */
export function withTiffValue(tiff: Uint8Array, tag: number, value: number): Uint8Array {
  const entry = tiffEntryOffset(tiff, tag);
  const le = littleEndian(tiff);
  return patch(tiff, (view) => {
    if (view.getUint16(entry + 2, le) === TYPE_SHORT && view.getUint32(entry + 4, le) === 1) view.setUint16(entry + 8, value, le);
    else view.setUint32(entry + 8, value >>> 0, le);
  });
}

/** The first IFD's entry count rewritten (e.g. to 0xFFFF, far more entries than the file holds). */
export function withTiffEntryCount(tiff: Uint8Array, count: number): Uint8Array {
  const ifd = firstIfdOffset(tiff);
  return patch(tiff, (view) => view.setUint16(ifd, count, littleEndian(tiff)));
}

/** The header's pointer to the first IFD rewritten. */
export function withFirstIfdOffset(tiff: Uint8Array, offset: number): Uint8Array {
  return patch(tiff, (view) => view.setUint32(4, offset >>> 0, littleEndian(tiff)));
}

/** The first IFD's "next IFD" pointer rewritten (to itself: a loop). */
export function withNextIfdOffset(tiff: Uint8Array, offset: number): Uint8Array {
  const le = littleEndian(tiff);
  const ifd = firstIfdOffset(tiff);
  return patch(tiff, (view) => view.setUint32(ifd + 2 + view.getUint16(ifd, le) * 12, offset >>> 0, le));
}
