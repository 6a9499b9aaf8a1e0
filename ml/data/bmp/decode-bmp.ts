/**
 * A small BMP decoder, because sharp's bundled libvips has no BMP loader. The one BMP decoder of the project: the
 * upload pipeline (server/services/images) and ml/data's decodeToRgb (training, evaluation, the CLIs) both use it. It covers what cameras, scanners and
 * Windows tools actually write for photographs: uncompressed 1/4/8-bit palette, 16-bit (5-5-5 or bit fields), 24-bit
 * and 32-bit (BI_RGB or BI_BITFIELDS), bottom-up or top-down rows, with the Windows 3 (40-byte), V2-V5 and OS/2 1.x
 * core headers. Everything else (RLE, embedded JPEG/PNG, OS/2 2.x) is refused with a reason rather than guessed at.
 *
 * The pixel count is checked against the limit before any pixel buffer is allocated, so a BMP header claiming
 * 100000x100000 costs nothing. Colour-space fields of V4/V5 headers are ignored (pixels are taken as sRGB), and alpha
 * is dropped: the pipeline stores opaque RGB.
 */

/** Why a BMP could not be decoded: a stable code and a sentence the uploader (or the CLI user) can act on. */
export class BmpDecodeError extends Error {
  override readonly name = "BmpDecodeError";
  constructor(
    readonly code: "CORRUPT" | "UNSUPPORTED_TYPE" | "TOO_MANY_PIXELS",
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
  }
}

/** "BM" and a known DIB header size: the check every caller (upload sniffing, ml decoding) uses. */
const BMP_DIB_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

export function looksLikeBmp(bytes: Uint8Array): boolean {
  if (bytes.length < 18 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) return false;
  const dibSize = (bytes[14] ?? 0) | ((bytes[15] ?? 0) << 8) | ((bytes[16] ?? 0) << 16) | ((bytes[17] ?? 0) << 24);
  return BMP_DIB_HEADER_SIZES.has(dibSize);
}

const formatMegapixels = (pixels: number) => `${Number((pixels / 1_000_000).toFixed(1))} megapixels`;

