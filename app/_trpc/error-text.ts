/**
 * What a page shows for a failed request. The API's own answers are already sentences (server/trpc/init.ts: a
 * refused input reads "Reason: at most 200 characters.", never zod's JSON). A request that never got an answer from
 * the API (the network dropped, a proxy answered with an HTML page) has a transport message instead
 * ("Failed to fetch", "Unexpected token '<'"): that one is said plainly.
 */
export const UNREACHABLE_SERVER = "The server could not be reached or did not answer properly. Check the connection and try again.";

interface RequestError {
  message: string;
  /** Present exactly when the API answered (tRPC's error shape). */
  data?: unknown;
}

export function errorText(error: RequestError | null | undefined): string | null {
  if (!error) return null;
  return error.data ? error.message : UNREACHABLE_SERVER;
}
