/**
 * The clinic's confirmed cases as training records: every image of every lesion with a confirmed outcome (a biopsy
 * report, or an imported follow-up/consensus/confocal confirmation), labelled by the lesion's latest outcome. The
 * stored (metadata-free) images are written under the run's work folder, because the training pipeline reads files;
 * the folder is deleted when the run ends. File names are image ids: no patient data on disk beyond the pixels.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { sourceIdOf } from "../imports/research-subject";
import { DxTypeSchema, type ImageRecord } from "@/ml/data";
import { isDiagnosis } from "@/ml/diagnoses";
import type { Db } from "../../db/client";
import { ImageBlobNotFoundError, type ImageStore } from "../images/image-store";
import { CURRENT_OUTCOME } from "../clinical/current-records";

/** A clinic lesion without a data-set id is keyed `clinic-<Lesion.id>` in the training records. */
export const CLINIC_LESION_PREFIX = "clinic-";

export interface ClinicCases {
  records: ImageRecord[];
  lesions: number;
  /** Images left out because the base data set already holds the same picture (same data-set image id). */
  alreadyInBase: number;
  /** Images left out because their stored file is missing (reported, so the loss is seen and can be restored). */
  missingFromStore: number;
}

function ageAt(birthDate: Date | null, at: Date): number | null {
  if (!birthDate) return null;
  const years = (at.getTime() - birthDate.getTime()) / (365.25 * 24 * 3600 * 1000);
  return years >= 0 && years <= 120 ? Math.floor(years) : null;
}

export async function loadClinicCases(options: {
  db: Db;
  store: ImageStore;
  /** Where the images are written (created if needed). */
  dir: string;
  /** Image ids of the base data set (ISIC ids), so an imported copy of a base image is not counted twice. */
  baseImageIds: ReadonlySet<string>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}): Promise<ClinicCases> {
  const { db, store, dir, baseImageIds } = options;
  const lesions = await db.lesion.findMany({
    where: { biopsyOutcomes: { some: CURRENT_OUTCOME } },
    orderBy: { id: "asc" },
    select: {
      id: true,
      externalId: true,
      bodySite: true,
      patient: { select: { birthDate: true, sex: true } },
      biopsyOutcomes: {
        where: CURRENT_OUTCOME,
        orderBy: [{ reportDate: "desc" }, { createdAt: "desc" }],
        take: 1,
        select: { histopathologyDiagnosis: true, malignant: true, confirmation: true, reportDate: true },
      },
      images: { orderBy: { id: "asc" }, select: { id: true, storageKey: true, externalId: true } },
    },
  });
  await mkdir(dir, { recursive: true });
  const total = lesions.reduce((sum, lesion) => sum + lesion.images.length, 0);
  const records: ImageRecord[] = [];
  let alreadyInBase = 0;
  let missingFromStore = 0;
  let done = 0;
  for (const lesion of lesions) {
    const outcome = lesion.biopsyOutcomes[0];
    if (!outcome) continue;
    const dxType = DxTypeSchema.safeParse(outcome.confirmation);
    for (const image of lesion.images) {
      options.signal?.throwIfAborted();
      done += 1;
      // Imported images carry their data set's id in a namespace ("HAM:ISIC_0027419"); the base records, the bare id.
      if (image.externalId !== null && baseImageIds.has(sourceIdOf(image.externalId))) {
        alreadyInBase += 1;
        continue;
      }
      const file = path.join(dir, `${image.id}.png`);
      try {
        await writeFile(file, await store.get(image.storageKey));
      } catch (error) {
        if (!(error instanceof ImageBlobNotFoundError)) throw error;
        missingFromStore += 1;
        continue;
      }
      records.push({
        id: `clinic:${image.id}`,
        file,
        split: "train", // replaced by the deployment's split (locked-split.ts)
        diagnosis: isDiagnosis(outcome.histopathologyDiagnosis) ? outcome.histopathologyDiagnosis : null,
        malignant: outcome.malignant,
        // Imported lesions keep their data set's lesion id (without DermFlag's namespace), so they meet their base
        // data set's images in one split: a lesion in the base training split can never land in the locked test part.
        lesionId: lesion.externalId !== null ? sourceIdOf(lesion.externalId) : `${CLINIC_LESION_PREFIX}${lesion.id}`,
        dxType: dxType.success ? dxType.data : "histo",
        age: ageAt(lesion.patient.birthDate, outcome.reportDate),
        sex: lesion.patient.sex === "MALE" ? "male" : lesion.patient.sex === "FEMALE" ? "female" : null,
        site: lesion.bodySite,
      });
      options.onProgress?.(done, total);
    }
  }
  return { records, lesions: new Set(records.map((record) => record.lesionId)).size, alreadyInBase, missingFromStore };
}
