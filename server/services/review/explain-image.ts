/**
 * The review page's explanation map: occlusion sensitivity (ml/explain) of one of the flag's lesion images under the
 * flag's model version, the model that produced the score the reviewer is judging, even after a newer model was
 * promoted.
 *
 * It costs one forward pass per patch position (about 170-230), so results are cached per (model version, image)
 * (both immutable: images are content-addressed and versions never change on disk) and computed one at a time, so a
 * burst of page views cannot starve the web server's CPU. A missing or damaged model directory, or a missing image
 * file, gives "unavailable" with the reason, never an error page.
 */
import { DomainError } from "../domain-error";
import { malignantProbability, DIAGNOSES } from "@/ml/diagnoses";
import { defaultOcclusionGeometry, downsampleMap, occlusionSensitivity, pixelSensitivity } from "@/ml/explain";
import { preprocessImageBytes, type Predictor } from "@/ml/inference";
import type { Db } from "../../db/client";
import { componentLogger, errorMessage } from "../../logging/logger";
import { ImageBlobNotFoundError, type ImageStore } from "../images";
import { predictorFor, type RegisteredModel } from "../inference/predictors";

/** The map is sent at most this many cells per side (a 224 px model's map is averaged into 8 px blocks). */
export const EXPLANATION_MAX_CELLS = 28;
const CACHE_ENTRIES = 64;

export type ImageExplanation =
  | {
      status: "ready";
      imageId: string;
      modelVersion: string;
      backend: string;
      /** How the model framed the image: "cover" = centre square crop, "fill" = whole image squashed to a square. */
      fit: "cover" | "fill";
      /** "malignancy" models were trained on benign/malignant labels only. */
      labelMode: "diagnosis" | "malignancy";
      inputSize: number;
      patch: number;
      stride: number;
      /** P(malignant) of the untouched image, as this computation scored it. */
      baseline: number;
      /** Side of the map in cells; `drops` is cells x cells, row-major: P(malignant) lost when the area is covered. */
      cells: number;
      drops: number[];
      maxAbsDrop: number;
      computeMs: number;
    }
  | { status: "unavailable"; imageId: string | null; reason: string };

type LoadPredictor = (model: RegisteredModel) => Promise<Predictor>;

export interface ExplainFlagImageOptions {
  db: Db;
  store: ImageStore;
  flagId: string;
  /** One of the flag's lesion images; default: the image the flag's prediction scored, else the newest. */
  imageId?: string;
  /** Tests inject a loader; the app uses the process's verified-model cache. */
  loadPredictor?: LoadPredictor;
}

const cache = new Map<string, Promise<ImageExplanation>>();
let queueTail: Promise<unknown> = Promise.resolve();

/** Runs `work` after every earlier explanation has finished. */
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = queueTail.then(work, work);
  queueTail = run.catch(() => undefined);
  return run;
}

export async function explainFlagImage(options: ExplainFlagImageOptions): Promise<ImageExplanation> {
  const { db } = options;
  const flag = await db.flag.findUnique({
    where: { id: options.flagId },
    select: {
      lesionId: true,
      modelVersion: { select: { id: true, version: true, storagePath: true, sha256: true } },
      prediction: { select: { imageId: true } },
    },
  });
  if (!flag) throw new DomainError("NOT_FOUND", "No such flag.");
  const imageId = options.imageId ?? flag.prediction?.imageId;
  const image = await db.lesionImage.findFirst({
    where: { lesionId: flag.lesionId, ...(imageId ? { id: imageId } : {}) },
    orderBy: { createdAt: "desc" },
    select: { id: true, storageKey: true },
  });
  if (!image) {
    if (options.imageId) throw new DomainError("NOT_FOUND", "No such image of this lesion.");
    return { status: "unavailable", imageId: null, reason: "This lesion has no image to explain." };
  }
  const model = flag.modelVersion;
  if (!model) return { status: "unavailable", imageId: image.id, reason: "This flag has no model output to explain." };

  const key = `${model.id}:${image.id}`;
  let explanation = cache.get(key);
  if (!explanation) {
    explanation = oneAtATime(() => computeExplanation({ ...options, model, image, loadPredictor: options.loadPredictor ?? predictorFor }));
    cache.set(key, explanation);
    if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    // Only finished maps are kept: a model or file restored later must be picked up on the next view.
    void explanation.then(
      (result) => result.status === "ready" || cache.delete(key),
      () => cache.delete(key),
    );
  }
  return explanation;
}

/** Forgets every cached map (tests; an operator replacing files would restart the server anyway). */
export function clearExplanationCache(): void {
  cache.clear();
}

async function computeExplanation(options: {
  store: ImageStore;
  model: RegisteredModel;
  image: { id: string; storageKey: string };
  loadPredictor: LoadPredictor;
}): Promise<ImageExplanation> {
  const { model, image } = options;
  const unavailable = (reason: string): ImageExplanation => ({ status: "unavailable", imageId: image.id, reason });

  let predictor: Predictor;
  try {
    predictor = await options.loadPredictor(model);
  } catch (error) {
    // The model's path and the store's message may name server directories: log them, tell the reviewer less.
    componentLogger("explain").error({ modelVersion: model.version, err: error, detail: errorMessage(error) }, "model could not be loaded");
    return unavailable(`The files of model ${model.version} are not available on this server, so no explanation map can be computed.`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await options.store.get(image.storageKey);
  } catch (error) {
    if (error instanceof ImageBlobNotFoundError) return unavailable("The image file is missing from the image store.");
    throw error;
  }

  try {
    return await occlusionMap(predictor, image.id, model.version, bytes);
  } catch (error) {
    componentLogger("explain").error({ imageId: image.id, modelVersion: model.version, err: error, detail: errorMessage(error) }, "explanation failed");
    return unavailable("The explanation map could not be computed for this image.");
  }
}

async function occlusionMap(predictor: Predictor, imageId: string, modelVersion: string, bytes: Uint8Array): Promise<ImageExplanation> {
  const started = performance.now();
  const { preprocessing } = predictor;
  const size = preprocessing.inputSize;
  const input = await preprocessImageBytes(bytes, preprocessing);
  const { patch, stride } = defaultOcclusionGeometry(size);
  const classes = DIAGNOSES.length;
  const grid = await occlusionSensitivity(
    async (inputs, count) => {
      const probabilities = await predictor.scorer.scoreNormalized(inputs, count);
      return Array.from({ length: count }, (_, i) => malignantProbability(probabilities.subarray(i * classes, (i + 1) * classes)));
    },
    input,
    { size, channels: preprocessing.channels, patch, stride },
  );
  const cells = Math.min(size, EXPLANATION_MAX_CELLS);
  const map = downsampleMap(pixelSensitivity(grid), size, cells);
  const drops = Array.from(map, (value) => Math.round(value * 1e5) / 1e5);
  return {
    status: "ready",
    imageId,
    modelVersion,
    backend: predictor.backend,
    fit: preprocessing.decode.fit,
    labelMode: predictor.labelMode,
    inputSize: size,
    patch,
    stride,
    baseline: grid.baseline,
    cells,
    drops,
    maxAbsDrop: drops.reduce((max, value) => Math.max(max, Math.abs(value)), 0),
    computeMs: Math.round(performance.now() - started),
  };
}
