/**
 * Services throw DomainError (server/services/domain-error.ts), which knows nothing of HTTP. This is the one place it
 * becomes a tRPC error: the code of the same name (so the HTTP status follows), the service's message, and the
 * original as the cause. Wired once into the base procedure in init.ts.
 */
import { TRPCError } from "@trpc/server";
import { DomainError } from "../services/domain-error";

export function toTrpcError(error: DomainError): TRPCError {
  return new TRPCError({ code: error.code, message: error.message, cause: error });
}

/** Passes a middleware result through, turning a DomainError from the resolver into its tRPC code. */
export function domainErrorsAsTrpc<R extends { ok: true } | { ok: false; error: TRPCError }>(result: R): R {
  if (!result.ok && result.error.cause instanceof DomainError) throw toTrpcError(result.error.cause);
  return result;
}
