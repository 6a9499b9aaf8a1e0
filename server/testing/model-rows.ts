/** Model registry rows without model files, for tests of code that reads only the registry (queues, flags, reviews). */
import type { Db } from "../db/client";
import type { ModelStatus } from "../db/generated/client";

/**
 * One registry row, ACTIVE unless `status` says otherwise. The database allows one ACTIVE version at a time
 * (ModelVersion_one_active): a test that needs a second model creates it RETIRED or CANDIDATE, as a real registry
 * holds them, and activates it the way the registry does (retire the active one first).
 */
export function createModelRowWithoutFiles(
  db: Pick<Db, "modelVersion">,
  version: string,
  options: { threshold?: number; status?: ModelStatus } = {},
) {
  return db.modelVersion.create({
    data: {
      version,
      status: options.status ?? "ACTIVE",
      architecture: "test",
      inputSize: 28,
      threshold: options.threshold ?? 0.3,
      targetSensitivity: 0.95,
      metrics: {},
      storagePath: "/nonexistent",
      sha256: "0".repeat(64),
      trainingDataHash: "x",
      codeVersion: "x",
    },
  });
}
