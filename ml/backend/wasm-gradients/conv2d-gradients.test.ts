import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { chooseFilterGradientPath, filterGradient, type FilterGradientPath } from "./conv2d-backprop-filter";
import { flippedConvolutionPads, inputGradient, type InputGradientPath } from "./conv2d-backprop-input";
import { expectClose, onBothBackends, randomValues, seededRandom, useWasmWithTrainingKernels } from "./cpu-reference.test-helper";

type Pad = "same" | "valid" | number;

interface ConvCase {
  B: number;
  H: number;
  W: number;
  C: number;
  O: number;
  KH: number;
  KW: number;
  strides: [number, number];
  pad: Pad;
}

function randomCases(seed: number, count: number): ConvCase[] {
  const rand = seededRandom(seed);
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const c: ConvCase = {
      B: rand.int(1, 3),
      H: rand.int(1, 11),
      W: rand.int(1, 11),
      C: rand.int(1, 6),
      O: rand.int(1, 6),
      KH: rand.int(1, 5),
      KW: rand.int(1, 5),
      strides: [rand.int(1, 3), rand.int(1, 3)],
      pad: rand.pick<Pad>(["same", "valid", "same", "valid", 0, 1, 2]),
    };
    // Skip shapes with no output (e.g. 'valid' with a filter larger than the input).
    const info = tf.backend_util.computeConv2DInfo([c.B, c.H, c.W, c.C], [c.KH, c.KW, c.C, c.O], c.strides, 1, c.pad);
    if (info.outHeight > 0 && info.outWidth > 0) cases.push(c);
  }
  return cases;
}

const describeCase = (c: ConvCase) =>
  `x[${c.B},${c.H},${c.W},${c.C}] f[${c.KH},${c.KW},${c.C},${c.O}] s${c.strides.join("x")} pad ${c.pad}`;

function readAndRelease(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  const values = Float32Array.from(backend.readSync(info.dataId) as Float32Array);
  backend.disposeData(info.dataId);
  return values;
}

beforeAll(useWasmWithTrainingKernels);

describe("Conv2DBackpropFilter and Conv2DBackpropInput on wasm match the cpu backend", () => {
  const cases = randomCases(20240611, 40);

  it.each(cases.map((c) => [describeCase(c), c] as const))("kernels via runKernel: %s", async (_, c) => {
    const rand = seededRandom(c.B * 1000 + c.H * 100 + c.KH);
    const info = tf.backend_util.computeConv2DInfo([c.B, c.H, c.W, c.C], [c.KH, c.KW, c.C, c.O], c.strides, 1, c.pad);
    const x = randomValues(rand, c.B * c.H * c.W * c.C);
    const w = randomValues(rand, c.KH * c.KW * c.C * c.O);
    const dy = randomValues(rand, c.B * info.outHeight * info.outWidth * c.O);
    const dyShape: [number, number, number, number] = [c.B, info.outHeight, info.outWidth, c.O];
    const { cpu, wasm } = await onBothBackends(() => [
      tf.engine().runKernel("Conv2DBackpropFilter", { x: tf.tensor4d(x, [c.B, c.H, c.W, c.C]), dy: tf.tensor4d(dy, dyShape) }, {
        strides: c.strides,
        pad: c.pad,
        dataFormat: "NHWC",
        filterShape: [c.KH, c.KW, c.C, c.O],
      }) as tf.Tensor,
      tf.engine().runKernel("Conv2DBackpropInput", { dy: tf.tensor4d(dy, dyShape), filter: tf.tensor4d(w, [c.KH, c.KW, c.C, c.O]) }, {
        strides: c.strides,
        pad: c.pad,
        dataFormat: "NHWC",
        inputShape: [c.B, c.H, c.W, c.C],
      }) as tf.Tensor,
    ]);
    expectClose(wasm[0]!, cpu[0]!, "dW");
    expectClose(wasm[1]!, cpu[1]!, "dX");
  });

  it.each(cases.map((c) => [describeCase(c), c] as const))("every internal path agrees: %s", async (_, c) => {
    const rand = seededRandom(c.B * 7 + c.W * 31 + c.KW);
    const info = tf.backend_util.computeConv2DInfo([c.B, c.H, c.W, c.C], [c.KH, c.KW, c.C, c.O], c.strides, 1, c.pad);
    const xv = randomValues(rand, c.B * c.H * c.W * c.C);
    const wv = randomValues(rand, c.KH * c.KW * c.C * c.O);
    const dyv = randomValues(rand, c.B * info.outHeight * info.outWidth * c.O);
    const dyShape: [number, number, number, number] = [c.B, info.outHeight, info.outWidth, c.O];
    const { cpu } = await onBothBackends(() => [
      tf.engine().runKernel("Conv2DBackpropFilter", { x: tf.tensor4d(xv, [c.B, c.H, c.W, c.C]), dy: tf.tensor4d(dyv, dyShape) }, {
        strides: c.strides,
        pad: c.pad,
        dataFormat: "NHWC",
        filterShape: [c.KH, c.KW, c.C, c.O],
      }) as tf.Tensor,
      tf.engine().runKernel("Conv2DBackpropInput", { dy: tf.tensor4d(dyv, dyShape), filter: tf.tensor4d(wv, [c.KH, c.KW, c.C, c.O]) }, {
        strides: c.strides,
        pad: c.pad,
        dataFormat: "NHWC",
        inputShape: [c.B, c.H, c.W, c.C],
      }) as tf.Tensor,
    ]);
    const backend = tf.backend() as BackendWasm;
    const x = tf.tensor4d(xv, [c.B, c.H, c.W, c.C]);
    const w = tf.tensor4d(wv, [c.KH, c.KW, c.C, c.O]);
    const dy = tf.tensor4d(dyv, dyShape);
    const stride1 = c.strides[0] === 1 && c.strides[1] === 1;
    const filterPaths: FilterGradientPath[] = stride1 ? ["im2col", "convolution", "shifted-views"] : ["im2col", "convolution"];
    for (const path of filterPaths) expectClose(readAndRelease(backend, filterGradient(backend, x, dy, info, path)), cpu[0]!, `dW ${path}`);
    const inputPaths: InputGradientPath[] = flippedConvolutionPads(info) !== null ? ["col2im", "flipped-convolution"] : ["col2im"];
    for (const path of inputPaths) expectClose(readAndRelease(backend, inputGradient(backend, dy, w, info, path)), cpu[1]!, `dX ${path}`);
    tf.dispose([x, w, dy]);
  });
});

