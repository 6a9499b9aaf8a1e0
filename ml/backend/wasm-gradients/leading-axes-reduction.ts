/**
 * Sum and Mean over the leading axes (e.g. [0,1,2] of an NHWC tensor: per-channel statistics) for the wasm backend.
 * The backend's reductions only reduce the innermost axes, so for these it first transposes the whole tensor; batch
 * norm's forward statistics and its gradient do this several times per layer and step. Here rows are accumulated
 * straight into a per-channel float64 accumulator. Every other reduction goes to the backend's own kernel.
 */
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapF32 } from "./wasm-heap";

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

type ReduceArgs = { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: ReduceAttrs };

/** The number of leading axes reduced, or null when the axes are not exactly 0..k-1. */
export function leadingAxesCount(axis: number | number[], shape: readonly number[]): number | null {
  const axes = [...new Set(util.parseAxisParam(axis, shape as number[]))].sort((a, b) => a - b);
  if (axes.length === 0) return null;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return null;
  return axes.length;
}

export function reduceLeadingAxes(backend: BackendWasm, x: TensorInfo, reduced: number, keepDims: boolean, mean: boolean): TensorInfo {
  const rows = util.sizeFromShape(x.shape.slice(0, reduced));
  const width = util.sizeFromShape(x.shape.slice(reduced));
  const outShape = keepDims ? x.shape.map((d, i) => (i < reduced ? 1 : d)) : x.shape.slice(reduced);
  const acc = new Float64Array(width);
  const src = heapF32(backend, x);
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    for (let c = 0; c < width; c++) acc[c] = acc[c]! + src[base + c]!;
  }
  const out = backend.makeOutput(outShape, "float32");
  const dst = heapF32(backend, out);
  const scale = mean ? 1 / rows : 1;
  for (let c = 0; c < width; c++) dst[c] = acc[c]! * scale;
  return out;
}

export function leadingAxesReductionConfig(kind: "Sum" | "Mean", original: KernelConfig): KernelConfig {
  const kernelFunc = (args: ReduceArgs): TensorInfo | TensorInfo[] => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const reduced = x.dtype === "float32" && x.shape.length > 1 ? leadingAxesCount(attrs.axis, x.shape) : null;
    // Reducing everything or nothing leading is already a single innermost pass for the backend.
    if (reduced === null || reduced === x.shape.length || util.sizeFromShape(x.shape) === 0) {
      return original.kernelFunc(args as unknown as Parameters<KernelFunc>[0]);
    }
    return reduceLeadingAxes(backend, x, reduced, attrs.keepDims, kind === "Mean");
  };
  return {
    kernelName: kind,
    backendName: "wasm",
    // The original's setup binds its wasm function; it must still run when the backend initialises after this.
    ...(original.setupFunc !== undefined ? { setupFunc: original.setupFunc } : {}),
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
