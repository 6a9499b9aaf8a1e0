/**
 * Conv2DBackpropFilter for the wasm backend (tfjs 4.22 ships none, so training any conv net on wasm fails).
 *
 * The backend's only fast arithmetic is XNNPACK: forward convolution and the untransposed GEMM (transposed GEMMs run
 * at 2-4 GFLOP/s). Two formulations map the filter gradient
 *   dW[kh,kw,c,o] = sum_{b,oy,ox} x[b, oy*sh + kh*dh - top, ox*sw + kw*dw - left, c] * dy[b,oy,ox,o]
 * onto it:
 * - "im2col" (default): a transposed im2col matrix colsT[(kh,kw,c), (b,oy,ox)] built in JS, times dy[(b,oy,ox), o]
 *   with the GEMM. The big operand is the GEMM's left one, which XNNPACK does not repack; measured 40-45 GFLOP/s
 *   for the GEMM. Images are processed in chunks so colsT stays around 16 MB.
 * - "convolution": swap the roles of batch and channels and run one XNNPACK convolution of xT[c, y, x, b] with the
 *   "filter" dyT[oy, ox, b, o] (dilated by the forward stride). 20-28 GFLOP/s, and poor for 3-channel inputs,
 *   because XNNPACK repacks the large dyT filter on every call. Kept as a cross-check and for benchmarks.
 */
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { allocateF32, asShape, dim, heapF32, matMulNN, release, releaseView, runWasmKernel, viewF32 } from "./wasm-heap";

type Pad = "valid" | "same" | number | backend_util.ExplicitPadding;

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
}

export function conv2DBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  if (attrs.dataFormat === "NCHW") throw new Error("Conv2DBackpropFilter on wasm supports NHWC only");
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  return filterGradient(backend, x, dy, info, chooseFilterGradientPath(info));
}

/**
 * Fastest formulation per layer shape, from measurements on this machine (batch 64, 3x3 filters, ms):
 *   28x28  3->32: im2col 4.3, views 7.5, convolution 17.6     28x28 32->32: views 30, convolution 45, im2col 48
 *   14x14 32->64: all about 18                                 14x14 64->64: convolution 34, views 38, im2col 43
 *    7x7 64->128: im2col 14, convolution 16, views 19          7x7 128->128: im2col 27, convolution 30, views 36
 * Shifted views pay for the padding ring (cheap on large maps) and stream dy once per tap; im2col pays a JS copy of
 * KH*KW*C floats per output position (cheap when C or the map is small).
 */
export function chooseFilterGradientPath(info: backend_util.Conv2DInfo): FilterGradientPath {
  const taps = info.filterHeight * info.filterWidth;
  const positions = info.outHeight * info.outWidth;
  if (taps * info.inChannels <= 64 || info.strideHeight !== 1 || info.strideWidth !== 1) return "im2col";
  if (positions >= 400) return "shifted-views";
  if (positions <= 100) return "im2col";
  return "convolution";
}

export type FilterGradientPath = "shifted-views" | "im2col" | "convolution";

/** Upper bound on the transposed column buffer of the im2col path (floats): 4M = 16 MB. */
const MAX_COLUMN_FLOATS = 4 * 1024 * 1024;

/** Dilation is honoured although TF's Conv2DBackpropFilter attrs never carry one. */
export function filterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
  path: FilterGradientPath,
): TensorInfo {
  const { batchSize: B, outHeight: OH, outWidth: OW, outChannels: O } = info;
  if (dim(dy.shape, 0) !== B || dim(dy.shape, 1) !== OH || dim(dy.shape, 2) !== OW || dim(dy.shape, 3) !== O) {
    throw new Error(`dy shape [${dy.shape.join(",")}] does not match conv output [${B},${OH},${OW},${O}]`);
  }
  if (path === "shifted-views") {
    if (info.strideHeight !== 1 || info.strideWidth !== 1) throw new Error("shifted views need stride 1");
    return byShiftedViews(backend, x, dy, info);
  }
  return path === "im2col" ? byColumns(backend, x, dy, info) : byConvolution(backend, x, dy, info);
}

