/** Public API of ml/explain: model-agnostic explanation maps for a single image. */
export {
  defaultOcclusionGeometry,
  downsampleMap,
  occlusionSensitivity,
  patchStarts,
  pixelSensitivity,
  type MalignancyScorer,
  type OcclusionGrid,
  type OcclusionOptions,
} from "./occlusion";
