import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, it } from "vitest";
import { expectClose, onBothBackends, randomValues, seededRandom, useWasmWithTrainingKernels } from "./cpu-reference.test-helper";

beforeAll(useWasmWithTrainingKernels);

type Pad = "same" | "valid" | number;

describe("depthwise conv gradients on wasm match the cpu backend", () => {
  const rand = seededRandom(99);
  const cases = [];
  while (cases.length < 30) {
    const stride = rand.next() < 0.5 ? 1 : rand.int(2, 3);
    const c = {
      x: [rand.int(1, 3), rand.int(3, 10), rand.int(3, 10), rand.int(1, 5)] as [number, number, number, number],
      k: [rand.int(1, 4), rand.int(1, 4)] as [number, number],
      multiplier: rand.int(1, 3),
      strides: [stride, stride] as [number, number],
      // tfjs's cpu kernels ignore dilation in depthwise gradients (and its gradient asserts dilation 1), so dilated
      // cases are checked against a direct sum below.
      dilations: [1, 1] as [number, number],
      pad: rand.pick<Pad>(["same", "valid", 1]),
    };
    const info = tf.backend_util.computeConv2DInfo(c.x, [c.k[0], c.k[1], c.x[3], c.multiplier], c.strides, c.dilations, c.pad, undefined, true);
    if (info.outHeight > 0 && info.outWidth > 0) cases.push({ ...c, out: [info.batchSize, info.outHeight, info.outWidth, info.outChannels] });
  }

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))("%s", async (_, c) => {
    const filterShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.multiplier];
    const xv = randomValues(rand, c.x.reduce((a, b) => a * b, 1));
    const wv = randomValues(rand, filterShape.reduce((a, b) => a * b, 1));
    const dyv = randomValues(rand, c.out.reduce((a, b) => a * b, 1));
    const { cpu, wasm } = await onBothBackends(() => {
      const dy = tf.tensor4d(dyv, c.out as [number, number, number, number]);
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      return [
        tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x: tf.tensor4d(xv, c.x), dy }, { ...attrs, filterShape }) as tf.Tensor,
        tf.engine().runKernel("DepthwiseConv2dNativeBackpropInput", { dy, filter: tf.tensor4d(wv, filterShape) }, { ...attrs, inputShape: c.x }) as tf.Tensor,
      ];
    });
    expectClose(wasm[0]!, cpu[0]!, "dW");
    expectClose(wasm[1]!, cpu[1]!, "dX");
  });

  it.each([
    { x: [2, 9, 8, 3], k: [3, 2], multiplier: 2, dilations: [2, 3], pad: "same" },
    { x: [1, 10, 10, 2], k: [2, 3], multiplier: 1, dilations: [3, 1], pad: "valid" },
    { x: [2, 7, 9, 4], k: [3, 3], multiplier: 3, dilations: [2, 2], pad: 1 },
  ] as const)("dilated case against a direct sum: %j", async (c) => {
    const filterShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.multiplier];
    const info = tf.backend_util.computeConv2DInfo([...c.x], filterShape, 1, [...c.dilations], c.pad, undefined, true);
    const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
    const M = c.multiplier;
    const xv = randomValues(rand, B * H * W * C);
    const wv = randomValues(rand, filterShape.reduce((a, b) => a * b, 1));
    const dyv = randomValues(rand, B * OH * OW * C * M);
    const dW = new Float64Array(wv.length);
    const dX = new Float64Array(xv.length);
    for (let b = 0; b < B; b++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++)
          for (let kh = 0; kh < c.k[0]; kh++)
            for (let kw = 0; kw < c.k[1]; kw++) {
              const y = oy + kh * c.dilations[0] - info.padInfo.top;
              const xi = ox + kw * c.dilations[1] - info.padInfo.left;
              if (y < 0 || y >= H || xi < 0 || xi >= W) continue;
              for (let ch = 0; ch < C; ch++)
                for (let m = 0; m < M; m++) {
                  const g = dyv[((b * OH + oy) * OW + ox) * C * M + ch * M + m]!;
                  const wi = ((kh * c.k[1] + kw) * C + ch) * M + m;
                  const xiFlat = ((b * H + y) * W + xi) * C + ch;
                  dW[wi]! += xv[xiFlat]! * g;
                  dX[xiFlat]! += wv[wi]! * g;
                }
            }
    await tf.setBackend("wasm");
    const attrs = { strides: 1, dilations: [...c.dilations], pad: c.pad };
    const dy = tf.tensor4d(dyv, [B, OH, OW, C * M]);
    const gotW = tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x: tf.tensor4d(xv, [...c.x]), dy }, { ...attrs, filterShape }) as tf.Tensor;
    const gotX = tf.engine().runKernel("DepthwiseConv2dNativeBackpropInput", { dy, filter: tf.tensor4d(wv, filterShape) }, { ...attrs, inputShape: [...c.x] }) as tf.Tensor;
    expectClose(gotW.dataSync(), dW, "dW");
    expectClose(gotX.dataSync(), dX, "dX");
    tf.dispose([dy, gotW, gotX]);
  });

  it("through tf.grads of a separable block", async () => {
    const x = randomValues(rand, 2 * 8 * 8 * 3);
    const dw = randomValues(rand, 3 * 3 * 3 * 2);
    const pw = randomValues(rand, 1 * 1 * 6 * 4);
    const { cpu, wasm } = await onBothBackends(() => {
      const f = (...[input, d, p]: tf.Tensor[]) =>
        tf.separableConv2d(input as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, 1, "same").square().sum();
      return tf.grads(f)([tf.tensor4d(x, [2, 8, 8, 3]), tf.tensor4d(dw, [3, 3, 3, 2]), tf.tensor4d(pw, [1, 1, 6, 4])]);
    });
    cpu.forEach((reference, i) => expectClose(wasm[i]!, reference, `gradient ${i}`));
  });
});
