/**
 * The real images every malformed case starts from: dermoscopy photographs from ../shared/data (ISIC 180 px and
 * HAM10000 600x450 JPEGs, a DermaMNIST 28 px JPEG re-saved as PNG), the same pixels written as TIFF and BMP by the
 * tests' own writers, and valid-but-unusual encodings (CMYK, 16-bit, greyscale, alpha, palette, interlaced ...).
 * Built with sharp, which is deterministic for a given sharp/libvips version, so the corpus is too.
 */
import sharp from "sharp";
import { writeTestBmp } from "@/ml/data/bmp/write-test-bmp";
import { dermamnistImage, hamSampleImage, isicImage } from "@/server/services/images/test-images";
import { writeTestTiff } from "@/server/services/images/write-test-tiff";

/** Side of the TIFF and BMP sources: above the usual minimum, small enough to decode in a millisecond. */
export const RASTER_SIDE = 64;

export interface ImageSources {
  /** ISIC 2019, 180x180 baseline JPEG: the main JPEG source. */
  jpeg: Uint8Array;
  /** HAM10000 600x450 JPEG as a camera would send it. */
  jpegLarge: Uint8Array;
  /** The ISIC image as a progressive JPEG (another decoder path, and truncation hits it differently). */
  jpegProgressive: Uint8Array;
  /** The ISIC image as PNG (180x180, RGB, one IDAT). */
  png: Uint8Array;
  /** A DermaMNIST 28x28 image as PNG. */
  pngSmall: Uint8Array;
  /** RASTER_SIDE px of the ISIC image, uncompressed RGB TIFF (little-endian) from write-test-tiff.ts. */
  tiff: Uint8Array;
  /** The same as 24-bit bottom-up BMP from ml/data/bmp/write-test-bmp.ts. */
  bmp: Uint8Array;
  /** Valid encodings that should all be accepted (name -> bytes). */
  variants: ReadonlyMap<string, Uint8Array>;
  /** Real images in formats the pipeline refuses (name -> bytes). */
  otherFormats: ReadonlyMap<string, Uint8Array>;
}

