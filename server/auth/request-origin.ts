/**
 * Auth.js builds the OpenID Connect redirect URI in two places: a sign-in started by a server action (signIn in
 * app/login/actions.ts) from the request's headers (X-Forwarded-Host, else Host), and the callback route from the
 * route handler's request URL. Next.js's NextRequest rewrites a loopback address in a URL (127.x.x.x, [::1]) to
 * "localhost", so for an app opened as http://127.0.0.1:3100 the callback said localhost while the sign-in had sent
 * 127.0.0.1, and the provider refused the code exchange (invalid_grant). The auth route handlers therefore get a plain
 * Request at the origin the headers name, by Auth.js's own rule for server actions (createActionURL).
 *
 * With AUTH_URL set, next-auth gives both the AUTH_URL origin through a NextRequest, so the request is left alone
 * (and a loopback address in AUTH_URL would be rewritten the same way: use localhost or the real host name there).
 */
import type { NextRequest } from "next/server";

export function withOriginFromHeaders(request: NextRequest, env: Readonly<Record<string, string | undefined>> = process.env): NextRequest {
  if (env.AUTH_URL ?? env.NEXTAUTH_URL) return request;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (!host) return request;
  const url = new URL(request.url);
  const protocol = request.headers.get("x-forwarded-proto") ?? url.protocol;
  let origin: string;
  try {
    origin = new URL(`${protocol.endsWith(":") ? protocol : `${protocol}:`}//${host}`).origin;
  } catch {
    return request; // a malformed header: the URL Next.js gave stands
  }
  if (origin === url.origin) return request;
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const rebuilt = new Request(`${origin}${url.pathname}${url.search}`, {
    method: request.method,
    headers: request.headers,
    body: hasBody ? request.body : undefined,
    signal: request.signal,
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
  // next-auth reads only the standard Request interface when AUTH_URL is unset (reqWithEnvURL returns it as it is).
  return rebuilt as unknown as NextRequest;
}
