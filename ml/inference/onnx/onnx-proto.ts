/**
 * The slice of the ONNX protobuf schema (onnx/onnx.proto, IR version 8) that a feed-forward image classifier
 * needs, as plain TypeScript objects plus an encoder. Field numbers are ONNX's; see the comments beside each.
 */
import { ProtoWriter } from "./protobuf-writer";

/** onnx.TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

export type OnnxAttribute =
  | { name: string; kind: "int"; value: number }
  | { name: string; kind: "ints"; value: readonly number[] }
  | { name: string; kind: "float"; value: number }
  | { name: string; kind: "string"; value: string };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly OnnxAttribute[];
}

export type OnnxInitializer =
  | { name: string; dims: readonly number[]; dataType: typeof ONNX_FLOAT; data: Float32Array }
  | { name: string; dims: readonly number[]; dataType: typeof ONNX_INT64; data: readonly number[] };

/** A float tensor graph input or output; a string dimension is symbolic (e.g. the batch size "N"). */
export interface OnnxValueInfo {
  name: string;
  shape: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxInitializer[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  /** IR version 8 pairs with opsets 17 and 18. */
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: OnnxGraph;
  metadata?: Readonly<Record<string, string>>;
}

// AttributeProto.AttributeType
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, ints: 7 } as const;

function encodeAttribute(attribute: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, attribute.name); // name = 1
  switch (attribute.kind) {
    case "float":
      w.float(2, attribute.value); // f = 2
      break;
    case "int":
      w.int(3, attribute.value); // i = 3
      break;
    case "string":
      w.bytes(4, new TextEncoder().encode(attribute.value)); // s = 4
      break;
    case "ints":
      w.packedInts(8, attribute.value); // ints = 8
      break;
  }
  return w.int(20, ATTRIBUTE_TYPE[attribute.kind]); // type = 20
}

function encodeNode(node: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input); // input = 1
  for (const output of node.outputs) w.string(2, output); // output = 2
  w.string(3, node.name).string(4, node.opType); // name = 3, op_type = 4
  for (const attribute of node.attributes ?? []) w.message(5, encodeAttribute(attribute)); // attribute = 5
  return w;
}

function encodeInitializer(tensor: OnnxInitializer): ProtoWriter {
  const expected = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.data.length !== expected) {
    throw new RangeError(`initializer ${tensor.name}: ${tensor.data.length} values for dims [${tensor.dims.join(", ")}]`);
  }
  const w = new ProtoWriter().packedInts(1, tensor.dims).int(2, tensor.dataType).string(8, tensor.name); // dims, data_type, name
  if (tensor.dataType === ONNX_FLOAT) {
    // raw_data = 9: little-endian bytes, the fastest form for ONNX Runtime to load.
    const raw = new Uint8Array(tensor.data.length * 4);
    const view = new DataView(raw.buffer);
    tensor.data.forEach((v, i) => view.setFloat32(i * 4, v, true));
    w.bytes(9, raw);
  } else {
    w.packedInts(7, tensor.data); // int64_data = 7
  }
  return w;
}

function encodeValueInfo(info: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of info.shape) {
    // TensorShapeProto.dim = 1 -> Dimension { dim_value = 1 | dim_param = 2 }
    shape.message(1, typeof dim === "number" ? new ProtoWriter().int(1, dim) : new ProtoWriter().string(2, dim));
  }
  const tensorType = new ProtoWriter().int(1, ONNX_FLOAT).message(2, shape); // elem_type = 1, shape = 2
  const type = new ProtoWriter().message(1, tensorType); // TypeProto.tensor_type = 1
  return new ProtoWriter().string(1, info.name).message(2, type); // ValueInfoProto: name = 1, type = 2
}

function encodeGraph(graph: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const node of graph.nodes) w.message(1, encodeNode(node)); // node = 1
  w.string(2, graph.name); // name = 2
  for (const tensor of graph.initializers) w.message(5, encodeInitializer(tensor)); // initializer = 5
  for (const input of graph.inputs) w.message(11, encodeValueInfo(input)); // input = 11
  for (const output of graph.outputs) w.message(12, encodeValueInfo(output)); // output = 12
  return w;
}

/** Serialises a ModelProto: the bytes of a `.onnx` file. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter()
    .int(1, model.irVersion) // ir_version = 1
    .string(2, model.producerName) // producer_name = 2
    .string(3, model.producerVersion); // producer_version = 3
  if (model.docString !== undefined) w.string(6, model.docString); // doc_string = 6
  w.message(7, encodeGraph(model.graph)); // graph = 7
  w.message(8, new ProtoWriter().string(1, "").int(2, model.opsetVersion)); // opset_import = 8 (default domain)
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    w.message(14, new ProtoWriter().string(1, key).string(2, value)); // metadata_props = 14
  }
  return w.finish();
}
