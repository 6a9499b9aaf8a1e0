/**
 * DermFlag's FHIR R4 REST surface (app/api/fhir): the route handlers pass in the session user; access is checked
 * here, where data is read or written, with the same permissions as the rest of the app (server/auth/roles.ts).
 *
 * - POST /api/fhir and POST /api/fhir/Bundle: import a Bundle (or one Patient or DiagnosticReport), all or nothing
 *   (clinical:write). 200 with a transaction-response Bundle; 422 with an OperationOutcome naming every refused
 *   resource and why, nothing written.
 * - GET /api/fhir/DiagnosticReport?patient=<DermFlag patient id> or ?patient.identifier=[system|]<MRN>: the patient's
 *   decided flags as a searchset Bundle (clinical:read).
 *
 * Requests must be application/fhir+json (or application/json): a cross-site HTML form cannot send either, so a forged
 * import from another origin needs a CORS preflight this route never grants; and a browser's cross-origin request is
 * refused outright (server/http/same-origin.ts), as for tRPC mutations and uploads. Nothing here logs request data.
 */
import { can, type Permission } from "../auth/roles";
import { CHANGE_PASSWORD_FIRST, type SessionUser } from "../auth/session";
import type { Db } from "../db/client";
import { jsonResponse } from "../http/json-response";
import { readLimitedBody } from "../http/read-limited-body";
import { isCrossOriginRequest } from "../http/same-origin";
import { exportDecidedFlags } from "./export-decided-flags";
import { importFhir } from "./import-fhir";
import { operationOutcome, requestOutcome, transactionResponse } from "./responses";
import { isMrn, type FhirSystems } from "./systems";

export const FHIR_CONTENT_TYPE = "application/fhir+json";
/** A day's pathology results for a clinic fit many times over; a larger body is refused while it streams in. */
export const FHIR_MAX_BODY_BYTES = 10 * 1024 * 1024;

interface FhirRequestOptions {
  request: Request;
  user: SessionUser | null;
  db: Db;
  systems: FhirSystems;
}

const fhirResponse = (body: unknown, status: number) => jsonResponse(body, status, { "Content-Type": `${FHIR_CONTENT_TYPE}; charset=utf-8` });

function checkAccess(user: SessionUser | null, permission: Permission): { user: SessionUser } | { refusal: Response } {
  if (!user) return { refusal: fhirResponse(requestOutcome("login", "Sign in to continue."), 401) };
  if (user.mustChangePassword) return { refusal: fhirResponse(requestOutcome("forbidden", CHANGE_PASSWORD_FIRST), 403) };
  if (!can(user.role, permission)) return { refusal: fhirResponse(requestOutcome("forbidden", "Your role is not allowed to do this."), 403) };
  return { user };
}

export async function handleFhirImport(options: FhirRequestOptions): Promise<Response> {
  const { request, db, systems } = options;
  const access = checkAccess(options.user, "clinical:write");
  if ("refusal" in access) return access.refusal;
  if (isCrossOriginRequest(request)) return fhirResponse(requestOutcome("forbidden", "Requests from another site are refused."), 403);

  const mediaType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== FHIR_CONTENT_TYPE && mediaType !== "application/json") {
    return fhirResponse(requestOutcome("not-supported", `Send the resource as ${FHIR_CONTENT_TYPE}.`), 415);
  }
  const tooLarge = () => fhirResponse(requestOutcome("too-costly", `The body is larger than ${FHIR_MAX_BODY_BYTES / 1024 / 1024} MiB: split the Bundle.`), 413);
  // Refused from its declared length before a byte is read, as tRPC and the upload do; a body without one (chunked)
  // is refused once it passes the limit.
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > FHIR_MAX_BODY_BYTES) return tooLarge();
  const body = await readLimitedBody(request.body, FHIR_MAX_BODY_BYTES);
  if (!body.ok) return tooLarge();
  let resource: unknown;
  try {
    resource = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body.bytes));
  } catch {
    return fhirResponse(requestOutcome("structure", "The body is not JSON (UTF-8)."), 400);
  }

  const result = await importFhir({ db, actorId: access.user.id, resource, systems });
  if (!result.ok) return fhirResponse(operationOutcome(result.issues), 422);
  return fhirResponse(transactionResponse(result.entries, result.information), 200);
}

/** `patient` is a DermFlag patient id or "Patient/<id>"; `patient.identifier` is "<system>|<MRN>" or "<MRN>". */
async function patientOfSearch(db: Db, params: URLSearchParams, systems: FhirSystems): Promise<{ id: string } | null | "missing"> {
  const byId = params.get("patient") ?? params.get("subject");
  if (byId) return db.patient.findUnique({ where: { id: byId.replace(/^Patient\//, "") }, select: { id: true } });
  const byIdentifier = params.get("patient.identifier") ?? params.get("subject:Patient.identifier");
  if (!byIdentifier) return "missing";
  const bar = byIdentifier.lastIndexOf("|");
  const [system, value] = bar < 0 ? [undefined, byIdentifier] : [byIdentifier.slice(0, bar), byIdentifier.slice(bar + 1)];
  // Only this deployment's MRNs are DermFlag's patients' identifiers.
  if (system !== undefined && system !== "" && !isMrn({ system, value }, systems)) return null;
  return db.patient.findUnique({ where: { mrn: value }, select: { id: true } });
}

export async function handleDiagnosticReportSearch(options: FhirRequestOptions): Promise<Response> {
  const { request, db, systems } = options;
  const access = checkAccess(options.user, "clinical:read");
  if ("refusal" in access) return access.refusal;
  const params = new URL(request.url).searchParams;
  const patient = await patientOfSearch(db, params, systems);
  if (patient === "missing") {
    return fhirResponse(requestOutcome("required", "Search by patient: ?patient=<id> or ?patient.identifier=<system>|<MRN>."), 400);
  }
  if (!patient) return fhirResponse({ resourceType: "Bundle", type: "searchset", total: 0, entry: [] }, 200);
  return fhirResponse(await exportDecidedFlags({ db, systems, patientId: patient.id, bundleType: "searchset" }), 200);
}
