/** Public API of ml/model: the pure classifier builder and its options. */
export { buildClassifier, LOGITS_LAYER } from "./build-classifier";
export { type ClassifierOptions } from "./classifier-options";
