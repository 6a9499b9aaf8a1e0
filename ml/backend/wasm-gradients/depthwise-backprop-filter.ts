/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (missing in tfjs-backend-wasm 4.22). Depthwise work is
 * small (no channel mixing), so one pass over dy in JS with channels innermost (contiguous NHWC rows) and a float64
 * accumulator is enough; dilation and channel multipliers are supported.
 */
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { heapF32 } from "./wasm-heap";

export interface DepthwiseBackpropAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: "valid" | "same" | number | backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

export function depthwiseBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseBackpropAttrs & { filterShape: [number, number, number, number] };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const M = attrs.filterShape[3];
  const CM = C * M;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const acc = new Float64Array(KH * KW * CM);
  const xv = heapF32(backend, x);
  const g = heapF32(backend, dy);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const gBase = ((b * OH + oy) * OW + ox) * CM;
        for (let kh = 0; kh < KH; kh++) {
          const y = oy * sh + kh * dh - top;
          if (y < 0 || y >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const xi = ox * sw + kw * dw - left;
            if (xi < 0 || xi >= W) continue;
            const xBase = ((b * H + y) * W + xi) * C;
            const wBase = (kh * KW + kw) * CM;
            if (M === 1) {
              for (let c = 0; c < C; c++) acc[wBase + c] = acc[wBase + c]! + xv[xBase + c]! * g[gBase + c]!;
            } else {
              for (let c = 0; c < C; c++) {
                const v = xv[xBase + c]!;
                for (let m = 0; m < M; m++) {
                  const k = c * M + m;
                  acc[wBase + k] = acc[wBase + k]! + v * g[gBase + k]!;
                }
              }
            }
          }
        }
      }
    }
  }
  const out = backend.makeOutput(attrs.filterShape, "float32");
  heapF32(backend, out).set(acc);
  return out;
}

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropFilter",
  backendName: "wasm",
  kernelFunc: depthwiseBackpropFilterWasm as unknown as KernelFunc,
};
