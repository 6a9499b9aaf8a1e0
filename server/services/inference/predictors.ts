/**
 * Loaded models, one per model version per process. A model is loaded only from a directory whose manifest SHA-256
 * matches the one the registry recorded, so a model swapped or damaged on disk is never used.
 */
import { loadPredictor, type Predictor } from "@/ml/inference";
import { componentLogger } from "../../logging/logger";

export interface RegisteredModel {
  id: string;
  version: string;
  storagePath: string;
  sha256: string;
}

const cache = new Map<string, Promise<Predictor>>();

export async function predictorFor(model: RegisteredModel): Promise<Predictor> {
  let loading = cache.get(model.id);
  if (!loading) {
    // ml/ takes its log as a function (it imports nothing from the server): its backend choice goes to the server's log.
    const log = (message: string) => componentLogger("inference").info({ modelVersion: model.version }, message);
    loading = loadPredictor(model.storagePath, { log }).then((predictor) => {
      if (predictor.manifestSha256 !== model.sha256) {
        void predictor.dispose();
        throw new Error(`Model ${model.version} on disk does not match the registry (manifest hash differs): refusing to use it.`);
      }
      return predictor;
    });
    cache.set(model.id, loading);
    loading.catch(() => cache.delete(model.id));
  }
  return loading;
}

export async function disposePredictors(): Promise<void> {
  const loaded = [...cache.values()];
  cache.clear();
  await Promise.all(loaded.map((promise) => promise.then((predictor) => predictor.dispose()).catch(() => {})));
}
