/**
 * What every tRPC procedure does at its boundary, before and after its own input schema and resolver (wired once,
 * into the base procedure in init.ts, so a new procedure cannot miss it):
 * - input holding a NUL character is refused with BAD_REQUEST before anything parses it (server/security/nul-bytes.ts);
 * - a record the request names that does not exist (Prisma's P2025, from findUniqueOrThrow, update or delete of an
 *   unknown id) answers NOT_FOUND instead of an internal error.
 */
import { TRPCError } from "@trpc/server";
import { Prisma } from "../db/generated/client";
import { containsNulByte, NUL_BYTE_MESSAGE } from "../security/nul-bytes";

export async function refuseNulBytes(getRawInput: () => Promise<unknown>): Promise<void> {
  if (containsNulByte(await getRawInput())) throw new TRPCError({ code: "BAD_REQUEST", message: NUL_BYTE_MESSAGE });
}

export function isRecordNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025";
}

/** Passes a middleware result through, turning "no such record" failures into NOT_FOUND. */
export function notFoundForMissingRecords<R extends { ok: true } | { ok: false; error: TRPCError }>(result: R): R {
  if (!result.ok && isRecordNotFound(result.error.cause)) {
    throw new TRPCError({ code: "NOT_FOUND", message: "What you asked for does not exist (or no longer exists).", cause: result.error.cause });
  }
  return result;
}
