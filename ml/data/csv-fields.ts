/** zod schemas for the metadata columns HAM10000-derived CSVs share, mapping "" and "unknown" to null. */
import { z } from "zod";
import { DIAGNOSES } from "../diagnoses";
import { DxTypeSchema } from "./records";

export const diagnosisField = z.enum(DIAGNOSES);

export const dxTypeField = DxTypeSchema;

/** "" -> null; a number of years in [0, 120] (HAM10000 writes "45.0" in DermaMNIST and "45" in its own CSV). */
export const ageField = z.string().transform((text, ctx) => {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < 0 || value > 120) {
    ctx.addIssue({ code: "custom", message: "expected an age in years (0-120) or an empty cell" });
    return z.NEVER;
  }
  return value;
});

/** Free-text metadata where HAM10000 writes "unknown" for missing: "" and "unknown" -> null. */
export const optionalTextField = z.string().transform((text) => {
  const trimmed = text.trim();
  return trimmed === "" || trimmed.toLowerCase() === "unknown" ? null : trimmed;
});

export const malignantFlagField = z.enum(["0", "1"]).transform((flag) => flag === "1");

export const hamLesionIdField = z.string().regex(/^HAM_\d+$/, "expected a HAM10000 lesion id like HAM_0000118");

export const isicImageIdField = z.string().regex(/^ISIC_\d+$/, "expected an ISIC image id like ISIC_0027419");

/** A bare file name: no folders, so a CSV cannot point outside the dataset's image folder. */
export const fileNameField = z
  .string()
  .min(1)
  .refine((name) => !name.includes("/") && !name.includes("\\") && name !== "." && name !== "..", "expected a bare file name");
