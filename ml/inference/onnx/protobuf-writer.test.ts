import { describe, expect, it } from "vitest";
import { ProtoWriter } from "./protobuf-writer";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("ProtoWriter", () => {
  it("encodes the protobuf documentation's examples", () => {
    // https://protobuf.dev/programming-guides/encoding/: field 1 = 150 -> 08 96 01; field 2 = "testing".
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe("089601");
    expect(hex(new ProtoWriter().string(2, "testing").finish())).toBe("120774657374696e67");
    // Embedded message: field 3 = { field 1 = 150 }.
    expect(hex(new ProtoWriter().message(3, new ProtoWriter().int(1, 150)).finish())).toBe("1a03089601");
    // Packed repeated int64 [3, 270, 86942] in field 4.
    expect(hex(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toBe("2206038e029ea705");
  });

  it("writes negative integers as ten-byte two's complement varints", () => {
    expect(hex(new ProtoWriter().int(1, -1).finish())).toBe("08ffffffffffffffffff01");
    expect(hex(new ProtoWriter().int(1, -2).finish())).toBe("08feffffffffffffffff01");
  });

  it("writes floats as little-endian fixed32 and handles big field numbers", () => {
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe("150000803f");
    expect(hex(new ProtoWriter().packedFloats(7, [1, -2]).finish())).toBe("3a080000803f000000c0");
    // Field 20 needs a two-byte tag: (20 << 3) | 0 = 160 -> a0 01.
    expect(hex(new ProtoWriter().int(20, 2).finish())).toBe("a00102");
  });

  it("refuses values it cannot encode exactly", () => {
    expect(() => new ProtoWriter().int(1, 2 ** 60)).toThrow(/safe integer/);
    expect(() => new ProtoWriter().int(1, 2n ** 64n)).toThrow(/64-bit/);
    expect(() => new ProtoWriter().int(0, 1)).toThrow(/field number/);
  });
});
