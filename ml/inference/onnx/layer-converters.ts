/**
 * One converter per Keras layer class, emitting ONNX nodes in NCHW layout (what ONNX Runtime's CPU kernels are
 * fastest at). Shapes are tracked in Keras layout ([H, W, C] or [units]) so that "same" padding can be written as
 * explicit pads (TensorFlow puts the odd extra pixel at the end, which is ONNX's SAME_UPPER) and so that Flatten
 * can restore the channels-last order a following Dense layer's weights expect.
 */
import type { NamedWeight } from "./decode-weights";
import type { GraphBuilder, Value } from "./graph-builder";
import {
  configBoolean,
  configNumber,
  configPair,
  configString,
  type LayerCall,
  UnsupportedModelError,
} from "./keras-topology";

export interface ConvertContext {
  builder: GraphBuilder;
  weights: ReadonlyMap<string, NamedWeight>;
  /** For BatchNormalization: true when its input is used by nothing else, so folding it cannot change another branch. */
  inputUsedOnlyHere: boolean;
  foldBatchNorm: boolean;
  /** Called with the name of each batch-norm layer folded into the layer before it. */
  onFolded: (layer: string) => void;
}

type Converter = (ctx: ConvertContext, call: LayerCall, inputs: Value[]) => Value;

function single(call: LayerCall, inputs: Value[]): Value {
  if (inputs.length !== 1) throw new UnsupportedModelError(`layer ${call.name} (${call.className}) expects one input, got ${inputs.length}`);
  return inputs[0]!;
}

function image(call: LayerCall, value: Value): [number, number, number] {
  if (value.shape.length !== 3) throw new UnsupportedModelError(`layer ${call.name} (${call.className}) needs an image input, got shape [${value.shape}]`);
  return value.shape as [number, number, number];
}

function channelsLast(call: LayerCall): void {
  const format = call.config.data_format;
  if (format !== undefined && format !== null && format !== "channels_last") {
    throw new UnsupportedModelError(`layer ${call.name}: data_format ${String(format)} is not supported (channels_last only)`);
  }
}

function weight(ctx: ConvertContext, call: LayerCall, suffix: string): NamedWeight {
  const found = ctx.weights.get(`${call.name}/${suffix}`);
  if (found === undefined) throw new UnsupportedModelError(`layer ${call.name}: weight ${call.name}/${suffix} is missing`);
  return found;
}

/** TensorFlow's output size and pads for one spatial axis. */
function spatial(size: number, kernel: number, stride: number, dilation: number, padding: string, call: LayerCall): { out: number; begin: number; end: number } {
  const effective = (kernel - 1) * dilation + 1;
  if (padding === "valid") {
    const out = Math.floor((size - effective) / stride) + 1;
    if (out < 1) throw new UnsupportedModelError(`layer ${call.name}: input ${size} is smaller than the window ${effective}`);
    return { out, begin: 0, end: 0 };
  }
  if (padding !== "same") throw new UnsupportedModelError(`layer ${call.name}: padding ${padding} is not supported`);
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return { out, begin: Math.floor(total / 2), end: total - Math.floor(total / 2) };
}

interface Window {
  outShape: [number, number];
  attributes: { name: string; kind: "ints"; value: number[] }[];
}

function window(call: LayerCall, input: Value, kernel: [number, number], strides: [number, number], dilation: [number, number]): Window {
  const [h, w] = image(call, input);
  const padding = configString(call, "padding", "valid");
  const y = spatial(h, kernel[0], strides[0], dilation[0], padding, call);
  const x = spatial(w, kernel[1], strides[1], dilation[1], padding, call);
  return {
    outShape: [y.out, x.out],
    attributes: [
      { name: "kernel_shape", kind: "ints", value: kernel },
      { name: "strides", kind: "ints", value: strides },
      { name: "pads", kind: "ints", value: [y.begin, x.begin, y.end, x.end] },
    ],
  };
}

/** Keras [kh, kw, in, out] -> ONNX [out, in, kh, kw]. */
function convKernel(kernel: NamedWeight): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
  const data = new Float32Array(kernel.values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) data[((o * cin + i) * kh + y) * kw + x] = kernel.values[((y * kw + x) * cin + i) * cout + o]!;
  return { data, dims: [cout, cin, kh, kw] };
}

/** Keras depthwise [kh, kw, in, mult] -> ONNX grouped conv [in * mult, 1, kh, kw] (output channel i * mult + m). */
function depthwiseKernel(kernel: NamedWeight): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, mult] = kernel.shape as [number, number, number, number];
  const data = new Float32Array(kernel.values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let m = 0; m < mult; m++) data[((i * mult + m) * kh + y) * kw + x] = kernel.values[((y * kw + x) * cin + i) * mult + m]!;
  return { data, dims: [cin * mult, 1, kh, kw] };
}

