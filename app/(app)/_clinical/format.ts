/**
 * How clinical values read on the pages. Dates are stored as calendar dates (UTC midnight), so they are shown in
 * UTC: a birth date must not move a day with the server's or the browser's time zone.
 */
import { FITZPATRICK_LABELS } from "@/server/services/clinical/vocabulary";

export function formatDate(value: Date | string | null | undefined): string {
  if (!value) return "—";
  return new Date(value).toISOString().slice(0, 10);
}

export function formatDateTime(value: Date | string): string {
  return `${new Date(value).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** For <input type="date">: "" when absent. */
export function dateInputValue(value: Date | string | null | undefined): string {
  return value ? new Date(value).toISOString().slice(0, 10) : "";
}

export const SEX_LABELS = { FEMALE: "Female", MALE: "Male", OTHER: "Other", UNKNOWN: "Not recorded" } as const;

export const IMPRESSION_LABELS = { BENIGN: "Benign", MALIGNANT: "Malignant", UNCERTAIN: "Uncertain" } as const;

export const PLAN_LABELS = { BIOPSY: "Biopsy", MONITOR: "Monitor", DISCHARGE: "Discharge" } as const;

export function fitzpatrickLabel(type: number | null): string {
  return type === null ? "—" : `Type ${FITZPATRICK_LABELS[type] ?? type}`;
}

/**
 * How an outcome was confirmed. Only "histo" is a biopsy: imported records confirmed by follow-up, consensus or
 * confocal microscopy say so, so nobody counts them as biopsies.
 */
export function confirmationLabel(confirmation: string): string {
  switch (confirmation) {
    case "histo":
      return "Histopathology (biopsy)";
    case "follow_up":
      return "Confirmed by follow-up, not biopsied";
    case "consensus":
      return "Confirmed by expert consensus, not biopsied";
    case "confocal":
      return "Confirmed by confocal microscopy, not biopsied";
    case "archive-label":
      return "Label from an imported archive; how it was confirmed is unknown";
    default:
      return `Confirmed by ${confirmation.replaceAll("_", " ")}`;
  }
}

/** Age in whole years on `now`'s UTC calendar date ("54 y"), from a calendar birth date; "—" when not recorded. */
export function formatAge(birthDate: Date | string | null | undefined, now: Date = new Date()): string {
  if (!birthDate) return "—";
  const born = new Date(birthDate);
  let years = now.getUTCFullYear() - born.getUTCFullYear();
  const birthdayPassed =
    now.getUTCMonth() > born.getUTCMonth() || (now.getUTCMonth() === born.getUTCMonth() && now.getUTCDate() >= born.getUTCDate());
  if (!birthdayPassed) years -= 1;
  return years < 0 ? "—" : `${years} y`;
}
