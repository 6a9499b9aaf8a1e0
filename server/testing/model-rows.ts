/** Model registry rows without model files, for tests of code that reads only the registry (queues, flags, reviews). */
import type { Db } from "../db/client";

export function createModelRowWithoutFiles(db: Pick<Db, "modelVersion">, version: string, options: { threshold?: number } = {}) {
  return db.modelVersion.create({
    data: {
      version,
      status: "ACTIVE",
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
