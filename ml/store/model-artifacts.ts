/**
 * tf.LayersModel <-> in-memory artifacts (topology JSON, weight specs, one weights buffer), with no file-system
 * handler: tfjs's `file://` handler exists only in tfjs-node, which does not install here. Saving goes through
 * tf.io.withSaveHandler, loading through tf.io.fromMemory; both round-trip the weights bit for bit.
 */
import * as tf from "@tensorflow/tfjs";

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export interface ModelArtifactsBundle {
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  /** float32 little-endian weights in weightSpecs order. */
  weightData: Uint8Array;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** The minimal part of tf.LayersModel the store needs. */
export interface SavableModel {
  save(handler: tf.io.IOHandler): Promise<tf.io.SaveResult>;
}

export async function artifactsOfLayersModel(model: SavableModel): Promise<ModelArtifactsBundle> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  const artifacts = captured as tf.io.ModelArtifacts | null;
  if (artifacts === null || artifacts.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new Error("the model produced no weights when saved");
  }
  const topology = artifacts.modelTopology;
  if (topology === undefined || topology instanceof ArrayBuffer) throw new Error("the model produced no JSON topology when saved");
  const joined = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  return {
    modelTopology: topology as Record<string, unknown>,
    weightSpecs: artifacts.weightSpecs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: s.dtype, ...(s.quantization ? { quantization: s.quantization } : {}) })),
    weightData: new Uint8Array(joined),
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
  };
}

/** Builds a tf.LayersModel on the active tfjs backend from artifacts (already verified when read from a store). */
export async function layersModelFromArtifacts(bundle: ModelArtifactsBundle): Promise<tf.LayersModel> {
  // fromMemory reads the whole ArrayBuffer: give it a private, exactly sized copy. (Not `.slice()`: on a Node Buffer,
  // e.g. from readFileSync, slice is a view into a shared pool and `.buffer` would hand tfjs other files' bytes.)
  const weightData = new Uint8Array(bundle.weightData).buffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: bundle.modelTopology,
      weightSpecs: bundle.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData,
      format: bundle.format,
      generatedBy: bundle.generatedBy,
      convertedBy: bundle.convertedBy ?? undefined,
    }),
  );
}
