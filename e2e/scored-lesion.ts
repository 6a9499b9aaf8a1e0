/**
 * A patient and lesion with one real image, scored by the active model (the committed demo model) with a likely-benign
 * score (P(malignant) 7%), and, in `scoredLesion`, a clinician's "malignant, biopsy" assessment. The image goes
 * straight into the e2e server's image store (no scoring job is queued) and its prediction under the active model
 * exists, so the worker neither re-scores it nor recomputes its flags while a test runs.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../server/db/client";
import type { Sex } from "../server/db/generated/enums";
import { ingestImage } from "../server/services/images/ingest-image";
import { LocalImageStore } from "../server/services/images/local-image-store";
import { E2E_IMAGE_STORE_DIR } from "./fixtures";
import { freshRealImage } from "./real-images";

interface SeededPatient {
  mrnPrefix: string;
  name: string;
  sex: Sex;
  fitzpatrickType: number;
  bodySite: string;
}

/** The scored lesion with no clinical assessment: it awaits one, and no flag is raised until it is recorded. */
export async function scoredLesionWithoutAssessment(db: Db, clinicianId: string, patient: SeededPatient & { birthDate?: Date }) {
  const tag = randomUUID().slice(0, 8).toUpperCase();
  const mrn = `${patient.mrnPrefix}-${tag}`;
  const created = await db.patient.create({
    data: { mrn, name: `${patient.name} ${tag}`, sex: patient.sex, fitzpatrickType: patient.fitzpatrickType, birthDate: patient.birthDate ?? null },
  });
  const lesion = await db.lesion.create({ data: { patientId: created.id, bodySite: patient.bodySite, label: `Mole ${tag}` } });
  const ingested = await ingestImage({
    db,
    store: new LocalImageStore(E2E_IMAGE_STORE_DIR),
    actorId: clinicianId,
    lesionId: lesion.id,
    bytes: await freshRealImage(),
  });
  if (ingested.status !== "created") throw new Error("expected a new image");
  const model = await db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } });
  const prediction = await db.prediction.create({
    data: {
      imageId: ingested.image.id,
      modelVersionId: model.id,
      probabilities: { akiec: 0.01, bcc: 0.02, bkl: 0.15, df: 0.02, mel: 0.04, nv: 0.74, vasc: 0.02 },
      pMalignant: 0.07,
      threshold: 0.3,
      aboveThreshold: false,
      backend: "onnxruntime-cpu",
      latencyMs: 12,
    },
  });
  return { tag, mrn, lesionId: lesion.id, imageId: ingested.image.id, model, prediction };
}

export async function scoredLesion(db: Db, clinicianId: string, patient: SeededPatient & { note: string }) {
  const seeded = await scoredLesionWithoutAssessment(db, clinicianId, patient);
  const assessment = await db.clinicalAssessment.create({
    data: { lesionId: seeded.lesionId, clinicianId, impression: "MALIGNANT", plan: "BIOPSY", suspectedDiagnosis: "mel", note: patient.note },
  });
  return { ...seeded, assessment };
}
