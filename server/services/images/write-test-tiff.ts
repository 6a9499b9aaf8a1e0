/** Test-only writer of a minimal uncompressed RGB TIFF with an optional DateTime tag (sharp's writer has none). */
export interface TestTiffSpec {
  width: number;
  height: number;
  littleEndian?: boolean;
  dateTime?: string;
  pixel: (x: number, y: number) => readonly [number, number, number];
}

export function writeTestTiff(spec: TestTiffSpec): Uint8Array {
  const { width, height } = spec;
  const le = spec.littleEndian ?? true;
  const pixelBytes = width * height * 3;
  const date = spec.dateTime === undefined ? null : new TextEncoder().encode(`${spec.dateTime}\0`);
  const entries: [tag: number, type: number, count: number, value: number][] = [];
  const entryCount = date ? 10 : 9;
  const ifdOffset = 8;
  const ifdSize = 2 + entryCount * 12 + 4;
  const bitsAt = ifdOffset + ifdSize;
  const dateAt = bitsAt + 6;
  const pixelsAt = dateAt + (date?.length ?? 0);
  // Tags in ascending order, as the format requires.
  entries.push([256, 4, 1, width], [257, 4, 1, height], [258, 3, 3, bitsAt], [259, 3, 1, 1], [262, 3, 1, 2]);
  entries.push([273, 4, 1, pixelsAt], [277, 3, 1, 3], [278, 4, 1, height], [279, 4, 1, pixelBytes]);
  if (date) entries.push([306, 2, date.length, dateAt]);

  const bytes = new Uint8Array(pixelsAt + pixelBytes);
  const view = new DataView(bytes.buffer);
  bytes.set(le ? [0x49, 0x49] : [0x4d, 0x4d]);
  view.setUint16(2, 42, le);
  view.setUint32(4, ifdOffset, le);
  view.setUint16(ifdOffset, entryCount, le);
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdOffset + 2 + i * 12;
    view.setUint16(at, tag, le);
    view.setUint16(at + 2, type, le);
    view.setUint32(at + 4, count, le);
    // SHORT values sit in the first two bytes of the value field.
    if (type === 3 && count === 1) view.setUint16(at + 8, value, le);
    else view.setUint32(at + 8, value, le);
  });
  for (let i = 0; i < 3; i++) view.setUint16(bitsAt + i * 2, 8, le);
  if (date) bytes.set(date, dateAt);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) bytes.set(spec.pixel(x, y), pixelsAt + (y * width + x) * 3);
  }
  return bytes;
}
