/**
 * Public API of ml/inference: loadPredictor(modelDir) for uploads and batches, the Scorer the evaluation pipeline
 * uses, the preprocessing shared with training, and the tfjs -> ONNX exporter behind the fast CPU engine.
 */
export { createPredictor, loadPredictor, type BatchInput, type BatchPrediction, type DiagnosisPrediction, type Predictor } from "./predictor";
export { createScorer, type Scorer } from "./scorer";
export { ENGINE_KINDS, type EngineKind, type EngineOptions, type InferenceEngine } from "./engines/engine";
export { createEngine } from "./engines/create-engine";
export { inputLength, preprocessFiles, preprocessImageBytes, preprocessPixels, type PreprocessFilesOptions } from "./preprocess";
export {
  exportLayersModelToOnnx,
  ONNX_INPUT_NAME,
  ONNX_OUTPUT_NAME,
  type ExportOnnxOptions,
  type LayersModelArtifacts,
  type OnnxExport,
} from "./onnx/export-onnx";
export { SUPPORTED_LAYERS } from "./onnx/layer-converters";
export { UnsupportedModelError } from "./onnx/keras-topology";
export { augmentedViews, averageViews, TTA_MODES, viewCount, type TestTimeAugmentationMode } from "./test-time-augmentation";
