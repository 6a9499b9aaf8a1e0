import { describe, expect, it } from "vitest";
import { sniffImageType } from "./sniff-image-type";

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

describe("sniffImageType", () => {
  it.each([
    ["jpeg", bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10)],
    ["png", bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0)],
    ["tiff", bytes(0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0)],
    ["tiff", bytes(0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8)],
    ["bmp", bytes(0x42, 0x4d, 0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0)],
  ] as const)("accepts %s from its magic number", (type, file) => {
    expect(sniffImageType(file)).toEqual({ accepted: true, type });
  });

  it.each([
    ["text", text("This is my photo, honest.\nIt is a .jpg file.")],
    ["text", text("BM is how this note starts, but it is not a bitmap at all")],
    ["GIF", text("GIF89a\u0001\u0000")],
    ["WebP", text("RIFF\u0000\u0000\u0000\u0000WEBPVP8 ")],
    ["HEIC", bytes(0, 0, 0, 0x18, ...text("ftypheic"))],
    ["PDF", text("%PDF-1.7\n")],
    ["a ZIP archive", bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0)],
    ["BigTIFF", bytes(0x49, 0x49, 0x2b, 0x00, 8, 0)],
    [null, bytes(0x00, 0x01, 0x02, 0x03, 0x00)],
  ] as const)("refuses %s", (looksLike, file) => {
    expect(sniffImageType(file)).toEqual({ accepted: false, looksLike });
  });

  it("recognises DICOM by its preamble", () => {
    const dicom = new Uint8Array(200);
    dicom.set(text("DICM"), 128);
    expect(sniffImageType(dicom)).toEqual({ accepted: false, looksLike: "DICOM" });
  });

  it("needs the whole signature", () => {
    expect(sniffImageType(bytes(0xff, 0xd8))).toEqual({ accepted: false, looksLike: null });
    expect(sniffImageType(bytes(0x89, 0x50, 0x4e, 0x47))).toMatchObject({ accepted: false });
  });
});
