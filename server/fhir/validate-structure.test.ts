import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pathologyBundle } from "./fixtures/pathology-bundle";
import { specDiagnosticReportF201, specPatientExample } from "./fixtures/spec-examples";
import { validateFhirStructure } from "./validate-structure";

describe("FHIR R4 structure (HL7's JSON schema)", () => {
  it("accepts HL7's own published examples and the integration engine's Bundle", () => {
    expect(validateFhirStructure(specPatientExample)).toEqual([]);
    expect(validateFhirStructure(specDiagnosticReportF201)).toEqual([]);
    const bundle = pathologyBundle({
      mrn: "MRN-1",
      familyName: "Doe",
      givenName: "Jane",
      lesionId: "lesion-1",
      accession: "S26-1",
      diagnosis: { snomedCt: "372244006", display: "Malignant melanoma" },
    });
    expect(validateFhirStructure(bundle)).toEqual([]);
  });

  it("accepts the README's example of what an integration engine sends", () => {
    const readme = readFileSync("README.md", "utf8");
    const example = /What an integration engine sends[^\n]*\n\n```json\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(validateFhirStructure(JSON.parse(example!))).toEqual([]);
  });

  it("refuses malformed resources, each reason at its place", () => {
    expect(validateFhirStructure({ ...specPatientExample, gender: "M", birthDate: "25/12/1974", identifer: [] })).toEqual(
      expect.arrayContaining([
        { path: "Patient", message: 'unknown element "identifer"' },
        { path: "Patient.gender", message: 'must be one of "male", "female", "other", "unknown"' },
        { path: "Patient.birthDate", message: "is not a valid value of its FHIR type" },
      ]),
    );
    // A DiagnosticReport without its required code, and a name given as a string (FHIR wants a list). (The JSON
    // schema cannot require a primitive such as status, which may come as "_status" alone: the report reader does.)
    expect(validateFhirStructure({ resourceType: "DiagnosticReport", status: "final", subject: { reference: "Patient/1" } })).toEqual([
      { path: "DiagnosticReport", message: 'missing required element "code"' },
    ]);
    expect(validateFhirStructure({ resourceType: "Patient", name: "Jane Doe" })).toEqual([{ path: "Patient.name", message: "must be array" }]);
    expect(validateFhirStructure({ resourceType: "Patient", birthDate: "1974-13-01" })).toHaveLength(1);
    expect(validateFhirStructure({ resourceType: "Pateint" })).toEqual([{ path: "Pateint.resourceType", message: '"Pateint" is not a FHIR R4 resource type' }]);
    expect(validateFhirStructure([1, 2])[0]?.message).toMatch(/not a FHIR resource/);
  });

  it("names a bad resource inside a Bundle or a report's contained resources by its own place, once", () => {
    const issues = validateFhirStructure({
      resourceType: "Bundle",
      type: "transaction",
      entry: [
        { resource: { resourceType: "Patient", gender: "male" } },
        {
          resource: {
            resourceType: "DiagnosticReport",
            status: "final",
            code: { text: "Pathology" },
            contained: [{ resourceType: "Observation", id: "o1", status: "done", code: { text: "Diagnosis" } }],
          },
        },
        { resource: { resourceType: "Patient", gender: "boy" } },
      ],
    });
    expect(issues).toEqual([
      { path: "Bundle.entry[1].resource.contained[0].status", message: expect.stringMatching(/^must be one of "registered"/) },
      { path: "Bundle.entry[2].resource.gender", message: 'must be one of "male", "female", "other", "unknown"' },
    ]);
  });
});
