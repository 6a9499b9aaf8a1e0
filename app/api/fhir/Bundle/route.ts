import { currentUser } from "@/server/auth/session";
import { getDb } from "@/server/db/client";
import { env } from "@/server/env";
import { handleFhirImport } from "@/server/fhir/http";
import { fhirSystemsFromEnv } from "@/server/fhir/systems";

/** Import a FHIR Bundle (or one Patient or DiagnosticReport), all or nothing: see server/fhir/http.ts. */
export async function POST(request: Request) {
  return handleFhirImport({ request, user: await currentUser(), db: getDb(), systems: fhirSystemsFromEnv(env()) });
}
