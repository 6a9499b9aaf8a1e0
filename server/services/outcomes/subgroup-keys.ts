/**
 * How a lesion is assigned to each subgroup the dashboard reports, and the order the groups are listed in. Missing
 * values form their own group ("not recorded") so that the cases stay visible instead of silently dropping out.
 */
import { AGE_BANDS, ageBand } from "@/ml/evaluation";
import { FITZPATRICK_LABELS, FITZPATRICK_TYPES } from "../clinical/vocabulary";
import type { Sex } from "./lesion-outcome-rows";

export const NOT_RECORDED = "not recorded";

export const FITZPATRICK_GROUPS = [...FITZPATRICK_TYPES.map((type) => `Type ${FITZPATRICK_LABELS[type]}`), NOT_RECORDED];

export function fitzpatrickGroup(type: number | null): string {
  const label = type === null ? undefined : FITZPATRICK_LABELS[type];
  return label ? `Type ${label}` : NOT_RECORDED;
}

export const SEX_GROUPS = ["female", "male", "other", NOT_RECORDED];

export function sexGroup(sex: Sex): string {
  return sex === "UNKNOWN" ? NOT_RECORDED : sex.toLowerCase();
}

/** AGE_BANDS' "unknown" band, shown as "not recorded" like the other subgroups. */
export const AGE_GROUPS = AGE_BANDS.map((band) => (band === "unknown" ? NOT_RECORDED : band));

export function ageGroup(ageYears: number | null): string {
  const band = ageBand(ageYears);
  return band === "unknown" ? NOT_RECORDED : band;
}
