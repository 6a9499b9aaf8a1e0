/**
 * Public API of ml/inference for the server: loadPredictor(modelDir) for uploads and batches, and the preprocessing
 * shared with training. Code inside ml/ imports the modules it needs directly (the scorer, the engines, the ONNX
 * exporter, test-time augmentation).
 */
export { loadPredictor, type Predictor } from "./predictor";
export { preprocessImageBytes } from "./preprocess";