describe("dilated convolutions (tfjs's cpu backend has no dilated conv gradients, so a direct sum is the reference)", () => {
  function naiveGradients(x: Float32Array, w: Float32Array, dy: Float32Array, info: tf.backend_util.Conv2DInfo) {
    const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: O } = info;
    const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const dW = new Float64Array(KH * KW * C * O);
    const dX = new Float64Array(B * H * W * C);
    for (let b = 0; b < B; b++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++)
          for (let kh = 0; kh < KH; kh++)
            for (let kw = 0; kw < KW; kw++) {
              const y = oy * sh + kh * dh - info.padInfo.top;
              const xi = ox * sw + kw * dw - info.padInfo.left;
              if (y < 0 || y >= H || xi < 0 || xi >= W) continue;
              for (let c = 0; c < C; c++)
                for (let o = 0; o < O; o++) {
                  const g = dy[((b * OH + oy) * OW + ox) * O + o]!;
                  dW[((kh * KW + kw) * C + c) * O + o]! += x[((b * H + y) * W + xi) * C + c]! * g;
                  dX[((b * H + y) * W + xi) * C + c]! += w[((kh * KW + kw) * C + c) * O + o]! * g;
                }
            }
    return { dW, dX };
  }

  const rand = seededRandom(77);
  const cases = Array.from({ length: 12 }, () => ({
    B: rand.int(1, 2),
    H: rand.int(5, 12),
    W: rand.int(5, 12),
    C: rand.int(1, 4),
    O: rand.int(1, 4),
    K: rand.int(2, 3),
    dilation: [rand.int(1, 3), rand.int(2, 3)] as [number, number],
    pad: rand.pick(["same", "valid"] as const),
  }));

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))("%s", (_, c) => {
    const info = tf.backend_util.computeConv2DInfo([c.B, c.H, c.W, c.C], [c.K, c.K, c.C, c.O], 1, c.dilation, c.pad);
    const r = seededRandom(c.H * 13 + c.W);
    const xv = randomValues(r, c.B * c.H * c.W * c.C);
    const wv = randomValues(r, c.K * c.K * c.C * c.O);
    const dyv = randomValues(r, c.B * info.outHeight * info.outWidth * c.O);
    const reference = naiveGradients(xv, wv, dyv, info);
    const backend = tf.backend() as BackendWasm;
    const x = tf.tensor4d(xv, [c.B, c.H, c.W, c.C]);
    const w = tf.tensor4d(wv, [c.K, c.K, c.C, c.O]);
    const dy = tf.tensor4d(dyv, [c.B, info.outHeight, info.outWidth, c.O]);
    for (const path of ["im2col", "convolution", "shifted-views"] as const) {
      expectClose(readAndRelease(backend, filterGradient(backend, x, dy, info, path)), reference.dW, `dW ${path}`);
    }
    for (const path of ["col2im", "flipped-convolution"] as const) {
      expectClose(readAndRelease(backend, inputGradient(backend, dy, w, info, path)), reference.dX, `dX ${path}`);
    }
    tf.dispose([x, w, dy]);
  });
});

describe("gradients of whole conv layers through tf.grads", () => {
  it("match the cpu backend for a strided, padded conv stack", async () => {
    const rand = seededRandom(5);
    const x = randomValues(rand, 2 * 9 * 10 * 3);
    const w1 = randomValues(rand, 3 * 3 * 3 * 4);
    const w2 = randomValues(rand, 2 * 2 * 4 * 5);
    const { cpu, wasm } = await onBothBackends(() => {
      const f = (...[input, a, b]: tf.Tensor[]) =>
        tf.conv2d(tf.relu(tf.conv2d(input as tf.Tensor4D, a as tf.Tensor4D, 1, "same")), b as tf.Tensor4D, 2, "valid").square().sum();
      const [gx, ga, gb] = tf.grads(f)([tf.tensor4d(x, [2, 9, 10, 3]), tf.tensor4d(w1, [3, 3, 3, 4]), tf.tensor4d(w2, [2, 2, 4, 5])]);
      return [gx!, ga!, gb!];
    });
    cpu.forEach((reference, i) => expectClose(wasm[i]!, reference, `gradient ${i}`));
  });
});

describe("chooseFilterGradientPath", () => {
  const info = (H: number, C: number, stride = 1) => tf.backend_util.computeConv2DInfo([64, H, H, C], [3, 3, C, 32], stride, 1, "same");
  it("picks the measured fastest formulation per shape", () => {
    expect(chooseFilterGradientPath(info(28, 3))).toBe("im2col");
    expect(chooseFilterGradientPath(info(28, 32))).toBe("shifted-views");
    expect(chooseFilterGradientPath(info(14, 64))).toBe("convolution");
    expect(chooseFilterGradientPath(info(7, 128))).toBe("im2col");
    expect(chooseFilterGradientPath(info(28, 32, 2))).toBe("im2col");
  });
});
