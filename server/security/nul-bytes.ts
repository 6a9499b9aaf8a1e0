/**
 * NUL characters (U+0000) in request text. PostgreSQL's text types cannot hold them: a NUL reaching a query fails
 * with error 22021 deep in the data layer (a 500 and a stack trace) instead of a plain "bad input". Every boundary
 * that passes request text on to the database refuses them first: the tRPC input boundary (server/trpc/init.ts) and
 * the route handlers' path parameters (server/http/*). No legitimate input of this application contains one.
 */
export const NUL_BYTE_MESSAGE = "The input contains a NUL character (\\u0000), which is never valid here.";

/**
 * Whether a string, or any string or key inside an array or plain object, contains U+0000. Iterative, so a deeply
 * nested input cannot overflow the stack; objects seen twice (superjson can rebuild shared references) are walked once.
 */
export function containsNulByte(value: unknown): boolean {
  const pending: unknown[] = [value];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === "string") {
      if (next.includes("\u0000")) return true;
    } else if (next !== null && typeof next === "object") {
      if (seen.has(next)) continue;
      seen.add(next);
      if (next instanceof Map) {
        for (const [key, item] of next) pending.push(key, item);
      } else if (next instanceof Set || Array.isArray(next)) {
        for (const item of next) pending.push(item);
      } else {
        for (const [key, item] of Object.entries(next)) {
          if (key.includes("\u0000")) return true;
          pending.push(item);
        }
      }
    }
  }
  return false;
}