export interface DecodedBmp {
  width: number;
  height: number;
  channels: 3;
  /** RGB, row-major, top row first. */
  data: Uint8Array;
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;

const COMPRESSION_NAMES: Record<number, string> = {
  [BI_RLE8]: "RLE8-compressed",
  [BI_RLE4]: "RLE4-compressed",
  [BI_JPEG]: "JPEG-in-BMP",
  [BI_PNG]: "PNG-in-BMP",
};

const FILE_HEADER_SIZE = 14;
const CORE_HEADER_SIZE = 12;
const OS2_V2_HEADER_SIZE = 64;
const INFO_HEADER_SIZE = 40;

function corrupt(detail: string): BmpDecodeError {
  return new BmpDecodeError("CORRUPT", `The BMP file is damaged: ${detail}.`);
}

function unsupported(detail: string): BmpDecodeError {
  return new BmpDecodeError("UNSUPPORTED_TYPE", `This kind of BMP (${detail}) is not supported. Save it as PNG or JPEG and upload again.`);
}

interface ChannelMask {
  mask: number;
  shift: number;
  max: number;
}

function channelMask(mask: number, name: string): ChannelMask {
  if (mask === 0) throw unsupported(`bit fields with an empty ${name} mask`);
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift += 1;
  const max = mask >>> shift;
  // A mask must be one run of set bits (e.g. 0x7C00), otherwise the "value" is meaningless.
  if ((max & (max + 1)) !== 0) throw corrupt(`the ${name} bit mask 0x${mask.toString(16)} is not contiguous`);
  return { mask, shift, max };
}

function scaleChannel(pixel: number, channel: ChannelMask): number {
  return Math.round((((pixel & channel.mask) >>> channel.shift) * 255) / channel.max);
}

interface Header {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  colorsUsed: number;
  /** Where the palette or the bit-field masks that follow the header start. */
  afterHeader: number;
  paletteEntrySize: 3 | 4;
  masks: [number, number, number] | null;
}

function readHeader(view: DataView, length: number): Header {
  if (length < FILE_HEADER_SIZE + 4) throw corrupt("the file ends inside its header");
  const dibSize = view.getUint32(FILE_HEADER_SIZE, true);
  if (dibSize === OS2_V2_HEADER_SIZE) throw unsupported("OS/2 2.x bitmap");
  if (dibSize !== CORE_HEADER_SIZE && dibSize < INFO_HEADER_SIZE) throw corrupt(`unknown header size ${dibSize}`);
  if (length < FILE_HEADER_SIZE + dibSize) throw corrupt("the file ends inside its header");
  const at = FILE_HEADER_SIZE + 4;

  if (dibSize === CORE_HEADER_SIZE) {
    const planes = view.getUint16(at + 4, true);
    if (planes !== 1) throw corrupt(`${planes} colour planes (must be 1)`);
    return {
      width: view.getUint16(at, true),
      height: view.getUint16(at + 2, true),
      topDown: false,
      bitsPerPixel: view.getUint16(at + 6, true),
      compression: BI_RGB,
      colorsUsed: 0,
      afterHeader: FILE_HEADER_SIZE + dibSize,
      paletteEntrySize: 3,
      masks: null,
    };
  }

  const width = view.getInt32(at, true);
  const rawHeight = view.getInt32(at + 4, true);
  const planes = view.getUint16(at + 8, true);
  if (planes !== 1) throw corrupt(`${planes} colour planes (must be 1)`);
  const bitsPerPixel = view.getUint16(at + 10, true);
  const compression = view.getUint32(at + 12, true);
  const colorsUsed = view.getUint32(at + 28, true);
  let afterHeader = FILE_HEADER_SIZE + dibSize;
  let masks: [number, number, number] | null = null;
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    // Windows 3 headers keep the masks after the header; V2 and later headers hold them at the same offset inside.
    const masksAt = FILE_HEADER_SIZE + INFO_HEADER_SIZE;
    if (dibSize === INFO_HEADER_SIZE) afterHeader += compression === BI_ALPHABITFIELDS ? 16 : 12;
    if (length < masksAt + 12) throw corrupt("the file ends inside its colour masks");
    masks = [view.getUint32(masksAt, true), view.getUint32(masksAt + 4, true), view.getUint32(masksAt + 8, true)];
  }
  return {
    width,
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel,
    compression,
    colorsUsed,
    afterHeader,
    paletteEntrySize: 4,
    masks,
  };
}

export interface DecodeBmpOptions {
  /** Refuse (TOO_MANY_PIXELS) before allocating when width x height exceeds this. */
  maxPixels: number;
}

export function decodeBmp(bytes: Uint8Array, options: DecodeBmpOptions): DecodedBmp {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 2 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw corrupt('it does not start with "BM"');
  const header = readHeader(view, bytes.length);
  const { width, height, bitsPerPixel, compression } = header;

  const compressionName = COMPRESSION_NAMES[compression];
  if (compressionName) throw unsupported(compressionName);
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw unsupported(`compression type ${compression}`);
  }
  if (width <= 0 || height <= 0) throw corrupt(`its size is ${width}x${height}`);
  if (width * height > options.maxPixels) {
    throw new BmpDecodeError(
      "TOO_MANY_PIXELS",
      `The image is ${width}x${height} pixels, more than the ${formatMegapixels(options.maxPixels)} allowed.`,
    );
  }

  const paletted = bitsPerPixel === 1 || bitsPerPixel === 4 || bitsPerPixel === 8;
  if (!paletted && bitsPerPixel !== 16 && bitsPerPixel !== 24 && bitsPerPixel !== 32) {
    throw unsupported(`${bitsPerPixel} bits per pixel`);
  }
  if (header.masks && bitsPerPixel !== 16 && bitsPerPixel !== 32) {
    throw corrupt(`bit-field masks with ${bitsPerPixel} bits per pixel`);
  }

  const pixelOffset = view.getUint32(10, true);
  const palette = paletted ? readPalette(bytes, header, pixelOffset) : null;
  const stride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  const lastRowEnd = pixelOffset + stride * (height - 1) + Math.ceil((bitsPerPixel * width) / 8);
  if (pixelOffset < header.afterHeader || lastRowEnd > bytes.length) {
    throw corrupt(`the pixel data is cut short (needs ${lastRowEnd} bytes, the file has ${bytes.length})`);
  }

  const out = new Uint8Array(width * height * 3);
  const decodeRow = palette
    ? paletteRowDecoder(bytes, bitsPerPixel, width, palette)
    : directRowDecoder(view, bitsPerPixel, width, header.masks);
  for (let row = 0; row < height; row++) {
    const sourceRow = header.topDown ? row : height - 1 - row;
    decodeRow(pixelOffset + sourceRow * stride, out, row * width * 3);
  }
  return { width, height, channels: 3, data: out };
}