/**
 * Stride 1 without any im2col copy. On a zero-padded, channel-major copy of the input, xT[c, (b, py, px)], the
 * input patch element for filter tap (kh, kw) sits at a constant flat offset s = kh*dh*Wp + kw*dw from the output
 * position. So with dy scattered onto the same padded grid (zeros where no output exists), each tap's gradient is
 * one GEMM of a *view* of xT shifted by s, [C, grid], times dyP [grid, O]. The same dyP for all taps lets XNNPACK
 * pack it once. Costs (Hp*Wp)/(OH*OW) extra arithmetic on the padding (15% at 28x28, 65% at 7x7).
 */
function byShiftedViews(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { outChannels: O, filterHeight: KH, filterWidth: KW, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const Hp = Math.max(H + top, OH + (KH - 1) * dh);
  const Wp = Math.max(W + left, OW + (KW - 1) * dw);
  const grid = B * Hp * Wp;
  const maxShift = (KH - 1) * dh * Wp + (KW - 1) * dw;
  // Slack after the last channel plane: the last row of a shifted view runs maxShift floats past it.
  const xT = allocateF32(backend, [C * grid + maxShift]);
  const dyP = allocateF32(backend, [grid, O]);
  {
    const src = heapF32(backend, x);
    const dst = heapF32(backend, xT);
    dst.fill(0);
    for (let b = 0; b < B; b++) {
      for (let y = 0; y < H; y++) {
        for (let xi = 0; xi < W; xi++) {
          const s = ((b * H + y) * W + xi) * C;
          let d = (b * Hp + y + top) * Wp + xi + left;
          for (let c = 0; c < C; c++, d += grid) dst[d] = src[s + c]!;
        }
      }
    }
    const g = heapF32(backend, dy);
    const gp = heapF32(backend, dyP);
    gp.fill(0);
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < OH; oy++) {
        gp.set(g.subarray(((b * OH + oy) * OW) * O, ((b * OH + oy) * OW + OW) * O), ((b * Hp + oy) * Wp) * O);
      }
    }
  }
  const out = allocateF32(backend, [KH, KW, C, O]);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const view = viewF32(backend, xT, kh * dh * Wp + kw * dw, [C, grid]);
      const part = matMulNN(backend, view, dyP);
      releaseView(backend, view);
      heapF32(backend, out).set(heapF32(backend, part), (kh * KW + kw) * C * O);
      release(backend, part);
    }
  }
  release(backend, xT, dyP);
  return out;
}

function byColumns(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { outChannels: O, filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const K = KH * KW * C;
  const P = OH * OW;
  // The input, zero-padded and channel-major: each colsT row is then runs of OW reads along one padded image row.
  const Hp = Math.max(H + top, (OH - 1) * sh + (KH - 1) * dh + 1);
  const Wp = Math.max(W + left, (OW - 1) * sw + (KW - 1) * dw + 1);
  const xT = allocateF32(backend, [C, B, Hp, Wp]);
  {
    const src = heapF32(backend, x);
    const dst = heapF32(backend, xT);
    dst.fill(0);
    const plane = B * Hp * Wp;
    for (let b = 0; b < B; b++) {
      for (let y = 0; y < H; y++) {
        for (let xi = 0; xi < W; xi++) {
          const s = ((b * H + y) * W + xi) * C;
          let d = (b * Hp + y + top) * Wp + xi + left;
          for (let c = 0; c < C; c++, d += plane) dst[d] = src[s + c]!;
        }
      }
    }
  }
  const acc = new Float64Array(K * O);
  const imagesPerChunk = Math.max(1, Math.min(B, Math.floor(MAX_COLUMN_FLOATS / Math.max(1, K * P))));
  for (let b0 = 0; b0 < B; b0 += imagesPerChunk) {
    const nb = Math.min(imagesPerChunk, B - b0);
    const M = nb * P;
    const colsT = allocateF32(backend, [K, M]);
    const rows = nb === B ? asShape(dy, [M, O]) : allocateF32(backend, [M, O]);
    {
      const xt = heapF32(backend, xT);
      const cols = heapF32(backend, colsT);
      const plane = B * Hp * Wp;
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          for (let c = 0; c < C; c++) {
            let d = ((kh * KW + kw) * C + c) * M;
            for (let b = b0; b < b0 + nb; b++) {
              for (let oy = 0; oy < OH; oy++) {
                let s = c * plane + (b * Hp + oy * sh + kh * dh) * Wp + kw * dw;
                if (sw === 1) {
                  for (let ox = 0; ox < OW; ox++) cols[d++] = xt[s++]!;
                } else {
                  for (let ox = 0; ox < OW; ox++, s += sw) cols[d++] = xt[s]!;
                }
              }
            }
          }
        }
      }
      if (nb !== B) heapF32(backend, rows).set(heapF32(backend, dy).subarray(b0 * P * O, (b0 + nb) * P * O));
    }
    const part = matMulNN(backend, colsT, rows);
    release(backend, colsT);
    if (nb !== B) release(backend, rows);
    const pv = heapF32(backend, part);
    for (let i = 0; i < K * O; i++) acc[i] = acc[i]! + pv[i]!;
    release(backend, part);
  }
  release(backend, xT);
  const out = backend.makeOutput([KH, KW, C, O], "float32");
  heapF32(backend, out).set(acc);
  return out;
}

