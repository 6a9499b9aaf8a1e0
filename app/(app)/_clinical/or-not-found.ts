import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";

/** A procedure's NOT_FOUND (or an id it refuses as malformed) becomes the app's 404 page. */
export async function orNotFound<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  }
}