function biasOrZeros(ctx: ConvertContext, call: LayerCall, channels: number): Float32Array {
  if (!configBoolean(call, "use_bias", true)) return new Float32Array(channels);
  return Float32Array.from(weight(ctx, call, "bias").values);
}

/** Emits the activation a layer's `activation` config names: only those the project's architectures use. */
function activation(ctx: ConvertContext, name: string, input: Value, hint: string): Value {
  switch (name) {
    case "linear":
      return input;
    case "relu":
      return { name: ctx.builder.node("Relu", [input.name], `${hint}/relu`), shape: input.shape };
    case "softmax":
      return softmax(ctx, input, -1, hint);
    default:
      throw new UnsupportedModelError(`activation ${JSON.stringify(name)} (in ${hint}) is not supported by the ONNX exporter`);
  }
}

function clip(ctx: ConvertContext, input: Value, min: number, max: number, hint: string): Value {
  const b = ctx.builder;
  const lo = b.floatConstant(`${hint}/clip_min`, [], Float32Array.of(min));
  const hi = b.floatConstant(`${hint}/clip_max`, [], Float32Array.of(max));
  return { name: b.node("Clip", [input.name, lo, hi], `${hint}/clip`), shape: input.shape };
}

/** Keras axis (channels-last, batch = 0) -> ONNX axis for our layouts (NCHW for images). */
function onnxAxis(kerasAxis: number, value: Value, hint: string): number {
  const rank = value.shape.length + 1;
  const axis = kerasAxis < 0 ? rank + kerasAxis : kerasAxis;
  if (axis <= 0 || axis >= rank) throw new UnsupportedModelError(`${hint}: axis ${kerasAxis} is not supported`);
  if (rank !== 4) return axis;
  return [0, 2, 3, 1][axis]!;
}

function softmax(ctx: ConvertContext, input: Value, kerasAxis: number, hint: string): Value {
  const axis = onnxAxis(kerasAxis, input, hint);
  return { name: ctx.builder.node("Softmax", [input.name], `${hint}/softmax`, [{ name: "axis", kind: "int", value: axis }]), shape: input.shape };
}

function activationOf(ctx: ConvertContext, call: LayerCall, value: Value): Value {
  return activation(ctx, configString(call, "activation", "linear"), value, call.name);
}

const conv2d: Converter = (ctx, call, inputs) => {
  channelsLast(call);
  const input = single(call, inputs);
  const b = ctx.builder;
  const kernel = weight(ctx, call, "kernel");
  const { data, dims } = convKernel(kernel);
  const cout = dims[0]!;
  const win = window(call, input, configPair(call, "kernel_size"), configPair(call, "strides", [1, 1]), configPair(call, "dilation_rate", [1, 1]));
  const w = b.floatConstant(`${call.name}/W`, dims, data);
  const bias = b.floatConstant(`${call.name}/B`, [cout], biasOrZeros(ctx, call, cout));
  const out = b.node("Conv", [input.name, w, bias], call.name, [
    ...win.attributes,
    { name: "dilations", kind: "ints", value: configPair(call, "dilation_rate", [1, 1]) },
    { name: "group", kind: "int", value: 1 },
  ]);
  const value: Value = { name: out, shape: [...win.outShape, cout] };
  if (configString(call, "activation", "linear") === "linear") b.linearProducers.set(out, { weight: w, bias, kind: "conv", outChannels: cout });
  return activationOf(ctx, call, value);
};

const depthwiseConv2d: Converter = (ctx, call, inputs) => {
  channelsLast(call);
  const input = single(call, inputs);
  const b = ctx.builder;
  const [, , cin] = image(call, input);
  const { data, dims } = depthwiseKernel(weight(ctx, call, "depthwise_kernel"));
  if (dims[0]! % cin !== 0 || dims[0]! / cin !== configNumber(call, "depth_multiplier", 1)) {
    throw new UnsupportedModelError(`layer ${call.name}: depthwise kernel does not match ${cin} input channels`);
  }
  const cout = dims[0]!;
  const win = window(call, input, configPair(call, "kernel_size"), configPair(call, "strides", [1, 1]), configPair(call, "dilation_rate", [1, 1]));
  const w = b.floatConstant(`${call.name}/depthwise_W`, dims, data);
  const bias = b.floatConstant(`${call.name}/depthwise_B`, [cout], biasOrZeros(ctx, call, cout));
  const out = b.node("Conv", [input.name, w, bias], `${call.name}/depthwise`, [
    ...win.attributes,
    { name: "dilations", kind: "ints", value: configPair(call, "dilation_rate", [1, 1]) },
    { name: "group", kind: "int", value: cin },
  ]);
  if (configString(call, "activation", "linear") === "linear") b.linearProducers.set(out, { weight: w, bias, kind: "conv", outChannels: cout });
  return activationOf(ctx, call, { name: out, shape: [...win.outShape, cout] });
};

