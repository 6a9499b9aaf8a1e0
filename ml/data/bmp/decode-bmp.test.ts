import { describe, expect, it } from "vitest";

import { BmpDecodeError, decodeBmp } from "./decode-bmp";
import { writeTestBmp, type TestBmpSpec } from "./write-test-bmp";

// 5 wide (odd: every row needs padding) by 3 high, every pixel a different colour.
const WIDTH = 5;
const HEIGHT = 3;
const LIMITS = { maxPixels: 1_000_000 };

function colourAt(x: number, y: number): [number, number, number] {
  return [x * 50 + 3, y * 100 + 7, (x * 31 + y * 17) % 256];
}

function expectedPixels(colour: (x: number, y: number) => readonly [number, number, number]): number[] {
  const out: number[] = [];
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) out.push(...colour(x, y));
  return out;
}

const packRgb = (x: number, y: number) => {
  const [r, g, b] = colourAt(x, y);
  return (r << 16) | (g << 8) | b;
};

function decode(spec: Omit<TestBmpSpec, "width" | "height">) {
  return decodeBmp(writeTestBmp({ width: WIDTH, height: HEIGHT, ...spec }), LIMITS);
}

function rejection(run: () => unknown): BmpDecodeError {
  try {
    run();
  } catch (error) {
    if (error instanceof BmpDecodeError) return error;
    throw error;
  }
  throw new Error("expected an BmpDecodeError");
}

describe("decodeBmp: supported kinds decode to the right pixels", () => {
  it.each([
    ["24-bit bottom-up", { bitsPerPixel: 24, pixel: packRgb }],
    ["24-bit top-down", { bitsPerPixel: 24, topDown: true, pixel: packRgb }],
    ["32-bit BI_RGB", { bitsPerPixel: 32, pixel: packRgb }],
    ["32-bit BI_RGB top-down, V5 header", { bitsPerPixel: 32, topDown: true, headerSize: 124, pixel: packRgb }],
    ["24-bit OS/2 core header", { bitsPerPixel: 24, headerSize: 12, pixel: packRgb }],
    [
      "32-bit BI_BITFIELDS, standard masks after a Windows 3 header",
      { bitsPerPixel: 32, compression: 3, masks: [0xff0000, 0xff00, 0xff], pixel: packRgb },
    ],
  ] as const)("%s", (_name, spec) => {
    const bmp = decode(spec);
    expect([bmp.width, bmp.height, bmp.channels]).toEqual([WIDTH, HEIGHT, 3]);
    expect(Array.from(bmp.data)).toEqual(expectedPixels(colourAt));
  });

  it("32-bit BI_BITFIELDS with RGBA byte order in a V4 header (alpha ignored)", () => {
    const bmp = decode({
      bitsPerPixel: 32,
      headerSize: 108,
      compression: 3,
      masks: [0xff000000, 0x00ff0000, 0x0000ff00],
      pixel: (x, y) => {
        const [r, g, b] = colourAt(x, y);
        return ((r << 24) | (g << 16) | (b << 8) | 0x80) >>> 0;
      },
    });
    expect(Array.from(bmp.data)).toEqual(expectedPixels(colourAt));
  });

  it("16-bit BI_RGB is 5-5-5, scaled to 0..255", () => {
    const five = (v: number) => v >> 3;
    const bmp = decode({
      bitsPerPixel: 16,
      pixel: (x, y) => {
        const [r, g, b] = colourAt(x, y);
        return (five(r) << 10) | (five(g) << 5) | five(b);
      },
    });
    const scaled = (v: number) => Math.round((five(v) * 255) / 31);
    expect(Array.from(bmp.data)).toEqual(
      expectedPixels((x, y) => colourAt(x, y).map(scaled) as [number, number, number]),
    );
  });

  it("16-bit BI_BITFIELDS 5-6-5", () => {
    const bmp = decode({
      bitsPerPixel: 16,
      compression: 3,
      masks: [0xf800, 0x07e0, 0x001f],
      pixel: (x, y) => {
        const [r, g, b] = colourAt(x, y);
        return ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
      },
    });
    const [r, g, b] = colourAt(4, 2);
    const last = Array.from(bmp.data.subarray((2 * WIDTH + 4) * 3));
    expect(last).toEqual([Math.round(((r >> 3) * 255) / 31), Math.round(((g >> 2) * 255) / 63), Math.round(((b >> 3) * 255) / 31)]);
  });

  const palette = Array.from({ length: WIDTH * HEIGHT }, (_, i) => colourAt(i % WIDTH, Math.floor(i / WIDTH)));

  it.each([
    ["8-bit palette, bottom-up", { bitsPerPixel: 8, palette, pixel: (x: number, y: number) => y * WIDTH + x }],
    ["8-bit palette, top-down", { bitsPerPixel: 8, topDown: true, palette, pixel: (x: number, y: number) => y * WIDTH + x }],
    ["8-bit palette, OS/2 core header (3-byte entries)", { bitsPerPixel: 8, headerSize: 12, palette, pixel: (x: number, y: number) => y * WIDTH + x }],
    ["4-bit palette", { bitsPerPixel: 4, palette, pixel: (x: number, y: number) => y * WIDTH + x }],
  ] as const)("%s", (_name, spec) => {
    expect(Array.from(decode(spec).data)).toEqual(expectedPixels(colourAt));
  });

  it("1-bit palette", () => {
    const twoColours = [[10, 20, 30], [200, 210, 220]] as const;
    const bit = (x: number, y: number) => (x + y) % 2;
    const bmp = decode({ bitsPerPixel: 1, palette: twoColours, pixel: bit });
    expect(Array.from(bmp.data)).toEqual(expectedPixels((x, y) => twoColours[bit(x, y)]!));
  });
});

