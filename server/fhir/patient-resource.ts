/**
 * FHIR Patient <-> DermFlag patient. A Patient is matched on its MRN (systems.ts); name, birth date and sex come from
 * the EHR, which is their source of truth. The Fitzpatrick type has no place in a FHIR Patient: it stays as recorded
 * in DermFlag. Field rules are the patient form's own (server/services/clinical/schemas.ts).
 */
import { patientFormSchema } from "../services/clinical/schemas";
import type { FhirIssue, FhirPatient, HumanName } from "./resources";
import { describeMrnRule, isMrn, mrnIdentifier, type FhirSystems } from "./systems";

export interface ImportedPatientFields {
  mrn: string;
  name: string;
  birthDate: string | null;
  sex: "FEMALE" | "MALE" | "OTHER" | "UNKNOWN";
}

const SEX_OF_GENDER = { female: "FEMALE", male: "MALE", other: "OTHER", unknown: "UNKNOWN" } as const;
const GENDER_OF_SEX = { FEMALE: "female", MALE: "male", OTHER: "other", UNKNOWN: "unknown" } as const;

/** The name a clinician would read: the official one first, its text if given, else given names then family. */
function displayName(names: HumanName[] | undefined): string | undefined {
  const usable = (names ?? []).filter((name) => name.use !== "old");
  const name = usable.find((n) => n.use === "official") ?? usable.find((n) => n.use === "usual") ?? usable[0];
  if (!name) return undefined;
  const text = name.text?.trim() || [...(name.given ?? []), name.family ?? ""].join(" ").replace(/\s+/g, " ").trim();
  return text || undefined;
}

export function mrnOf(patient: FhirPatient, systems: FhirSystems): string[] {
  return (patient.identifier ?? []).filter((identifier) => isMrn(identifier, systems)).flatMap((identifier) => (identifier.value ? [identifier.value] : []));
}

export function readPatient(patient: FhirPatient, systems: FhirSystems, at: string): { fields: ImportedPatientFields } | { issues: FhirIssue[] } {
  const issues: FhirIssue[] = [];
  const error = (code: FhirIssue["code"], path: string, message: string) => issues.push({ severity: "error", code, path: `${at}.${path}`, message });

  const mrns = [...new Set(mrnOf(patient, systems))];
  if (mrns.length === 0) error("required", "identifier", `no medical record number: expected ${describeMrnRule(systems)}`);
  if (mrns.length > 1) error("business-rule", "identifier", "more than one medical record number: DermFlag keeps one per patient");
  const mrn = patientFormSchema.shape.mrn.safeParse(mrns[0] ?? "");
  if (mrns.length === 1 && !mrn.success) error("value", "identifier", `medical record number: ${mrn.error.issues[0]?.message ?? "invalid"}`);

  const name = patientFormSchema.shape.name.safeParse(displayName(patient.name) ?? "");
  if (!name.success) error("required", "name", "no name: DermFlag needs the patient's name");

  let birthDate: string | null = null;
  if (patient.birthDate !== undefined) {
    // FHIR allows "1974" or "1974-12"; DermFlag stores a day (ages at biopsy come from it), so a partial date is refused
    // rather than guessed.
    const parsed = patientFormSchema.shape.birthDate.safeParse(patient.birthDate);
    if (!parsed.success) error("value", "birthDate", `${parsed.error.issues[0]?.message ?? "invalid"} (a full date, YYYY-MM-DD, is needed)`);
    else birthDate = parsed.data;
  }

  if (issues.length > 0 || !mrn.success || !name.success) return { issues };
  return { fields: { mrn: mrn.data, name: name.data, birthDate, sex: patient.gender ? SEX_OF_GENDER[patient.gender] : "UNKNOWN" } };
}

export function patientToFhir(
  patient: { id: string; mrn: string; name: string; birthDate: Date | null; sex: keyof typeof GENDER_OF_SEX },
  systems: FhirSystems,
): FhirPatient {
  return {
    resourceType: "Patient",
    id: patient.id,
    identifier: [mrnIdentifier(patient.mrn, systems)],
    name: [{ use: "official", text: patient.name }],
    gender: GENDER_OF_SEX[patient.sex],
    ...(patient.birthDate ? { birthDate: patient.birthDate.toISOString().slice(0, 10) } : {}),
  };
}