const dense: Converter = (ctx, call, inputs) => {
  const input = single(call, inputs);
  if (input.shape.length !== 1) throw new UnsupportedModelError(`layer ${call.name}: Dense on a rank-${input.shape.length + 1} tensor is not supported (add Flatten or pooling)`);
  const b = ctx.builder;
  const kernel = weight(ctx, call, "kernel");
  const [, units] = kernel.shape as [number, number];
  const w = b.floatConstant(`${call.name}/W`, kernel.shape, Float32Array.from(kernel.values));
  const bias = b.floatConstant(`${call.name}/B`, [units], biasOrZeros(ctx, call, units));
  const out = b.node("Gemm", [input.name, w, bias], call.name);
  if (configString(call, "activation", "linear") === "linear") b.linearProducers.set(out, { weight: w, bias, kind: "gemm", outChannels: units });
  return activationOf(ctx, call, { name: out, shape: [units] });
};

const batchNormalization: Converter = (ctx, call, inputs) => {
  const input = single(call, inputs);
  const axis = configNumber(call, "axis", -1);
  if (axis !== -1 && axis !== input.shape.length) throw new UnsupportedModelError(`layer ${call.name}: batch-norm over axis ${axis} is not supported (channels only)`);
  const channels = input.shape.at(-1)!;
  const epsilon = configNumber(call, "epsilon", 1e-3);
  const gamma = configBoolean(call, "scale", true) ? weight(ctx, call, "gamma").values : new Float32Array(channels).fill(1);
  const beta = configBoolean(call, "center", true) ? weight(ctx, call, "beta").values : new Float32Array(channels);
  const mean = weight(ctx, call, "moving_mean").values;
  const variance = weight(ctx, call, "moving_variance").values;
  const b = ctx.builder;

  const producer = b.linearProducers.get(input.name);
  if (ctx.foldBatchNorm && ctx.inputUsedOnlyHere && producer !== undefined && producer.outChannels === channels) {
    // y = gamma * (Wx + b - mean) / sqrt(var + eps) + beta = (s * W) x + (s * (b - mean) + beta), s per output channel.
    const w = b.floatData(producer.weight);
    const bias = b.floatData(producer.bias);
    const perOut = producer.kind === "conv" ? w.length / channels : 1;
    for (let o = 0; o < channels; o++) {
      const s = gamma[o]! / Math.sqrt(variance[o]! + epsilon);
      if (producer.kind === "conv") for (let k = 0; k < perOut; k++) w[o * perOut + k]! *= s;
      else for (let i = o; i < w.length; i += channels) w[i]! *= s;
      bias[o] = s * (bias[o]! - mean[o]!) + beta[o]!;
    }
    ctx.onFolded(call.name);
    return input;
  }
  const constant = (part: string, data: ArrayLike<number>) => b.floatConstant(`${call.name}/${part}`, [channels], Float32Array.from(data));
  const out = b.node(
    "BatchNormalization",
    [input.name, constant("scale", gamma), constant("B", beta), constant("mean", mean), constant("var", variance)],
    call.name,
    [{ name: "epsilon", kind: "float", value: epsilon }],
  );
  return { name: out, shape: input.shape };
};

const maxPooling2d: Converter = (ctx, call, inputs) => {
  channelsLast(call);
  const input = single(call, inputs);
  const poolSize = configPair(call, "pool_size", [2, 2]);
  const strides = call.config.strides === null || call.config.strides === undefined ? poolSize : configPair(call, "strides");
  const win = window(call, input, poolSize, strides, [1, 1]);
  const out = ctx.builder.node("MaxPool", [input.name], call.name, win.attributes);
  return { name: out, shape: [...win.outShape, input.shape[2]!] };
};

const globalAveragePooling2d: Converter = (ctx, call, inputs) => {
  channelsLast(call);
  const input = single(call, inputs);
  if (configBoolean(call, "keepdims", false)) throw new UnsupportedModelError(`layer ${call.name}: keepdims is not supported`);
  const [, , c] = image(call, input);
  const pooled = ctx.builder.node("GlobalAveragePool", [input.name], `${call.name}/pool`);
  const out = ctx.builder.node("Flatten", [pooled], call.name, [{ name: "axis", kind: "int", value: 1 }]);
  return { name: out, shape: [c] };
};

