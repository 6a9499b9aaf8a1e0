/**
 * What the FHIR interface answers: OperationOutcome for refusals and errors, a transaction-response Bundle for an
 * import. Shared by the REST routes and the command line.
 */
import type { ImportedEntry } from "./import-fhir";
import type { FhirBundle, FhirIssue, FhirResource } from "./resources";

export function operationOutcome(issues: FhirIssue[]): FhirResource {
  return {
    resourceType: "OperationOutcome",
    issue: issues.map((issue) => ({
      severity: issue.severity,
      code: issue.code,
      diagnostics: issue.message,
      expression: [issue.path],
    })),
  };
}

/** One error without a place in the resource (a wrong request, not a wrong resource). */
export function requestOutcome(code: FhirIssue["code"] | "security" | "login" | "forbidden" | "too-costly" | "exception", message: string): FhirResource {
  return { resourceType: "OperationOutcome", issue: [{ severity: "error", code, diagnostics: message }] };
}

const STATUS_OF_OUTCOME = {
  created: "201 Created",
  updated: "200 OK",
  unchanged: "200 OK",
  "read-with-report": "200 OK",
  "not-imported": "200 OK",
} as const;

export function transactionResponse(entries: ImportedEntry[], information: FhirIssue[]): FhirBundle {
  return {
    resourceType: "Bundle",
    type: "transaction-response",
    timestamp: new Date().toISOString(),
    entry: entries.map((entry) => {
      const notes = information.filter((issue) => issue.path === entry.path);
      return {
        response: {
          status: STATUS_OF_OUTCOME[entry.outcome],
          ...(entry.location ? { location: entry.location } : {}),
          outcome: operationOutcome(
            notes.length > 0 ? notes : [{ severity: "information", code: "informational", path: entry.path, message: `${entry.resourceType}: ${entry.outcome.replaceAll("-", " ")}` }],
          ),
        },
      };
    }),
  };
}
