/**
 * The one shape every dataset reader returns: an image file plus what is known about it. Training, evaluation and
 * the importers only ever see ImageRecord, never a dataset's own CSV columns.
 */
import path from "node:path";
import { z } from "zod";
import { DIAGNOSES } from "../diagnoses";

export const SPLITS = ["train", "val", "test"] as const;
export const SplitSchema = z.enum(SPLITS);
export type Split = z.infer<typeof SplitSchema>;

/**
 * How the diagnosis was confirmed (HAM10000's dx_type). `histo` means the lesion was biopsied; the others
 * (follow-up imaging, expert consensus, confocal microscopy) are all benign in HAM10000.
 */
export const DX_TYPES = ["histo", "follow_up", "consensus", "confocal"] as const;
export const DxTypeSchema = z.enum(DX_TYPES);
export type DxType = z.infer<typeof DxTypeSchema>;

export const ImageRecordSchema = z.object({
  /** Unique within one reader's output: the ISIC image id for CSV datasets, the relative path for folder layouts. */
  id: z.string().min(1),
  /** Absolute path of the image file. */
  file: z.string().min(1).refine((p) => path.isAbsolute(p), "must be an absolute path"),
  split: SplitSchema,
  /** Seven-class diagnosis in ml/diagnoses.ts vocabulary; null where only benign/malignant is known. */
  diagnosis: z.enum(DIAGNOSES).nullable(),
  /** null = no confirmed outcome (e.g. an `unknown` folder): such a record must never be used as a label. */
  malignant: z.boolean().nullable(),
  /** HAM10000 lesion id; several images can show one lesion. null = unknown, treated as a lesion of its own. */
  lesionId: z.string().min(1).nullable(),
  dxType: DxTypeSchema.nullable(),
  age: z.number().finite().min(0).max(120).nullable(),
  sex: z.string().min(1).nullable(),
  /** Anatomical site (HAM10000 `localization`). */
  site: z.string().min(1).nullable(),
});
export type ImageRecord = z.infer<typeof ImageRecordSchema>;

/** Records that can serve as a benign/malignant training or evaluation label. */
export function hasMalignancyLabel(record: ImageRecord): record is ImageRecord & { malignant: boolean } {
  return record.malignant !== null;
}

/**
 * The unit that must never straddle two splits: the lesion where it is known, else the image itself (a lesion id
 * cannot collide with an image key because of the prefixes).
 */
export function lesionKey(record: Pick<ImageRecord, "id" | "lesionId">): string {
  return record.lesionId === null ? `image:${record.id}` : `lesion:${record.lesionId}`;
}