const flatten: Converter = (ctx, call, inputs) => {
  const input = single(call, inputs);
  if (input.shape.length === 1) return input;
  const [h, w, c] = image(call, input);
  // Back to channels-last before flattening: the next Dense layer's weights were learned in HWC order.
  const nhwc = ctx.builder.node("Transpose", [input.name], `${call.name}/to_nhwc`, [{ name: "perm", kind: "ints", value: [0, 2, 3, 1] }]);
  const out = ctx.builder.node("Flatten", [nhwc], call.name, [{ name: "axis", kind: "int", value: 1 }]);
  return { name: out, shape: [h * w * c] };
};

const add: Converter = (ctx, call, inputs) => {
  if (inputs.length < 2) throw new UnsupportedModelError(`layer ${call.name} (${call.className}) needs at least two inputs`);
  const shape = inputs[0]!.shape;
  if (!inputs.every((v) => v.shape.join() === shape.join())) {
    throw new UnsupportedModelError(`layer ${call.name}: inputs of different shapes (broadcasting merges are not supported)`);
  }
  return { name: ctx.builder.node("Sum", inputs.map((v) => v.name), call.name), shape };
};

const zeroPadding2d: Converter = (ctx, call, inputs) => {
  channelsLast(call);
  const input = single(call, inputs);
  const [h, w, c] = image(call, input);
  const raw = call.config.padding;
  let top: number, bottom: number, left: number, right: number;
  if (typeof raw === "number") [top, bottom, left, right] = [raw, raw, raw, raw];
  else if (Array.isArray(raw) && raw.every((p) => typeof p === "number")) [top, bottom, left, right] = [raw[0], raw[0], raw[1], raw[1]] as number[] as [number, number, number, number];
  else if (Array.isArray(raw) && raw.every((p) => Array.isArray(p))) [[top, bottom], [left, right]] = raw as [[number, number], [number, number]];
  else throw new UnsupportedModelError(`layer ${call.name}: unreadable padding ${JSON.stringify(raw)}`);
  // A 1x1 depthwise convolution with weight 1 and explicit pads, rather than a Pad node: ONNX Runtime's Pad_Fusion
  // rewrite (ORT PR #18136) folds a zero Pad into a following MaxPool's pads, which pad with -inf, and so changes
  // the result wherever a pooling window holds only negative values. Conv pads are zeros and x * 1 + 0 is exact.
  const b = ctx.builder;
  const ones = b.floatConstant(`${call.name}/identity_W`, [c, 1, 1, 1], new Float32Array(c).fill(1));
  const zeros = b.floatConstant(`${call.name}/identity_B`, [c], new Float32Array(c));
  const out = b.node("Conv", [input.name, ones, zeros], call.name, [
    { name: "kernel_shape", kind: "ints", value: [1, 1] },
    { name: "pads", kind: "ints", value: [top, left, bottom, right] },
    { name: "group", kind: "int", value: c },
  ]);
  return { name: out, shape: [h + top + bottom, w + left + right, c] };
};

/**
 * Only the layer kinds the project's architectures emit (ml/model: the CNN and the MobileNetV2 fine-tune); any
 * other layer is refused by name rather than converted by code nothing exercises.
 */
const CONVERTERS: Record<string, Converter> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  Dense: dense,
  BatchNormalization: batchNormalization,
  MaxPooling2D: maxPooling2d,
  GlobalAveragePooling2D: globalAveragePooling2d,
  Flatten: flatten,
  Add: add,
  ZeroPadding2D: zeroPadding2d,
  ReLU: (ctx, call, inputs) => {
    const input = single(call, inputs);
    const max = call.config.max_value;
    if (max === null || max === undefined) return activation(ctx, "relu", input, call.name);
    if (typeof max !== "number") throw new UnsupportedModelError(`layer ${call.name}: max_value must be a number`);
    return clip(ctx, input, 0, max, call.name);
  },
  Softmax: (ctx, call, inputs) => {
    const axis = call.config.axis;
    if (Array.isArray(axis)) throw new UnsupportedModelError(`layer ${call.name}: softmax over several axes is not supported`);
    return softmax(ctx, single(call, inputs), typeof axis === "number" ? axis : -1, call.name);
  },
  // Inference-time identity.
  Dropout: (_ctx, call, inputs) => single(call, inputs),
};

const SUPPORTED_LAYERS: readonly string[] = Object.keys(CONVERTERS).sort();

export function convertLayer(ctx: ConvertContext, call: LayerCall, inputs: Value[]): Value {
  const converter = CONVERTERS[call.className];
  if (converter === undefined) {
    throw new UnsupportedModelError(`layer ${call.name}: ${call.className} is not supported by the ONNX exporter (supported: ${SUPPORTED_LAYERS.join(", ")})`);
  }
  return converter(ctx, call, inputs);
}
