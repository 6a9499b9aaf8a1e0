/**
 * Splits a tfjs weights buffer into named float32 arrays using model.json's weight specs, without TensorFlow.js:
 * the ONNX path never needs to build a tfjs model. Only unquantised float32 weights are supported (what the
 * project's models contain); anything else is refused rather than misread.
 */
import { UnsupportedModelError } from "./keras-topology";

export interface WeightSpecLike {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export interface NamedWeight {
  shape: number[];
  values: Float32Array;
}

export function decodeWeights(specs: readonly WeightSpecLike[], data: ArrayBuffer | Uint8Array): Map<string, NamedWeight> {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const weights = new Map<string, NamedWeight>();
  let offset = 0;
  for (const spec of specs) {
    if (spec.quantization !== undefined && spec.quantization !== null) throw new UnsupportedModelError(`weight ${spec.name} is quantised`);
    if (spec.dtype !== "float32") throw new UnsupportedModelError(`weight ${spec.name} has dtype ${spec.dtype}; only float32 is supported`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const end = offset + count * 4;
    if (end > bytes.length) throw new UnsupportedModelError(`weight ${spec.name} runs past the end of the weights (${bytes.length} bytes)`);
    // Copy: the buffer offset of a weight need not be 4-byte aligned relative to the underlying ArrayBuffer.
    const values = new Float32Array(count);
    new Uint8Array(values.buffer).set(bytes.subarray(offset, end));
    if (weights.has(spec.name)) throw new UnsupportedModelError(`weight ${spec.name} appears twice`);
    weights.set(spec.name, { shape: [...spec.shape], values });
    offset = end;
  }
  if (offset !== bytes.length) throw new UnsupportedModelError(`weights hold ${bytes.length} bytes but the specs describe ${offset}`);
  return weights;
}
