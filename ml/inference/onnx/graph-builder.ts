/**
 * Accumulates ONNX nodes and initializers with unique names while the exporter walks the Keras graph, and keeps
 * track of which values came from a convolution or dense layer whose weights a following batch-norm may fold into.
 */
import { ONNX_FLOAT, type OnnxAttribute, type OnnxInitializer, type OnnxNode } from "./onnx-proto";

/** A tensor in the ONNX graph with its shape in Keras layout: [H, W, C] (NCHW in ONNX) or [units] (N x units). */
export interface Value {
  name: string;
  shape: number[];
}

/** A linear producer (Conv or Gemm without activation): a batch-norm right after it can be folded into its weights. */
export interface LinearProducer {
  /** Weight initializer; output channels on axis 0 for Conv ([out, in/group, kh, kw]), axis 1 for Gemm ([in, out]). */
  weight: string;
  kind: "conv" | "gemm";
  /** Bias initializer (the node gets one at creation, zeros when the layer has none, so folding can rewrite it). */
  bias: string;
  outChannels: number;
}

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  private readonly initializers = new Map<string, OnnxInitializer>();
  private readonly usedNames = new Set<string>();
  /** ONNX value name -> the linear layer that produced it. */
  readonly linearProducers = new Map<string, LinearProducer>();

  uniqueName(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./-]/g, "_");
    let name = base;
    for (let i = 1; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  /** Adds one node with a single output and returns the output's name. */
  node(opType: string, inputs: readonly string[], hint: string, attributes: OnnxAttribute[] = []): string {
    const output = this.uniqueName(hint);
    this.nodes.push({ opType, name: this.uniqueName(`${hint}/${opType}`), inputs, outputs: [output], attributes });
    return output;
  }

  floatConstant(hint: string, dims: readonly number[], data: Float32Array): string {
    const name = this.uniqueName(hint);
    this.initializers.set(name, { name, dims, dataType: ONNX_FLOAT, data });
    return name;
  }

  /** The float data of an initializer, for folding (mutating it changes what gets exported). */
  floatData(name: string): Float32Array {
    const tensor = this.initializers.get(name);
    if (tensor === undefined || tensor.dataType !== ONNX_FLOAT) throw new Error(`no float initializer named ${name}`);
    return tensor.data;
  }

  allInitializers(): OnnxInitializer[] {
    // Only initializers some node still reads (folding can leave none unused today, but stay safe).
    const used = new Set(this.nodes.flatMap((n) => n.inputs));
    return [...this.initializers.values()].filter((t) => used.has(t.name));
  }
}
