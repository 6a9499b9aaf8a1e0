/** Public API of ml/model: the pure classifier builder and its options. */
export { buildClassifier, LOGITS_LAYER, PROBABILITIES_LAYER } from "./build-classifier";
export {
  DEFAULT_CLASSIFIER_OPTIONS,
  resolveClassifierOptions,
  type ClassifierOptions,
  type ResolvedClassifierOptions,
} from "./classifier-options";
