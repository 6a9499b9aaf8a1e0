/**
 * Registered tiny models for tests: a real (tiny, untrained) network saved in the real model store with a real
 * evaluation report computed over synthetic cases, so registry and scoring tests exercise the production paths.
 */
import type { ImageRecord } from "@/ml/data";
import { DIAGNOSES } from "@/ml/diagnoses";
import { evaluateProbabilities } from "@/ml/pipeline";
import { saveModel } from "@/ml/store";
import { FIXTURE_PREPROCESSING, fixtureMetadata, tinyClassifier } from "@/ml/store/model-fixture.test-helper";

/** An evaluation report over 120 synthetic cases whose scores separate the classes by `separation`. */
export function syntheticReport(version: string, separation: number) {
  const records: ImageRecord[] = [];
  const probabilitiesById = new Map<string, number[]>();
  let i = 0;
  for (const split of ["val", "test"] as const) {
    for (let k = 0; k < 60; k++, i++) {
      const malignant = k % 3 === 0;
      records.push({
        id: `r${i}`,
        file: `/nonexistent/${i}.jpg`,
        split,
        diagnosis: malignant ? "mel" : "nv",
        malignant,
        lesionId: `L${i}`,
        dxType: "histo",
        age: 50,
        sex: "female",
        site: "back",
      });
      const p = Math.min(0.99, Math.max(0.01, (malignant ? 0.5 + separation : 0.5 - separation) + ((k * 37) % 17) / 40 - 0.2));
      probabilitiesById.set(`r${i}`, DIAGNOSES.map((dx) => (dx === "mel" ? p : dx === "nv" ? 1 - p : 0)));
    }
  }
  return evaluateProbabilities({ records, probabilitiesById, backend: "test", labelMode: "diagnosis", modelVersion: version });
}

/** Saves a tiny model with a synthetic report; `threshold` overrides the report's validation-chosen one. */
export async function saveFixtureModel(options: { modelsDir: string; version: string; separation?: number; threshold?: number }) {
  const report = syntheticReport(options.version, options.separation ?? 0.3);
  return {
    report,
    saved: await saveModel({
      modelsDir: options.modelsDir,
      model: tinyClassifier(),
      metadata: fixtureMetadata(options.version, options.threshold ?? report.threshold.value),
      preprocessing: FIXTURE_PREPROCESSING,
      metrics: report,
      modelCard: { markdown: `# ${options.version}\n`, json: {} },
    }),
  };
}
