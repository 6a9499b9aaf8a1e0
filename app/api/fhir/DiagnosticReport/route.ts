import { currentUser } from "@/server/auth/session";
import { getDb } from "@/server/db/client";
import { env } from "@/server/env";
import { handleDiagnosticReportSearch } from "@/server/fhir/http";
import { fhirSystemsFromEnv } from "@/server/fhir/systems";

/** A patient's decided flags as FHIR DiagnosticReports: see server/fhir/http.ts. */
export async function GET(request: Request) {
  return handleDiagnosticReportSearch({ request, user: await currentUser(), db: getDb(), systems: fhirSystemsFromEnv(env()) });
}
