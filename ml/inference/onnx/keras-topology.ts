/**
 * Reads the Keras-style JSON topology that tfjs-layers writes into model.json (`modelTopology`) into a list of
 * layers in execution order, each with the tensors it consumes. Handles functional models ("Model" / "Functional",
 * including layers applied several times) and "Sequential" ones. Unknown JSON is checked field by field, so a
 * malformed file fails with the layer and field at fault.
 */

export type JsonObject = { readonly [key: string]: unknown };

/** A layer output: (layer name, node index, tensor index), as Keras inbound_nodes reference it. */
export interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

/** One application of a layer (a layer applied twice appears twice, with node 0 and 1). */
export interface LayerCall {
  name: string;
  className: string;
  config: JsonObject;
  node: number;
  inputs: TensorRef[];
}

export interface KerasGraph {
  calls: LayerCall[];
  inputs: TensorRef[];
  outputs: TensorRef[];
  /** [height, width, channels] of each input (batch dimension dropped). */
  inputShapes: number[][];
}

export class UnsupportedModelError extends Error {
  override readonly name = "UnsupportedModelError";
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function refKey(ref: TensorRef): string {
  return `${ref.layer}:${ref.node}:${ref.tensor}`;
}

export function readKerasGraph(modelTopology: unknown): KerasGraph {
  if (!isJsonObject(modelTopology)) throw new UnsupportedModelError("modelTopology is not a JSON object");
  // Models converted from Keras files wrap the model in { model_config, keras_version, backend }.
  const model = isJsonObject(modelTopology.model_config) ? modelTopology.model_config : modelTopology;
  const className = model.class_name;
  const config = model.config;
  if (className === "Sequential") return readSequential(config);
  if (className === "Model" || className === "Functional") return readFunctional(config);
  throw new UnsupportedModelError(`unsupported model class ${JSON.stringify(className)}`);
}

function readSequential(config: unknown): KerasGraph {
  const layers = isJsonObject(config) ? config.layers : config;
  if (!Array.isArray(layers) || layers.length === 0) throw new UnsupportedModelError("Sequential model has no layers");
  const calls: LayerCall[] = [];
  let previous: TensorRef | null = null;
  let inputShape: number[] | null = null;
  for (const [index, raw] of layers.entries()) {
    const { name, className, config: layerConfig } = readLayerHeader(raw, index);
    if (inputShape === null) inputShape = batchInputShape(layerConfig, name);
    if (className === "InputLayer") {
      previous = { layer: name, node: 0, tensor: 0 };
      continue;
    }
    const inputs: TensorRef[] = previous === null ? [{ layer: "__input__", node: 0, tensor: 0 }] : [previous];
    calls.push({ name, className, config: layerConfig, node: 0, inputs });
    previous = { layer: name, node: 0, tensor: 0 };
  }
  if (inputShape === null || previous === null) throw new UnsupportedModelError("Sequential model has no input shape");
  const input: TensorRef = calls[0]?.inputs[0] ?? previous;
  return { calls, inputs: [input], outputs: [previous], inputShapes: [inputShape] };
}

function readFunctional(config: unknown): KerasGraph {
  if (!isJsonObject(config) || !Array.isArray(config.layers)) throw new UnsupportedModelError("model config has no layers");
  const calls: LayerCall[] = [];
  const inputShapes = new Map<string, number[]>();
  for (const [index, raw] of config.layers.entries()) {
    const { name, className, config: layerConfig } = readLayerHeader(raw, index);
    if (className === "InputLayer") {
      const shape = batchInputShape(layerConfig, name);
      if (shape === null) throw new UnsupportedModelError(`input layer ${name} has no batch_input_shape`);
      inputShapes.set(name, shape);
      continue;
    }
    const inbound = (raw as JsonObject).inbound_nodes;
    if (!Array.isArray(inbound) || inbound.length === 0) throw new UnsupportedModelError(`layer ${name} has no inbound_nodes`);
    inbound.forEach((node: unknown, nodeIndex) => {
      if (!Array.isArray(node)) throw new UnsupportedModelError(`layer ${name}: inbound node ${nodeIndex} is not a list`);
      calls.push({ name, className, config: layerConfig, node: nodeIndex, inputs: node.map((entry) => readRef(entry, name)) });
    });
  }
  const inputs = readRefList(config.input_layers, "input_layers");
  const outputs = readRefList(config.output_layers, "output_layers");
  return {
    calls: executionOrder(calls, inputs),
    inputs,
    outputs,
    inputShapes: inputs.map((ref) => {
      const shape = inputShapes.get(ref.layer);
      if (shape === undefined) throw new UnsupportedModelError(`model input ${ref.layer} is not an InputLayer`);
      return shape;
    }),
  };
}

/** Orders layer calls so every call follows the calls producing its inputs (the JSON order usually is one already). */
function executionOrder(calls: LayerCall[], inputs: TensorRef[]): LayerCall[] {
  const available = new Set(inputs.map((r) => `${r.layer}:${r.node}`));
  const pending = [...calls];
  const ordered: LayerCall[] = [];
  while (pending.length > 0) {
    const index = pending.findIndex((call) => call.inputs.every((r) => available.has(`${r.layer}:${r.node}`)));
    if (index < 0) throw new UnsupportedModelError(`layer ${pending[0]!.name} depends on a tensor no layer produces`);
    const [call] = pending.splice(index, 1);
    ordered.push(call!);
    available.add(`${call!.name}:${call!.node}`);
  }
  return ordered;
}

function readLayerHeader(raw: unknown, index: number): { name: string; className: string; config: JsonObject } {
  if (!isJsonObject(raw) || typeof raw.class_name !== "string" || !isJsonObject(raw.config)) {
    throw new UnsupportedModelError(`layer ${index} has no class_name/config`);
  }
  const name = typeof raw.name === "string" ? raw.name : raw.config.name;
  if (typeof name !== "string") throw new UnsupportedModelError(`layer ${index} has no name`);
  return { name, className: raw.class_name, config: raw.config };
}

function batchInputShape(config: JsonObject, layer: string): number[] | null {
  const shape = config.batch_input_shape;
  if (!Array.isArray(shape)) return null;
  const dims = shape.slice(1);
  if (!dims.every((d): d is number => typeof d === "number" && Number.isInteger(d) && d > 0)) {
    throw new UnsupportedModelError(`layer ${layer}: input shape ${JSON.stringify(shape)} must be fully known (except the batch)`);
  }
  return dims;
}

function readRef(entry: unknown, layer: string): TensorRef {
  if (!Array.isArray(entry) || typeof entry[0] !== "string" || typeof entry[1] !== "number" || typeof entry[2] !== "number") {
    throw new UnsupportedModelError(`layer ${layer}: malformed inbound tensor ${JSON.stringify(entry)}`);
  }
  return { layer: entry[0], node: entry[1], tensor: entry[2] };
}

function readRefList(value: unknown, field: string): TensorRef[] {
  if (!Array.isArray(value) || value.length === 0) throw new UnsupportedModelError(`model config has no ${field}`);
  return value.map((entry) => readRef(entry, field));
}

// Typed readers for layer config fields.

export function configNumber(call: LayerCall, key: string, fallback?: number): number {
  const value = call.config[key] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new UnsupportedModelError(`layer ${call.name}: ${key} must be a number`);
  return value;
}

export function configPair(call: LayerCall, key: string, fallback?: readonly [number, number]): [number, number] {
  const value = call.config[key] ?? fallback;
  if (typeof value === "number" && Number.isInteger(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "number" && Number.isInteger(v))) {
    return [value[0] as number, value[1] as number];
  }
  throw new UnsupportedModelError(`layer ${call.name}: ${key} must be an integer or a pair, got ${JSON.stringify(value)}`);
}

export function configString(call: LayerCall, key: string, fallback?: string): string {
  const value = call.config[key] ?? fallback;
  if (typeof value !== "string") throw new UnsupportedModelError(`layer ${call.name}: ${key} must be a string`);
  return value;
}

export function configBoolean(call: LayerCall, key: string, fallback: boolean): boolean {
  const value = call.config[key] ?? fallback;
  if (typeof value !== "boolean") throw new UnsupportedModelError(`layer ${call.name}: ${key} must be true or false`);
  return value;
}
