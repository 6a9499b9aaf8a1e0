/**
 * Tile for the wasm backend. The backend's own Tile walks the output element by element (about 30 ms to tile a
 * [1,1,1,C] vector over a 64x28x28 batch), and tfjs's batch-norm gradient tiles exactly that on every step. This one
 * copies the input's innermost rows once and then doubles blocks with copyWithin (a memmove on the wasm heap).
 */
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

type HeapArray = Float32Array | Int32Array | Uint8Array;

export function tileWasm(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: { reps: number[] } }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (x.dtype === "string" || x.dtype === "complex64") throw new Error(`Tile on wasm does not support ${x.dtype}`);
  const rank = x.shape.length;
  if (attrs.reps.length !== rank) throw new Error(`Tile: reps length ${attrs.reps.length} != rank ${rank}`);
  const outShape = x.shape.map((d, i) => d * attrs.reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (util.sizeFromShape(outShape) === 0) return out;
  if (rank === 0) {
    (backend.typedArrayFromHeap(out) as HeapArray).set(backend.typedArrayFromHeap(x) as HeapArray);
    return out;
  }
  const src = backend.typedArrayFromHeap(x) as HeapArray;
  const dst = backend.typedArrayFromHeap(out) as HeapArray;
  // inBlock[l] / outBlock[l]: element count of the sub-tensor spanned by dims l..rank-1.
  const inBlock = new Array<number>(rank + 1).fill(1);
  const outBlock = new Array<number>(rank + 1).fill(1);
  for (let l = rank - 1; l >= 0; l--) {
    inBlock[l] = inBlock[l + 1]! * x.shape[l]!;
    outBlock[l] = outBlock[l + 1]! * outShape[l]!;
  }
  const fill = (level: number, srcOffset: number, dstOffset: number): void => {
    const extent = x.shape[level]!;
    if (level === rank - 1) {
      dst.set(src.subarray(srcOffset, srcOffset + extent), dstOffset);
    } else {
      for (let i = 0; i < extent; i++) fill(level + 1, srcOffset + i * inBlock[level + 1]!, dstOffset + i * outBlock[level + 1]!);
    }
    replicate(dst, dstOffset, extent * outBlock[level + 1]!, attrs.reps[level]!);
  };
  fill(0, 0, 0);
  return out;
}

/** Turns one filled block at offset into `times` consecutive copies, doubling the copied span each round. */
function replicate(array: HeapArray, offset: number, blockLength: number, times: number): void {
  const total = blockLength * times;
  let filled = blockLength;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    array.copyWithin(offset + filled, offset, offset + n);
    filled += n;
  }
}

export const tileConfig: KernelConfig = {
  kernelName: "Tile",
  backendName: "wasm",
  kernelFunc: tileWasm as unknown as KernelFunc,
};