function readPalette(bytes: Uint8Array, header: Header, pixelOffset: number): Uint8Array {
  const maxEntries = 1 << header.bitsPerPixel;
  // Without a colour count (always so in core headers) the palette fills the gap before the pixels, up to 2^bits:
  // writers commonly store fewer entries than the maximum.
  const entries =
    header.colorsUsed === 0
      ? Math.min(maxEntries, Math.floor((pixelOffset - header.afterHeader) / header.paletteEntrySize))
      : header.colorsUsed;
  if (entries < 1) throw corrupt("a palette image without a palette");
  if (entries > maxEntries) throw corrupt(`a palette of ${entries} colours for ${header.bitsPerPixel}-bit pixels`);
  const paletteEnd = header.afterHeader + entries * header.paletteEntrySize;
  if (paletteEnd > pixelOffset || paletteEnd > bytes.length) throw corrupt("the colour palette is cut short");
  const rgb = new Uint8Array(entries * 3);
  for (let i = 0; i < entries; i++) {
    const at = header.afterHeader + i * header.paletteEntrySize;
    rgb[i * 3] = bytes[at + 2]!;
    rgb[i * 3 + 1] = bytes[at + 1]!;
    rgb[i * 3 + 2] = bytes[at]!;
  }
  return rgb;
}

type RowDecoder = (rowStart: number, out: Uint8Array, outStart: number) => void;

function paletteRowDecoder(bytes: Uint8Array, bitsPerPixel: number, width: number, palette: Uint8Array): RowDecoder {
  const entries = palette.length / 3;
  const perByte = 8 / bitsPerPixel;
  const valueMask = (1 << bitsPerPixel) - 1;
  return (rowStart, out, outStart) => {
    for (let x = 0; x < width; x++) {
      const byte = bytes[rowStart + Math.floor(x / perByte)]!;
      // Pixels are packed most significant bits first.
      const index = (byte >> (8 - bitsPerPixel * ((x % perByte) + 1))) & valueMask;
      if (index >= entries) throw corrupt(`pixel colour index ${index} is outside its ${entries}-colour palette`);
      out[outStart + x * 3] = palette[index * 3]!;
      out[outStart + x * 3 + 1] = palette[index * 3 + 1]!;
      out[outStart + x * 3 + 2] = palette[index * 3 + 2]!;
    }
  };
}

function directRowDecoder(
  view: DataView,
  bitsPerPixel: number,
  width: number,
  masks: [number, number, number] | null,
): RowDecoder {
  if (bitsPerPixel === 24 || (bitsPerPixel === 32 && masks === null)) {
    const step = bitsPerPixel / 8;
    return (rowStart, out, outStart) => {
      for (let x = 0; x < width; x++) {
        const at = rowStart + x * step;
        out[outStart + x * 3] = view.getUint8(at + 2);
        out[outStart + x * 3 + 1] = view.getUint8(at + 1);
        out[outStart + x * 3 + 2] = view.getUint8(at);
      }
    };
  }
  // 16-bit without masks is 5-5-5 (top bit unused); 32-bit and 16-bit with masks use them.
  const [red, green, blue] = (masks ?? [0x7c00, 0x03e0, 0x001f]).map((mask, i) =>
    channelMask(mask, ["red", "green", "blue"][i]!),
  ) as [ChannelMask, ChannelMask, ChannelMask];
  const read = bitsPerPixel === 16 ? (at: number) => view.getUint16(at, true) : (at: number) => view.getUint32(at, true);
  const step = bitsPerPixel / 8;
  return (rowStart, out, outStart) => {
    for (let x = 0; x < width; x++) {
      const pixel = read(rowStart + x * step);
      out[outStart + x * 3] = scaleChannel(pixel, red);
      out[outStart + x * 3 + 1] = scaleChannel(pixel, green);
      out[outStart + x * 3 + 2] = scaleChannel(pixel, blue);
    }
  };
}
