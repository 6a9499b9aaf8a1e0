/**
 * The identifier and code systems of DermFlag's FHIR interface: the hospital's MRN system and the system under which
 * a pathology report names DermFlag's lesion are configuration (server/env.ts); DermFlag's own code systems are fixed.
 */
import type { Env } from "../env";
import type { Identifier } from "./resources";

export interface FhirSystems {
  /** Identifier system of the hospital's medical record numbers; unset: the identifier typed MR is the MRN. */
  mrnSystem: string | undefined;
  /** Identifier system of DermFlag lesion ids, as a pathology report's basedOn identifier carries them. */
  lesionSystem: string;
}

export function fhirSystemsFromEnv(env: Pick<Env, "FHIR_MRN_SYSTEM" | "FHIR_LESION_SYSTEM">): FhirSystems {
  return { mrnSystem: env.FHIR_MRN_SYSTEM, lesionSystem: env.FHIR_LESION_SYSTEM };
}

export const SNOMED_CT = "http://snomed.info/sct";
/** HL7 v2 table 0203, identifier types: "MR" is a medical record number. */
export const IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203";
export const UCUM = "http://unitsofmeasure.org";

/** DermFlag's own code and identifier systems. */
export const DERMFLAG = {
  histopathology: "urn:dermflag:histopathology",
  flag: "urn:dermflag:flag",
  flagKind: "urn:dermflag:flag-kind",
  reviewDecision: "urn:dermflag:review-decision",
  observation: "urn:dermflag:observation",
  modelVersion: "urn:dermflag:model-version",
} as const;

const isMrnTyped = (identifier: Identifier) =>
  identifier.type?.coding?.some((coding) => coding.system === IDENTIFIER_TYPES && coding.code === "MR") ?? false;

/** Whether an identifier is a medical record number under this deployment's configuration. */
export function isMrn(identifier: Identifier, systems: FhirSystems): boolean {
  return systems.mrnSystem === undefined ? isMrnTyped(identifier) : identifier.system === systems.mrnSystem;
}

export function describeMrnRule(systems: FhirSystems): string {
  return systems.mrnSystem === undefined
    ? `an identifier typed MR (${IDENTIFIER_TYPES}); set FHIR_MRN_SYSTEM to match on the system instead`
    : `an identifier with system ${systems.mrnSystem} (FHIR_MRN_SYSTEM)`;
}

/** The MRN identifier DermFlag writes into exported resources. */
export function mrnIdentifier(mrn: string, systems: FhirSystems): Identifier {
  return {
    use: "usual",
    type: { coding: [{ system: IDENTIFIER_TYPES, code: "MR" }] },
    ...(systems.mrnSystem === undefined ? {} : { system: systems.mrnSystem }),
    value: mrn,
  };
}
