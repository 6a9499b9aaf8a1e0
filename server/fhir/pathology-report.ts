/**
 * A laboratory's pathology DiagnosticReport read as a DermFlag biopsy outcome:
 * - which report: its identifier (system + value), so the same report sent twice records one outcome;
 * - which lesion: an identifier in the lesion system (FHIR_LESION_SYSTEM) whose value is DermFlag's lesion id, as
 *   written on the biopsy request (the placer order number a lab echoes back), on a basedOn reference itself or on the
 *   ServiceRequest it points to (contained or in the same Bundle);
 * - which patient: the subject, checked against the lesion's patient;
 * - the diagnosis: conclusionCode and the valueCodeableConcept of its result Observations (contained or in the same
 *   Bundle), through the one histopathology mapping (server/services/clinical/vocabulary.ts): DermFlag's own codes
 *   (DERMFLAG.histopathology) or the SNOMED CT concepts listed there;
 * - the report date: `issued` (when the pathologist released it), else the effective date.
 */
import { biopsyOutcomeFormSchema } from "../services/clinical/schemas";
import { histopathologyOf, histopathologyOfSnomedCt, type HistopathologyCode } from "../services/clinical/vocabulary";
import { isResourceOfType, type CodeableConcept, type FhirDiagnosticReport, type FhirIssue, type FhirObservation, type FhirResource, type Identifier, type Reference } from "./resources";
import { DERMFLAG, SNOMED_CT, type FhirSystems } from "./systems";

export interface PathologyResult {
  identifier: { system: string; value: string };
  lesionId: string;
  subject: Reference;
  histopathologyDiagnosis: HistopathologyCode;
  reportDate: string;
}

/** Report statuses that carry a released result; anything else (registered, preliminary, cancelled...) is refused. */
const RELEASED = new Set(["final", "amended", "corrected", "appended"]);

function diagnosisOf(concept: CodeableConcept): HistopathologyCode | null {
  for (const coding of concept.coding ?? []) {
    if (!coding.code) continue;
    const diagnosis =
      coding.system === DERMFLAG.histopathology ? histopathologyOf(coding.code) : coding.system === SNOMED_CT ? histopathologyOfSnomedCt(coding.code) : null;
    if (diagnosis) return diagnosis.code;
  }
  return null;
}

const describeConcept = (concept: CodeableConcept) =>
  concept.coding?.map((c) => `${c.system ?? "(no system)"}|${c.code ?? ""}`).join(", ") || concept.text || "(empty)";

/**
 * `resolve` finds what a reference points to: "#id" among the report's contained resources, or another entry of the
 * same Bundle. Returns the outcome to record, or every reason the report cannot be recorded.
 */
export function readPathologyReport(
  report: FhirDiagnosticReport,
  resolve: (reference: string) => FhirResource | undefined,
  systems: FhirSystems,
  at: string,
): { result: PathologyResult } | { issues: FhirIssue[] } {
  const issues: FhirIssue[] = [];
  const error = (code: FhirIssue["code"], path: string, message: string) => issues.push({ severity: "error", code, path: `${at}.${path}`, message });

  if (!RELEASED.has(report.status)) {
    error("business-rule", "status", `status "${report.status}": only a released report (final, amended, corrected, appended) records an outcome`);
  }

  const identifiers = (report.identifier ?? []).filter((identifier) => identifier.system && identifier.value);
  if (identifiers.length === 0) error("required", "identifier", "no identifier with a system and value: it is what makes sending the report twice record it once");

  const lesionIdOf = (identifier: Identifier | undefined) => (identifier?.system === systems.lesionSystem && identifier.value ? [identifier.value] : []);
  const lesionIds = [
    ...new Set(
      (report.basedOn ?? []).flatMap((reference) => {
        const request = reference.reference ? resolve(reference.reference) : undefined;
        const requestIdentifiers = request?.resourceType === "ServiceRequest" ? ((request.identifier as Identifier[] | undefined) ?? []) : [];
        return [...lesionIdOf(reference.identifier), ...requestIdentifiers.flatMap(lesionIdOf)];
      }),
    ),
  ];
  if (lesionIds.length === 0) {
    error("required", "basedOn", `no lesion: expected a basedOn reference (or its ServiceRequest) with an identifier in ${systems.lesionSystem} whose value is the DermFlag lesion id`);
  }
  if (lesionIds.length > 1) error("business-rule", "basedOn", "more than one lesion: send one report per lesion");

  if (!report.subject) error("required", "subject", "no subject: the report must name its patient");

  const concepts: { concept: CodeableConcept; path: string }[] = (report.conclusionCode ?? []).map((concept, i) => ({ concept, path: `conclusionCode[${i}]` }));
  (report.result ?? []).forEach((reference, i) => {
    const observation = reference.reference ? resolve(reference.reference) : undefined;
    if (!isResourceOfType<FhirObservation>(observation, "Observation")) {
      error("not-found", `result[${i}]`, "result Observation not found: contain it in the report or send it in the same Bundle");
      return;
    }
    if (observation.valueCodeableConcept) concepts.push({ concept: observation.valueCodeableConcept, path: `result[${i}]` });
  });
  const diagnoses = new Set(concepts.flatMap(({ concept }) => diagnosisOf(concept) ?? []));
  if (diagnoses.size === 0) {
    const seen = concepts.map(({ concept }) => describeConcept(concept)).join("; ");
    error(
      "not-supported",
      "conclusionCode",
      `no histopathology diagnosis DermFlag can map (codes sent: ${seen || "none"}): use a code of ${DERMFLAG.histopathology} or a SNOMED CT concept of the diagnosis list (README, FHIR)`,
    );
  }
  if (diagnoses.size > 1) error("business-rule", "conclusionCode", `conflicting diagnoses (${[...diagnoses].join(", ")}): one report, one diagnosis`);

  const when = report.issued ?? report.effectiveDateTime ?? report.effectivePeriod?.end;
  // The date as written, in the sender's own time zone: the day on the pathologist's report.
  const reportDate = when?.slice(0, 10);
  const [diagnosis] = diagnoses;
  const form = biopsyOutcomeFormSchema.safeParse({ histopathologyDiagnosis: diagnosis, reportDate });
  if (!when) error("required", "issued", "no report date: send issued (or effectiveDateTime)");
  else if (!form.success && diagnoses.size === 1) {
    error("value", report.issued ? "issued" : "effectiveDateTime", form.error.issues.map((issue) => issue.message).join("; "));
  }

  const [identifier] = identifiers;
  const [lesionId] = lesionIds;
  if (issues.length > 0 || !form.success || !identifier?.system || !identifier.value || !lesionId || !report.subject) return { issues };
  return {
    result: {
      identifier: { system: identifier.system, value: identifier.value },
      lesionId,
      subject: report.subject,
      histopathologyDiagnosis: form.data.histopathologyDiagnosis,
      reportDate: form.data.reportDate,
    },
  };
}
