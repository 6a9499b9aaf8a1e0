/**
 * HAM10000-derived metadata (HAM10000 itself, DermaMNIST): one row per image, `lesion_id` groups images into lesions,
 * and `dx_type` says how the diagnosis was confirmed. Every lesion gets a confirmed outcome: `histo` is a biopsy
 * with its histopathology result; follow_up, consensus and confocal are benign confirmations of that kind (all such
 * lesions in HAM10000 are benign), stored with confirmation = the dx_type so they are never counted as biopsies.
 */
import { isMalignantDiagnosis, type Diagnosis } from "@/ml/diagnoses";
import type { DxType } from "@/ml/data/records";
import type { ImportPlan, PlannedLesion } from "./import-plan";
import type { ImportRejection } from "./import-summary";
import { approximateBirthDate, namespacedId, researchMrn, researchPatientName, sexFromDataset } from "./research-subject";

export interface HamStyleRow {
  line: number;
  imageId: string;
  lesionId: string;
  file: string;
  dx: Diagnosis;
  dxType: DxType;
  age: number | null;
  sex: string | null;
  site: string | null;
}

export interface HamStyleSource {
  /** Namespace for external ids and MRNs, e.g. "HAM". */
  code: string;
  /** Shown in patient names, e.g. "HAM10000". */
  name: string;
  /** Year ages are counted back from (see approximateBirthDate). */
  referenceYear: number;
  /** Report date given to every outcome (the data set does not record one). */
  outcomeDate: Date;
}

export function planHamStyleRows(rows: readonly HamStyleRow[], source: HamStyleSource, rejected: ImportRejection[]): ImportPlan {
  const lesions = new Map<string, { lesion: PlannedLesion; first: HamStyleRow }>();
  const imageLines = new Map<string, number>();
  for (const row of rows) {
    const firstLine = imageLines.get(row.imageId);
    if (firstLine !== undefined) {
      rejected.push({ row: row.line, file: row.file, reason: `image ${row.imageId} is listed again (first at line ${firstLine})` });
      continue;
    }
    imageLines.set(row.imageId, row.line);
    const group = lesions.get(row.lesionId);
    if (group) {
      // One lesion has one diagnosis: a row that disagrees is a data error, not a second outcome.
      const { first } = group;
      if (first.dx !== row.dx || first.dxType !== row.dxType) {
        rejected.push({
          row: row.line,
          file: row.file,
          reason: `lesion ${row.lesionId} is ${first.dx}/${first.dxType} at line ${first.line} but ${row.dx}/${row.dxType} here`,
        });
        continue;
      }
      group.lesion.images.push({ externalId: namespacedId(source.code, row.imageId), file: row.file, row: row.line });
      continue;
    }
    lesions.set(row.lesionId, {
      first: row,
      lesion: {
        externalId: namespacedId(source.code, row.lesionId),
        patient: {
          mrn: researchMrn(source.code, row.lesionId),
          name: researchPatientName(source.name, row.lesionId),
          sex: sexFromDataset(row.sex),
          birthDate: approximateBirthDate(row.age, source.referenceYear),
        },
        bodySite: row.site ?? "unspecified",
        label: row.lesionId,
        outcome: {
          histopathologyDiagnosis: row.dx,
          malignant: isMalignantDiagnosis(row.dx),
          confirmation: row.dxType,
          reportDate: source.outcomeDate,
        },
        images: [{ externalId: namespacedId(source.code, row.imageId), file: row.file, row: row.line }],
      },
    });
  }
  return { lesions: [...lesions.values()].map((group) => group.lesion), rejected };
}
