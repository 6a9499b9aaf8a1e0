/**
 * The parts of FHIR R4 that DermFlag reads and writes, typed. Only what is used: every resource is checked against
 * the whole R4 structure first (validate-structure.ts), so these types describe data already known to be valid FHIR.
 */
export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Identifier {
  use?: string;
  type?: CodeableConcept;
  system?: string;
  value?: string;
}

export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}

export interface HumanName {
  use?: string;
  text?: string;
  family?: string;
  given?: string[];
}

export interface FhirResource {
  resourceType: string;
  id?: string;
  contained?: FhirResource[];
  [element: string]: unknown;
}

export interface FhirPatient extends FhirResource {
  resourceType: "Patient";
  identifier?: Identifier[];
  name?: HumanName[];
  gender?: "male" | "female" | "other" | "unknown";
  birthDate?: string;
}

export interface FhirObservation extends FhirResource {
  resourceType: "Observation";
  status: string;
  code: CodeableConcept;
  valueCodeableConcept?: CodeableConcept;
}

export interface FhirDiagnosticReport extends FhirResource {
  resourceType: "DiagnosticReport";
  identifier?: Identifier[];
  basedOn?: Reference[];
  status: string;
  code: CodeableConcept;
  subject?: Reference;
  effectiveDateTime?: string;
  effectivePeriod?: { start?: string; end?: string };
  issued?: string;
  result?: Reference[];
  conclusion?: string;
  conclusionCode?: CodeableConcept[];
}

export interface BundleEntry {
  fullUrl?: string;
  resource?: FhirResource;
  request?: { method: string; url: string };
  response?: { status: string; location?: string; outcome?: FhirResource };
  search?: { mode: "match" | "include" };
}

export interface FhirBundle extends FhirResource {
  resourceType: "Bundle";
  type: string;
  total?: number;
  entry?: BundleEntry[];
}

/** FHIR's issue types (OperationOutcome.issue.code) that DermFlag reports. */
export type IssueCode =
  | "structure"
  | "required"
  | "value"
  | "invalid"
  | "not-found"
  | "conflict"
  | "not-supported"
  | "business-rule"
  | "too-costly"
  | "informational";

/** One reason a resource was refused (or, severity information, something worth telling the sender). */
export interface FhirIssue {
  severity: "error" | "information";
  code: IssueCode;
  /** Where, FHIRPath-like: "Bundle.entry[2].resource.subject". */
  path: string;
  message: string;
}

export const isResourceOfType = <T extends FhirResource>(resource: FhirResource | undefined, type: T["resourceType"]): resource is T =>
  resource?.resourceType === type;
