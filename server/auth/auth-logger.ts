/**
 * Auth.js's logger, routed through the project's logger. Auth.js's default prints each error's cause in full: for an
 * expired session cookie that is the decrypted token (staff name, email, id) with a stack trace. Here an error is
 * logged as its Auth.js type and its cause's kind only, and debug output (tokens, cookies) is never written.
 */
import type { NextAuthConfig } from "next-auth";
import { componentLogger, errorKind } from "../logging/logger";

type AuthLogger = NonNullable<NextAuthConfig["logger"]>;

function causeKind(error: Error): string | undefined {
  // Auth.js wraps the original error as `cause.err`; other errors carry it as `cause` itself.
  const cause = error.cause as { err?: unknown } | undefined;
  if (cause && typeof cause === "object" && cause.err instanceof Error) return errorKind(cause.err);
  return error.cause instanceof Error ? errorKind(error.cause) : undefined;
}

export const authLogger: AuthLogger = {
  error(error) {
    // A refused sign-in is logged (and audited) by sign-in-events.ts.
    const type = errorKind(error);
    if (type === "CredentialsSignin") return;
    componentLogger("auth").error({ authError: type, cause: causeKind(error) }, "Auth.js error");
  },
  warn(code) {
    componentLogger("auth").warn({ code }, "Auth.js warning");
  },
  debug() {},
};
