/**
 * Each decided flag as FHIR R4, for the hospital's record: a DiagnosticReport ("DermFlag second read") whose
 * Observation holds the model's P(malignant) as its value and, as components, the threshold in force, the flag and
 * the reviewer's decision; the model version as a Device the Observation names; the Patient by MRN. One Bundle.
 * A flag is decided once a reviewer recorded a decision on it (it stays decided when a biopsy result closes it later).
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { patientToFhir } from "./patient-resource";
import type { BundleEntry, FhirBundle, FhirResource } from "./resources";
import { DERMFLAG, UCUM, type FhirSystems } from "./systems";
import { CURRENT_REVIEW } from "../services/clinical/current-records";

const FLAG_KIND_DISPLAY = {
  LIKELY_BENIGN: "Model: likely benign before a planned biopsy",
  POSSIBLE_MISSED_MALIGNANCY: "Model: possible missed malignancy",
  REVIEW_REQUIRED: "Review required (image quality or out of distribution)",
} as const;

const DECISION_DISPLAY = {
  PROCEED_BIOPSY: "Proceed with biopsy",
  DEFER_MONITOR: "Defer biopsy, monitor",
  SECOND_READ: "Second read requested",
} as const;

/** A stable urn:uuid for a DermFlag row, so that exporting twice gives the same references. */
function urnUuid(type: string, id: string): string {
  const hex = createHash("sha256").update(`dermflag:${type}/${id}`).digest("hex");
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

const flagSelect = {
  id: true,
  kind: true,
  reason: true,
  pMalignant: true,
  threshold: true,
  createdAt: true,
  lesion: {
    select: {
      id: true,
      bodySite: true,
      patient: { select: { id: true, mrn: true, name: true, birthDate: true, sex: true } },
    },
  },
  modelVersion: { select: { id: true, version: true, architecture: true, status: true } },
  review: { select: { decision: true, reason: true, createdAt: true, reviewer: { select: { name: true } } } },
} as const satisfies Prisma.FlagSelect;

export interface ExportDecidedFlagsOptions {
  db: Db;
  systems: FhirSystems;
  /** Only this patient's flags (a DermFlag patient id); all decided flags when absent. */
  patientId?: string;
  /** "searchset" answers a search; "collection" is a file. */
  bundleType: "searchset" | "collection";
}

export async function exportDecidedFlags(options: ExportDecidedFlagsOptions): Promise<FhirBundle> {
  const { db, systems, patientId, bundleType } = options;
  const flags = await db.flag.findMany({
    // Current decisions only: an amended one is exported from the flag that carries the amendment (current-records.ts).
    where: { review: { is: CURRENT_REVIEW }, ...(patientId ? { lesion: { patientId } } : {}) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: flagSelect,
  });

  const entries: BundleEntry[] = [];
  const included = new Set<string>();
  const include = (fullUrl: string, resource: FhirResource) => {
    if (included.has(fullUrl)) return;
    included.add(fullUrl);
    entries.push({ fullUrl, resource, ...(bundleType === "searchset" ? { search: { mode: "include" as const } } : {}) });
  };

  for (const flag of flags) {
    const review = flag.review;
    if (!review) continue;
    const patient = flag.lesion.patient;
    const patientUrl = urnUuid("Patient", patient.id);
    include(patientUrl, patientToFhir(patient, systems));
    const subject = { reference: patientUrl };

    const model = flag.modelVersion;
    const deviceUrl = model ? urnUuid("Device", model.id) : undefined;
    if (model && deviceUrl) {
      include(deviceUrl, {
        resourceType: "Device",
        id: model.id,
        identifier: [{ system: DERMFLAG.modelVersion, value: model.version }],
        status: model.status === "ACTIVE" ? "active" : "inactive",
        manufacturer: "DermFlag",
        deviceName: [{ name: `DermFlag skin lesion model (${model.architecture})`, type: "model-name" }],
        type: { text: "Machine-learning classifier of dermoscopic images (decision support, not a diagnosis)" },
        version: [{ value: model.version }],
      });
    }

    const observationUrl = urnUuid("Observation", flag.id);
    const observation: FhirResource = {
      resourceType: "Observation",
      id: flag.id,
      status: "final",
      code: {
        coding: [{ system: DERMFLAG.observation, code: "malignancy-probability", display: "Model probability that the lesion is malignant" }],
        text: "P(malignant) of the skin lesion, by the DermFlag model",
      },
      subject,
      effectiveDateTime: flag.createdAt.toISOString(),
      issued: review.createdAt.toISOString(),
      ...(flag.pMalignant === null
        ? { dataAbsentReason: { text: "No model score (the lesion was sent to review without one)" } }
        : { valueQuantity: { value: flag.pMalignant, unit: "probability", system: UCUM, code: "1" } }),
      // The reviewer who decided, by name: DermFlag's users are not FHIR Practitioners the receiver could resolve.
      performer: [{ type: "Practitioner", display: review.reviewer.name }],
      bodySite: { text: flag.lesion.bodySite },
      ...(deviceUrl ? { device: { reference: deviceUrl } } : {}),
      note: [{ text: flag.reason }],
      component: [
        ...(flag.threshold === null
          ? []
          : [
              {
                code: { coding: [{ system: DERMFLAG.observation, code: "operating-threshold", display: "Operating threshold on P(malignant) in force" }] },
                valueQuantity: { value: flag.threshold, unit: "probability", system: UCUM, code: "1" },
              },
            ]),
        {
          code: { coding: [{ system: DERMFLAG.observation, code: "flag", display: "DermFlag flag" }] },
          valueCodeableConcept: { coding: [{ system: DERMFLAG.flagKind, code: flag.kind, display: FLAG_KIND_DISPLAY[flag.kind] }] },
        },
        {
          code: { coding: [{ system: DERMFLAG.observation, code: "reviewer-decision", display: "Dermatologist's decision on the flag" }] },
          valueCodeableConcept: {
            coding: [{ system: DERMFLAG.reviewDecision, code: review.decision, display: DECISION_DISPLAY[review.decision] }],
            ...(review.reason ? { text: review.reason } : {}),
          },
        },
      ],
    };

    const reportUrl = urnUuid("DiagnosticReport", flag.id);
    const score = flag.pMalignant === null ? "no score" : `P(malignant) ${flag.pMalignant.toFixed(3)}${flag.threshold === null ? "" : `, threshold ${flag.threshold.toFixed(3)}`}`;
    const report: FhirResource = {
      resourceType: "DiagnosticReport",
      id: flag.id,
      identifier: [{ system: DERMFLAG.flag, value: flag.id }],
      basedOn: [{ type: "ServiceRequest", identifier: { system: systems.lesionSystem, value: flag.lesion.id } }],
      status: "final",
      code: { coding: [{ system: DERMFLAG.observation, code: "second-read", display: "DermFlag second read of a skin lesion" }], text: "DermFlag second read of a skin lesion" },
      subject,
      effectiveDateTime: flag.createdAt.toISOString(),
      issued: review.createdAt.toISOString(),
      result: [{ reference: observationUrl }],
      conclusion: `${FLAG_KIND_DISPLAY[flag.kind]} (${score}); reviewer's decision: ${DECISION_DISPLAY[review.decision]}.`,
    };
    entries.push({ fullUrl: reportUrl, resource: report, ...(bundleType === "searchset" ? { search: { mode: "match" as const } } : {}) });
    entries.push({ fullUrl: observationUrl, resource: observation, ...(bundleType === "searchset" ? { search: { mode: "include" as const } } : {}) });
  }

  return {
    resourceType: "Bundle",
    type: bundleType,
    timestamp: new Date().toISOString(),
    ...(bundleType === "searchset" ? { total: flags.length } : {}),
    entry: entries,
  };
}
