/** Public API of ml/explain: model-agnostic explanation maps for a single image. */
export { defaultOcclusionGeometry, downsampleMap, occlusionSensitivity, pixelSensitivity } from "./occlusion";