describe("decodeBmp: refusals with a reason", () => {
  it("refuses RLE compression as unsupported", () => {
    const error = rejection(() => decode({ bitsPerPixel: 8, compression: 1, palette: [[0, 0, 0]], pixel: () => 0 }));
    expect(error.code).toBe("UNSUPPORTED_TYPE");
    expect(error.reason).toMatch(/RLE8/);
  });

  it("refuses OS/2 2.x headers as unsupported", () => {
    const error = rejection(() => decode({ bitsPerPixel: 24, headerSize: 64, pixel: packRgb }));
    expect(error.code).toBe("UNSUPPORTED_TYPE");
    expect(error.reason).toMatch(/OS\/2 2/);
  });

  it("refuses truncated pixel data as corrupt", () => {
    const full = writeTestBmp({ width: WIDTH, height: HEIGHT, bitsPerPixel: 24, pixel: packRgb });
    const error = rejection(() => decodeBmp(full.subarray(0, full.length - 5), LIMITS));
    expect(error.code).toBe("CORRUPT");
    expect(error.reason).toMatch(/cut short/);
  });

  it("refuses a palette index beyond the palette as corrupt", () => {
    const error = rejection(() => decode({ bitsPerPixel: 8, palette: [[1, 2, 3]], pixel: (x) => x }));
    expect(error.code).toBe("CORRUPT");
  });

  it("refuses a huge declared size before allocating anything", () => {
    const bomb = writeTestBmp({ width: 1, height: 1, bitsPerPixel: 24, pixel: () => 0 });
    const view = new DataView(bomb.buffer);
    view.setInt32(18, 100_000, true);
    view.setInt32(22, 100_000, true);
    const started = performance.now();
    const error = rejection(() => decodeBmp(bomb, { maxPixels: 50_000_000 }));
    expect(error.code).toBe("TOO_MANY_PIXELS");
    expect(performance.now() - started).toBeLessThan(50);
  });

  it("refuses zero width and bad magic as corrupt", () => {
    const zero = writeTestBmp({ width: 1, height: 1, bitsPerPixel: 24, pixel: () => 0 });
    new DataView(zero.buffer).setInt32(18, 0, true);
    expect(rejection(() => decodeBmp(zero, LIMITS)).code).toBe("CORRUPT");
    expect(rejection(() => decodeBmp(new TextEncoder().encode("hello world, not a bitmap"), LIMITS)).code).toBe("CORRUPT");
  });
});
