/**
 * Test-only BMP writer, written from the format description (not from decode-bmp.ts), so the decoder's tests check
 * it against an independent reading of the format.
 */
export interface TestBmpSpec {
  width: number;
  height: number;
  bitsPerPixel: 1 | 4 | 8 | 16 | 24 | 32;
  topDown?: boolean;
  /** 12 = OS/2 core, 40 = Windows 3, 56 = V3, 108 = V4, 124 = V5. */
  headerSize?: 12 | 40 | 56 | 64 | 108 | 124;
  /** 0 BI_RGB (default), 1 RLE8, 3 BI_BITFIELDS. */
  compression?: number;
  masks?: readonly [number, number, number];
  palette?: readonly (readonly [number, number, number])[];
  /** Palette index (<= 8 bits), packed value (16/32 bits), or 0xRRGGBB (24 bits). */
  pixel: (x: number, y: number) => number;
}

export function writeTestBmp(spec: TestBmpSpec): Uint8Array {
  const { width, height, bitsPerPixel } = spec;
  const headerSize = spec.headerSize ?? 40;
  const compression = spec.compression ?? 0;
  const palette = spec.palette ?? [];
  const core = headerSize === 12;
  const masksAfterHeader = headerSize === 40 && compression === 3 ? 12 : 0;
  const paletteBytes = palette.length * (core ? 3 : 4);
  const pixelOffset = 14 + headerSize + masksAfterHeader + paletteBytes;
  const stride = Math.ceil((width * bitsPerPixel) / 32) * 4;
  const fileSize = pixelOffset + stride * height;
  const bytes = new Uint8Array(fileSize);
  const view = new DataView(bytes.buffer);

  bytes[0] = 0x42;
  bytes[1] = 0x4d;
  view.setUint32(2, fileSize, true);
  view.setUint32(10, pixelOffset, true);
  view.setUint32(14, headerSize, true);
  if (core) {
    view.setUint16(18, width, true);
    view.setUint16(20, height, true);
    view.setUint16(22, 1, true);
    view.setUint16(24, bitsPerPixel, true);
  } else {
    view.setInt32(18, width, true);
    view.setInt32(22, spec.topDown ? -height : height, true);
    view.setUint16(26, 1, true);
    view.setUint16(28, bitsPerPixel, true);
    view.setUint32(30, compression, true);
    view.setUint32(34, stride * height, true);
    view.setInt32(38, 2835, true);
    view.setInt32(42, 2835, true);
    view.setUint32(46, palette.length, true);
    if (spec.masks) {
      // Inside V2+ headers, or right after a Windows 3 header: the same file offset either way.
      spec.masks.forEach((mask, i) => view.setUint32(54 + i * 4, mask, true));
    }
  }
  let at = 14 + headerSize + masksAfterHeader;
  for (const [r, g, b] of palette) {
    bytes[at] = b;
    bytes[at + 1] = g;
    bytes[at + 2] = r;
    at += core ? 3 : 4;
  }
  for (let y = 0; y < height; y++) {
    // Rows are stored bottom-up unless the height is negative (never in core headers).
    const fileRow = core || !spec.topDown ? height - 1 - y : y;
    const rowStart = pixelOffset + fileRow * stride;
    for (let x = 0; x < width; x++) {
      const value = spec.pixel(x, y);
      if (bitsPerPixel <= 8) {
        const perByte = 8 / bitsPerPixel;
        const shift = 8 - bitsPerPixel * ((x % perByte) + 1);
        const index = rowStart + Math.floor(x / perByte);
        bytes[index] = (bytes[index] ?? 0) | (value << shift);
      } else if (bitsPerPixel === 16) {
        view.setUint16(rowStart + x * 2, value, true);
      } else if (bitsPerPixel === 24) {
        bytes[rowStart + x * 3] = value & 0xff;
        bytes[rowStart + x * 3 + 1] = (value >> 8) & 0xff;
        bytes[rowStart + x * 3 + 2] = (value >> 16) & 0xff;
      } else {
        view.setUint32(rowStart + x * 4, value >>> 0, true);
      }
    }
  }
  return bytes;
}
