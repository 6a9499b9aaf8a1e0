/**
 * Conv2DBackpropInput for the wasm backend. tfjs-backend-wasm 4.22 has one, but it is a direct loop at about
 * 4 GFLOP/s; this replaces it with XNNPACK:
 * - stride 1: the input gradient is a forward convolution of dy with the filter flipped in space and with in/out
 *   channels swapped, padded by (effective kernel - 1 - forward padding): one XNNPACK call (35-45 GFLOP/s).
 * - stride > 1 (or paddings the flipped form cannot express): cols = dy[M,O] x W^T[O, KH*KW*C] with the fast
 *   untransposed GEMM, then col2im scatters the columns back onto the input grid in JS, a batch chunk at a time so
 *   the column buffer stays small.
 */
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { allocateF32, asShape, dim, heapF32, matMulNN, release, runWasmKernel } from "./wasm-heap";

interface Conv2DBackpropInputAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  inputShape: [number, number, number, number];
}

/** Upper bound on the column buffer of the col2im path (floats): 4M = 16 MB. */
const MAX_COLUMN_FLOATS = 4 * 1024 * 1024;

export function conv2DBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  if (attrs.dataFormat === "NCHW") throw new Error("Conv2DBackpropInput on wasm supports NHWC only");
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    inputs.filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  return inputGradient(backend, inputs.dy, inputs.filter, info, "auto");
}

export type InputGradientPath = "auto" | "flipped-convolution" | "col2im";

export function inputGradient(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  path: InputGradientPath,
): TensorInfo {
  const { batchSize: B, outHeight: OH, outWidth: OW, outChannels: O } = info;
  if (dim(dy.shape, 0) !== B || dim(dy.shape, 1) !== OH || dim(dy.shape, 2) !== OW || dim(dy.shape, 3) !== O) {
    throw new Error(`dy shape [${dy.shape.join(",")}] does not match conv output [${B},${OH},${OW},${O}]`);
  }
  const flippedPads = flippedConvolutionPads(info);
  if (path === "flipped-convolution" && flippedPads === null) {
    throw new Error("flipped convolution needs stride 1 and padding no larger than the effective filter - 1");
  }
  if (path !== "col2im" && flippedPads !== null) return byFlippedConvolution(backend, dy, filter, info, flippedPads);
  return byColumns(backend, dy, filter, info);
}

/** Padding of the equivalent forward convolution, or null when the flipped form does not apply. */
export function flippedConvolutionPads(info: backend_util.Conv2DInfo): backend_util.ExplicitPadding | null {
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  const effH = (info.filterHeight - 1) * info.dilationHeight + 1;
  const effW = (info.filterWidth - 1) * info.dilationWidth + 1;
  const top = effH - 1 - info.padInfo.top;
  const bottom = info.inHeight - info.outHeight + info.padInfo.top;
  const left = effW - 1 - info.padInfo.left;
  const right = info.inWidth - info.outWidth + info.padInfo.left;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) return null;
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

function byFlippedConvolution(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  pads: backend_util.ExplicitPadding,
): TensorInfo {
  const { filterHeight: KH, filterWidth: KW, inChannels: C, outChannels: O } = info;
  const flipped = allocateF32(backend, [KH, KW, O, C]);
  const w = heapF32(backend, filter);
  const f = heapF32(backend, flipped);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const s = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * C * O;
      const d = (kh * KW + kw) * O * C;
      for (let c = 0; c < C; c++) for (let o = 0; o < O; o++) f[d + o * C + c] = w[s + c * O + o]!;
    }
  }
  const out = runWasmKernel(
    backend,
    "Conv2D",
    { x: dy, filter: flipped },
    {
      strides: [1, 1],
      pad: pads,
      dataFormat: "NHWC",
      dilations: [info.dilationHeight, info.dilationWidth],
    },
  );
  release(backend, flipped);
  return out;
}

function byColumns(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { outChannels: O, filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const K = KH * KW * C;
  const P = OH * OW;

  const wT = allocateF32(backend, [O, K]);
  {
    const w = heapF32(backend, filter);
    const t = heapF32(backend, wT);
    for (let k = 0; k < K; k++) for (let o = 0; o < O; o++) t[o * K + k] = w[k * O + o]!;
  }
  const out = allocateF32(backend, [B, H, W, C], true);
  const imagesPerChunk = Math.max(1, Math.min(B, Math.floor(MAX_COLUMN_FLOATS / Math.max(1, P * K))));
  for (let b0 = 0; b0 < B; b0 += imagesPerChunk) {
    const nb = Math.min(imagesPerChunk, B - b0);
    const whole = nb === B;
    // The GEMM reads whole tensors, so a batch chunk of dy is copied into its own buffer.
    const rows = whole ? asShape(dy, [B * P, O]) : allocateF32(backend, [nb * P, O]);
    if (!whole) heapF32(backend, rows).set(heapF32(backend, dy).subarray(b0 * P * O, (b0 + nb) * P * O));
    const cols = matMulNN(backend, rows, wT);
    if (!whole) release(backend, rows);
    const cv = heapF32(backend, cols);
    const dx = heapF32(backend, out);
    for (let bi = 0; bi < nb; bi++) {
      const imageBase = (b0 + bi) * H * W * C;
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          let colBase = ((bi * OH + oy) * OW + ox) * K;
          for (let kh = 0; kh < KH; kh++) {
            const y = oy * sh + kh * dh - top;
            if (y < 0 || y >= H) {
              colBase += KW * C;
              continue;
            }
            for (let kw = 0; kw < KW; kw++, colBase += C) {
              const xi = ox * sw + kw * dw - left;
              if (xi < 0 || xi >= W) continue;
              const d = imageBase + (y * W + xi) * C;
              for (let c = 0; c < C; c++) dx[d + c] = dx[d + c]! + cv[colBase + c]!;
            }
          }
        }
      }
    }
    release(backend, cols);
  }
  release(backend, wT);
  return out;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: conv2DBackpropInputWasm as unknown as KernelFunc,
};
