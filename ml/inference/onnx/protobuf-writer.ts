/**
 * A minimal Protocol Buffers (proto3 wire format) encoder: just what writing an ONNX ModelProto needs. No protobuf
 * package is installed here (onnxruntime ships only a compiled parser), and ONNX uses a handful of field kinds, so a
 * small writer is simpler and easier to audit than a dependency. Fields are written in the order the caller adds
 * them; parsers accept any order.
 *
 * Wire types: 0 varint (int32/int64/enum), 2 length-delimited (string, bytes, sub-message, packed repeated),
 * 5 fixed 32-bit (float). int64 and negative int32 values are written as 64-bit two's complement varints (10 bytes
 * for negatives), as the protobuf spec requires.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private byteLength = 0;

  /** int32, int64, uint64 and enum fields (negative values become 10-byte two's complement varints). */
  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(toUint64(value));
    return this;
  }

  /** A float field (fixed32, little-endian IEEE 754 single precision). */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** bytes fields and embedded messages (pass the message's finished bytes). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.rawVarint(BigInt(value.length));
    this.push(value);
    return this;
  }

  message(field: number, message: ProtoWriter): this {
    return this.bytes(field, message.finish());
  }

  /** A packed repeated int64 field (proto3's default encoding for repeated scalars). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(toUint64(v));
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, bytes);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 536_870_911) throw new RangeError(`invalid protobuf field number ${field}`);
    this.rawVarint(BigInt(field) * 8n + BigInt(wireType));
  }

  private rawVarint(value: bigint): void {
    const bytes: number[] = [];
    let v = value;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(bytes));
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.byteLength += bytes.length;
  }
}

function toUint64(value: number | bigint): bigint {
  if (typeof value === "number" && !Number.isSafeInteger(value)) throw new RangeError(`protobuf integer must be a safe integer, got ${value}`);
  const big = BigInt(value);
  if (big < -(2n ** 63n) || big >= 2n ** 64n) throw new RangeError(`protobuf integer out of 64-bit range: ${value}`);
  return BigInt.asUintN(64, big);
}