const asBytes = (buffer: Buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

async function rgbPixels(jpeg: Uint8Array, side: number): Promise<(x: number, y: number) => readonly [number, number, number]> {
  const data = await sharp(jpeg).resize(side, side).removeAlpha().raw().toBuffer();
  return (x, y) => {
    const at = (y * side + x) * 3;
    return [data[at]!, data[at + 1]!, data[at + 2]!];
  };
}

async function variants(isic: Uint8Array, pixel: (x: number, y: number) => readonly [number, number, number]): Promise<Map<string, Uint8Array>> {
  const from = () => sharp(isic);
  const side = RASTER_SIDE;
  const rgb24 = (x: number, y: number) => {
    const [r, g, b] = pixel(x, y);
    return (r << 16) | (g << 8) | b;
  };
  const grey = (x: number, y: number) => {
    const [r, g, b] = pixel(x, y);
    return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  };
  const greyPalette = Array.from({ length: 256 }, (_, i) => [i, i, i] as const);
  const out: [string, Promise<Buffer | Uint8Array> | Uint8Array][] = [
    ["jpeg-cmyk", from().toColourspace("cmyk").jpeg().toBuffer()],
    ["jpeg-greyscale", from().greyscale().jpeg().toBuffer()],
    ["jpeg-444-quality-100", from().jpeg({ quality: 100, chromaSubsampling: "4:4:4" }).toBuffer()],
    ["jpeg-exif-orientation-6", from().resize(120, 80).jpeg().withMetadata({ orientation: 6 }).toBuffer()],
    ["jpeg-optimised-trellis", from().jpeg({ optimiseCoding: true, trellisQuantisation: true }).toBuffer()],
    ["png-16-bit", from().toColourspace("rgb16").png().toBuffer()],
    ["png-greyscale", from().greyscale().png().toBuffer()],
    ["png-greyscale-alpha", from().greyscale().ensureAlpha(0.6).png().toBuffer()],
    ["png-rgba", from().ensureAlpha(0.5).png().toBuffer()],
    ["png-palette", from().png({ palette: true, colours: 64 }).toBuffer()],
    ["png-palette-2-colours", from().png({ palette: true, colours: 2 }).toBuffer()],
    ["png-interlaced", from().png({ progressive: true }).toBuffer()],
    ["tiff-lzw", from().tiff({ compression: "lzw" }).toBuffer()],
    ["tiff-deflate-tiled", from().tiff({ compression: "deflate", tile: true, tileWidth: 64, tileHeight: 64 }).toBuffer()],
    ["tiff-jpeg", from().tiff({ compression: "jpeg" }).toBuffer()],
    ["tiff-16-bit", from().toColourspace("rgb16").tiff().toBuffer()],
    ["tiff-cmyk", from().toColourspace("cmyk").tiff().toBuffer()],
    ["tiff-big-endian", writeTestTiff({ width: side, height: side, littleEndian: false, dateTime: "2019:05:06 07:08:09", pixel })],
    ["bmp-8-bit-palette", writeTestBmp({ width: side, height: side, bitsPerPixel: 8, palette: greyPalette, pixel: grey })],
    ["bmp-32-bit-bitfields", writeTestBmp({ width: side, height: side, bitsPerPixel: 32, compression: 3, masks: [0xff0000, 0xff00, 0xff], pixel: rgb24 })],
    ["bmp-16-bit-555", writeTestBmp({ width: side, height: side, bitsPerPixel: 16, pixel: (x, y) => { const [r, g, b] = pixel(x, y); return ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3); } })],
    ["bmp-top-down", writeTestBmp({ width: side, height: side, bitsPerPixel: 24, topDown: true, pixel: rgb24 })],
    ["bmp-os2-core-header", writeTestBmp({ width: side, height: side, bitsPerPixel: 24, headerSize: 12, pixel: rgb24 })],
    ["bmp-v5-header", writeTestBmp({ width: side, height: side, bitsPerPixel: 24, headerSize: 124, pixel: rgb24 })],
  ];
  return new Map(await Promise.all(out.map(async ([name, bytes]) => [name, Uint8Array.from(await bytes)] as const)));
}

async function otherFormats(isic: Uint8Array): Promise<Map<string, Uint8Array>> {
  const small = () => sharp(isic).resize(64, 64);
  const out: [string, Promise<Buffer>][] = [
    ["gif", small().gif().toBuffer()],
    ["webp", small().webp().toBuffer()],
    ["avif", small().avif({ effort: 0 }).toBuffer()],
  ];
  return new Map(await Promise.all(out.map(async ([name, bytes]) => [name, asBytes(await bytes)] as const)));
}

export async function loadImageSources(): Promise<ImageSources> {
  const jpeg = isicImage();
  const pixel = await rgbPixels(jpeg, RASTER_SIDE);
  const rgb24 = (x: number, y: number) => {
    const [r, g, b] = pixel(x, y);
    return (r << 16) | (g << 8) | b;
  };
  const [jpegProgressive, png, pngSmall, variantMap, others] = await Promise.all([
    sharp(jpeg).jpeg({ progressive: true }).toBuffer(),
    sharp(jpeg).png().toBuffer(),
    sharp(dermamnistImage()).png().toBuffer(),
    variants(jpeg, pixel),
    otherFormats(jpeg),
  ]);
  return {
    jpeg,
    jpegLarge: hamSampleImage(0),
    jpegProgressive: asBytes(jpegProgressive),
    png: asBytes(png),
    pngSmall: asBytes(pngSmall),
    tiff: writeTestTiff({ width: RASTER_SIDE, height: RASTER_SIDE, pixel }),
    bmp: writeTestBmp({ width: RASTER_SIDE, height: RASTER_SIDE, bitsPerPixel: 24, pixel: rgb24 }),
    variants: variantMap,
    otherFormats: others,
  };
}
