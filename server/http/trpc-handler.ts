/**
 * The tRPC HTTP endpoint (/api/trpc), wrapped in what the fetch adapter does not do itself:
 * - a body cap: a POST body over TRPC_MAX_BODY_BYTES is refused with 413 from its declared length without reading
 *   it, or as soon as the streamed body passes the cap; nothing is parsed before that (a 99 MB JSON body used to be
 *   read and parsed whole before a 200-character field was refused);
 * - cross-origin refusal for mutations (every POST: queries are GETs, and the adapter refuses a POSTed query), see
 *   same-origin.ts;
 * - `Cache-Control: private, no-store` on every answer: they carry patient data or depend on the session, so no
 *   shared cache or browser history may keep them (as pages and images already do).
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Context } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";
import { componentLogger } from "@/server/logging/logger";
import { jsonResponse } from "./json-response";
import { readLimitedBody } from "./read-limited-body";
import { crossOriginRefusal, isCrossOriginRequest } from "./same-origin";

/**
 * The largest legitimate input is a few kilobytes (a 2,000-character note plus its fields; a batch of a handful of
 * calls), so 256 KB leaves room without letting a client make the server buffer and parse megabytes.
 */
export const TRPC_MAX_BODY_BYTES = 256 * 1024;

const NO_STORE = { "Cache-Control": "private, no-store" } as const;

function bodyTooLarge(): Response {
  return jsonResponse({ error: { message: `The request is larger than ${TRPC_MAX_BODY_BYTES / 1024} KB, the largest accepted.`, code: "PAYLOAD_TOO_LARGE" } }, 413);
}

function declaredLength(request: Request): number | undefined {
  const header = request.headers.get("content-length");
  return header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
}

export interface TrpcHandlerOptions {
  /** Given the request as it arrived (with what the route's gate attached to it, route-gate.ts). */
  createContext: (request: Request) => Promise<Context>;
  maxBodyBytes?: number;
}

export function createTrpcHandler(options: TrpcHandlerOptions): (request: Request) => Promise<Response> {
  const maxBodyBytes = options.maxBodyBytes ?? TRPC_MAX_BODY_BYTES;
  return async (incoming) => {
    let request = incoming;
    if (request.method === "POST") {
      if (isCrossOriginRequest(request)) return crossOriginRefusal();
      const declared = declaredLength(request);
      if (declared !== undefined && declared > maxBodyBytes) return bodyTooLarge();
      const body = await readLimitedBody(request.body, maxBodyBytes);
      if (!body.ok) return bodyTooLarge();
      request = new Request(request.url, { method: request.method, headers: request.headers, body: body.bytes, signal: request.signal });
    }
    return fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: () => options.createContext(incoming),
      responseMeta: () => ({ headers: NO_STORE }),
      onError({ error, path }) {
        // Log the path and code only: inputs may hold patient data.
        if (error.code === "INTERNAL_SERVER_ERROR") componentLogger("trpc").error({ path: path ?? "?", err: error.cause ?? error }, "procedure failed");
      },
    });
  };
}
