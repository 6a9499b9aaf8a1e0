/**
 * UnsortedSegmentSum for the wasm backend (missing in tfjs-backend-wasm 4.22; tfjs uses it for the gradient of
 * gather, e.g. embedding lookups). segmentIds covers the leading dims of x; ids outside [0, numSegments) are
 * dropped, as in TensorFlow. Keeps x's dtype (float32 or int32).
 */
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

export function unsortedSegmentSumWasm(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: { numSegments: number };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  if (x.dtype !== "float32" && x.dtype !== "int32") throw new Error(`UnsortedSegmentSum on wasm: unsupported ${x.dtype}`);
  const idRank = segmentIds.shape.length;
  for (let i = 0; i < idRank; i++) {
    if (segmentIds.shape[i] !== x.shape[i]) {
      throw new Error(`segmentIds shape [${segmentIds.shape.join(",")}] is not a prefix of x shape [${x.shape.join(",")}]`);
    }
  }
  const rowShape = x.shape.slice(idRank);
  const rowLength = util.sizeFromShape(rowShape);
  const rows = util.sizeFromShape(segmentIds.shape);
  const { numSegments } = attrs;
  const acc = new Float64Array(numSegments * rowLength);
  const ids = backend.typedArrayFromHeap(segmentIds);
  const values = backend.typedArrayFromHeap(x);
  for (let r = 0; r < rows; r++) {
    const id = ids[r]!;
    if (id < 0 || id >= numSegments) continue;
    const s = r * rowLength;
    const d = id * rowLength;
    for (let k = 0; k < rowLength; k++) acc[d + k] = acc[d + k]! + values[s + k]!;
  }
  const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
  (backend.typedArrayFromHeap(out) as Float32Array | Int32Array).set(acc);
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: "UnsortedSegmentSum",
  backendName: "wasm",
  kernelFunc: unsortedSegmentSumWasm as unknown as KernelFunc,
};
