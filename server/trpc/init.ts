/**
 * tRPC setup in three parts: 1. the request context, 2. initialisation (transformer, error shape with zod field
 * errors), 3. the procedures every router builds on. Access is checked here, where the data is read, not only in
 * the proxy.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import type { Db } from "../db/client";
import { can, type Permission } from "../auth/roles";
import { CHANGE_PASSWORD_FIRST, type SessionUser } from "../auth/session";
import { domainErrorsAsTrpc } from "./domain-errors";
import { installReadableZodMessages, readableZodSummary } from "../validation/readable-zod-messages";
import { notFoundForMissingRecords, refuseNulBytes } from "./input-boundary";

// Every input error the procedures raise reads as a sentence a clinician understands (see readable-zod-messages.ts).
installReadableZodMessages();

// 1. Context ---------------------------------------------------------------------------------------------------
export interface Context {
  db: Db;
  user: SessionUser | null;
}

// 2. Initialisation ------------------------------------------------------------------------------------------
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // A refused input: each field's readable messages, and one sentence of them all instead of zod's JSON issue list.
    const inputError = error.code === "BAD_REQUEST" && error.cause instanceof ZodError ? error.cause : null;
    const fieldErrors = inputError ? z.flattenError(inputError).fieldErrors : null;
    // Internal errors never carry their message (it may hold SQL or patient data) to the browser.
    const message =
      error.code === "INTERNAL_SERVER_ERROR" ? "Something went wrong on the server." : inputError ? readableZodSummary(inputError) : shape.message;
    return { ...shape, message, data: { ...shape.data, stack: undefined, fieldErrors } };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

// 3. Procedures ----------------------------------------------------------------------------------------------
/**
 * Every procedure starts here: the input boundary (input-boundary.ts) runs before any input schema or access check,
 * and a service's DomainError becomes the tRPC error of its code (domain-errors.ts).
 */
export const publicProcedure = t.procedure.use(async ({ getRawInput, next }) => {
  await refuseNulBytes(getRawInput);
  return domainErrorsAsTrpc(notFoundForMissingRecords(await next()));
});

const PASSWORD_CHANGE_PATHS = new Set(["users.me", "users.changeOwnPassword"]);

/** Signed in, with the user narrowed to non-null. */
export const signedInProcedure = publicProcedure.use(({ ctx, path, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  // After an admin's password reset only the password change (and who am I) answer, as the pages do (guards.ts).
  if (ctx.user.mustChangePassword && !PASSWORD_CHANGE_PATHS.has(path)) {
    throw new TRPCError({ code: "FORBIDDEN", message: CHANGE_PASSWORD_FIRST });
  }
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Signed in and allowed `permission` (server/auth/roles.ts). */
export function permittedProcedure(permission: Permission) {
  return signedInProcedure.use(({ ctx, next }) => {
    if (!can(ctx.user.role, permission)) {
      throw new TRPCError({ code: "FORBIDDEN", message: "Your role is not allowed to do this." });
    }
    return next({ ctx });
  });
}

export const adminProcedure = permittedProcedure("users:manage");
