/**
 * The sign-in gate for the route handlers that proxy.ts does not run for: /api/trpc and the image upload. Next.js
 * receives and holds a request's whole body (up to proxyClientMaxBodySize) before the proxy runs, so an oversized
 * body reached those routes' own limits (256 KB for tRPC, IMAGE_MAX_BYTES for an upload) only once all of it had
 * arrived. Outside the proxy they refuse it from its declared length, or as soon as the stream passes the limit.
 *
 * This wrapper does for them what the proxy's Auth.js gate does, from the headers alone and before the handler reads
 * a byte: a signed-out caller gets the gate's 401, and a signed-in caller's session token is re-issued with its answer,
 * so these requests still count as activity for the idle timeout (base-config.ts). The handlers check the session
 * and role again themselves, where they read or write data.
 */
import type { Session } from "next-auth";
import { auth } from "./index";

type RouteHandler<Context> = (request: Request, context: Context) => Promise<Response>;

export function withSessionGate<Context>(handler: RouteHandler<Context>): RouteHandler<Context> {
  // next-auth 5.0.0-beta.32 types the wrapper for its own request type; at run time it is Auth.js's handleAuth: the
  // `authorized` callback (base-config.ts) first, the handler only for a request it lets through.
  const wrap = auth as unknown as (inner: RouteHandler<Context>) => RouteHandler<Context>;
  return wrap(handler);
}

/**
 * The session the gate already decoded for this request (Auth.js sets `request.auth` before calling the handler), so
 * the handler need not decrypt the token a second time; undefined when no gate ran.
 */
export function sessionFromGate(request: Request): Session | null | undefined {
  return (request as Request & { auth?: Session | null }).auth;
}
