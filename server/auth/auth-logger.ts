/**
 * Auth.js's logger, routed through the project's logger. Auth.js's default prints each error's cause in full: for an
 * expired session cookie that is the decrypted token (staff name, email, id) with a stack trace. Here an error is
 * logged as its Auth.js type and its cause's kind only, and debug output (tokens, cookies) is never written.
 */
import type { NextAuthConfig } from "next-auth";
import { componentLogger } from "../logging/logger";

type AuthLogger = NonNullable<NextAuthConfig["logger"]>;

/**
 * What kind of error this is, in words that survive the production build. Auth.js and jose bundle into the server
 * code, whose minifier renames classes, and both set `name` from the class name (an expired session logged its cause
 * as "N", a refused sign-in once as "[auth] j"). Their string tags are kept: Auth.js's static `type`
 * ("JWTSessionError"), jose's and Node's `code` ("ERR_JWT_EXPIRED", "ECONNREFUSED"). `name` only when neither exists.
 */
export function errorKind(error: Error): string {
  const tagged = error as { type?: unknown; code?: unknown };
  if (typeof tagged.type === "string" && tagged.type !== "") return tagged.type;
  if (typeof tagged.code === "string" && tagged.code !== "") return tagged.code;
  return error.name;
}

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
