/**
 * Low-level access to the wasm backend's heap for the project's own kernels.
 *
 * Kernels here read inputs and write outputs in place on the wasm heap (no copies through JS arrays), and delegate
 * the heavy arithmetic to the backend's own XNNPACK-backed kernels (Conv2D, BatchMatMul) where a layout trick makes
 * that possible. Views are re-fetched after every allocation because growing wasm memory detaches old views.
 */
import { getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** A float32 view of a tensor's data on the wasm heap; invalid after any later allocation on the same backend. */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  return view;
}

/** A new float32 tensor on the wasm heap, zero-filled when asked (the allocator does not clear memory). */
export function allocateF32(backend: BackendWasm, shape: number[], zero = false): TensorInfo {
  const info = backend.makeOutput(shape, "float32");
  if (zero) heapF32(backend, info).fill(0);
  return info;
}

export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** The same data seen with another shape; the caller must not release it (the owner of dataId does). */
export function asShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Runs another kernel registered for the wasm backend from inside a kernel (outside the engine's bookkeeping). */
export function runWasmKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
): TensorInfo {
  const config = getKernel(kernelName, "wasm");
  if (config === undefined) throw new Error(`wasm kernel ${kernelName} is not registered`);
  const result = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(result)) throw new Error(`wasm kernel ${kernelName} returned several outputs`);
  return result;
}

/**
 * a[m,k] x b[k,n] with the backend's matmul in its fast layout. Only the untransposed form runs on XNNPACK's GEMM:
 * measured on this machine, NN about 33 GFLOP/s against 2-4 GFLOP/s for the transposed variants.
 */
export function matMulNN(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  return runWasmKernel(backend, "BatchMatMul", { a, b }, { transposeA: false, transposeB: false });
}

export function dim(shape: readonly number[], index: number): number {
  const value = shape[index];
  if (value === undefined) throw new Error(`shape [${shape.join(",")}] has no dimension ${index}`);
  return value;
}

/**
 * A float32 tensor that aliases part of `owner`'s memory (from `offsetFloats`, `shape` elements) without copying,
 * e.g. a shifted window for a GEMM operand. Valid while `owner` lives; must be dropped with releaseView, never
 * release (which would free memory the view does not own).
 */
export function viewF32(backend: BackendWasm, owner: TensorInfo, offsetFloats: number, shape: number[]): TensorInfo {
  const ownerSize = owner.shape.reduce((a, b) => a * b, 1);
  const size = shape.reduce((a, b) => a * b, 1);
  if (owner.dtype !== "float32" || offsetFloats < 0 || offsetFloats + size > ownerSize) {
    throw new RangeError(`view [${offsetFloats}, +${size}) is outside its ${ownerSize}-float owner`);
  }
  const base = backend.dataIdMap.get(owner.dataId).memoryOffset;
  return backend.makeOutput(shape, "float32", base + offsetFloats * 4);
}

export function releaseView(backend: BackendWasm, view: TensorInfo): void {
  const data = backend.dataIdMap.get(view.dataId);
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(view.dataId);
}
