/** Byte-level editing for the fuzz corpora: every helper returns a new array and never touches its input. */

export type ByteParts = readonly (Uint8Array | string)[];

const encoder = new TextEncoder();

export function ascii(text: string): Uint8Array {
  return encoder.encode(text);
}

export function concat(...parts: ByteParts): Uint8Array {
  const arrays = parts.map((part) => (typeof part === "string" ? ascii(part) : part));
  const out = new Uint8Array(arrays.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of arrays) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A copy of `bytes` changed by `edit` (through a DataView over the copy). */
export function patch(bytes: Uint8Array, edit: (view: DataView, copy: Uint8Array) => void): Uint8Array {
  const copy = Uint8Array.from(bytes);
  edit(new DataView(copy.buffer), copy);
  return copy;
}

/** A copy with `replacement` written over the bytes at `offset`. */
export function overwrite(bytes: Uint8Array, offset: number, replacement: Uint8Array | string): Uint8Array {
  return patch(bytes, (_, copy) => copy.set(typeof replacement === "string" ? ascii(replacement) : replacement, offset));
}

/** The first `length` bytes (a copy, so later edits of the source cannot leak in). */
export function prefix(bytes: Uint8Array, length: number): Uint8Array {
  return bytes.slice(0, Math.max(0, Math.min(length, bytes.length)));
}

export function indexOfBytes(bytes: Uint8Array, needle: Uint8Array | string, from = 0): number {
  const sought = typeof needle === "string" ? ascii(needle) : needle;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(sought, from);
}

export function containsBytes(bytes: Uint8Array, needle: Uint8Array | string): boolean {
  return indexOfBytes(bytes, needle) >= 0;
}
