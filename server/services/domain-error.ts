/**
 * The one error type services, jobs and CLIs throw for a refusal the caller can act on (no such record, a conflict
 * with the current state, a rule that forbids it). It knows nothing of HTTP: server/trpc/init.ts maps each code to
 * the tRPC code of the same name in one middleware, and jobs and CLIs read `code` and `message` directly.
 */
export type DomainErrorCode = "BAD_REQUEST" | "NOT_FOUND" | "CONFLICT" | "FORBIDDEN" | "PRECONDITION_FAILED" | "TOO_MANY_REQUESTS";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DomainError";
  }
}

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