function byConvolution(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { outChannels: O, filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Rows of (zero-padded or cropped) input the transposed convolution reads: exactly enough for KH outputs.
  const Hp = (KH - 1) * dh + (OH - 1) * sh + 1;
  const Wp = (KW - 1) * dw + (OW - 1) * sw + 1;

  const xT = allocateF32(backend, [C, Hp, Wp, B]);
  const dyT = allocateF32(backend, [OH, OW, B, O]);
  {
    const src = heapF32(backend, x);
    const dst = heapF32(backend, xT);
    dst.fill(0);
    const planeStride = Hp * Wp * B;
    const batchStride = H * W * C;
    for (let yy = 0; yy < Hp; yy++) {
      const y = yy - top;
      if (y < 0 || y >= H) continue;
      for (let xx = 0; xx < Wp; xx++) {
        const xi = xx - left;
        if (xi < 0 || xi >= W) continue;
        const dstBase = (yy * Wp + xx) * B;
        const srcBase = (y * W + xi) * C;
        // b innermost: sequential writes; the B source rows stay in L1 across the channel loop.
        for (let c = 0; c < C; c++) {
          const d = c * planeStride + dstBase;
          let s = srcBase + c;
          for (let b = 0; b < B; b++, s += batchStride) dst[d + b] = src[s]!;
        }
      }
    }
    const g = heapF32(backend, dy);
    const gT = heapF32(backend, dyT);
    for (let p = 0; p < OH * OW; p++) {
      for (let b = 0; b < B; b++) {
        const s = (b * OH * OW + p) * O;
        const d = (p * B + b) * O;
        for (let o = 0; o < O; o++) gT[d + o] = g[s + o]!;
      }
    }
  }
  const r = runWasmKernel(
    backend,
    "Conv2D",
    { x: xT, filter: dyT },
    { strides: [dh, dw], pad: "valid", dataFormat: "NHWC", dilations: [sh, sw] },
  );
  release(backend, xT, dyT);
  if (dim(r.shape, 1) !== KH || dim(r.shape, 2) !== KW) {
    release(backend, r);
    throw new Error(`internal: transposed convolution produced [${r.shape.join(",")}], expected [${C},${KH},${KW},${O}]`);
  }
  const out = allocateF32(backend, [KH, KW, C, O]);
  const rv = heapF32(backend, r);
  const ov = heapF32(backend, out);
  for (let c = 0; c < C; c++) {
    for (let k = 0; k < KH * KW; k++) {
      const s = (c * KH * KW + k) * O;
      const d = (k * C + c) * O;
      for (let o = 0; o < O; o++) ov[d + o] = rv[s + o]!;
    }
  }
  release(backend, r);
  return out;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilterWasm as unknown as KernelFunc,
};
