/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (missing in tfjs-backend-wasm 4.22): scatters each dy row
 * through the filter taps in JS, channels innermost. Supports strides, dilation and channel multipliers.
 */
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { DepthwiseBackpropAttrs } from "./depthwise-backprop-filter";
import { allocateF32, heapF32 } from "./wasm-heap";

export function depthwiseBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseBackpropAttrs & { inputShape: [number, number, number, number] };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const filterShape = filter.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const M = filterShape[3];
  const CM = C * M;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = allocateF32(backend, attrs.inputShape, true);
  const dx = heapF32(backend, out);
  const g = heapF32(backend, dy);
  const w = heapF32(backend, filter);
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
              for (let c = 0; c < C; c++) dx[xBase + c] = dx[xBase + c]! + g[gBase + c]! * w[wBase + c]!;
            } else {
              for (let c = 0; c < C; c++) {
                let s = 0;
                for (let m = 0; m < M; m++) s += g[gBase + c * M + m]! * w[wBase + c * M + m]!;
                dx[xBase + c] = dx[xBase + c]! + s;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropInput",
  backendName: "wasm",
  kernelFunc: depthwiseBackpropInputWasm as unknown as KernelFunc,
};
