/**
 * Defence in depth against cross-site request forgery for the state-changing API (tRPC mutations and the image
 * upload). The first line stays what it was: the session cookie is SameSite=Lax, tRPC accepts only JSON and the upload
 * only application/octet-stream, neither of which a cross-site form can send without a CORS preflight this app never
 * grants. This check refuses a cross-origin request even if one of those ever gives way.
 *
 * How a request is judged, in order:
 * 1. `Sec-Fetch-Site` (set by every current browser; a page's script cannot set or change it): only `same-origin`
 *    passes; `same-site` (a sibling host), `cross-site` and `none` are refused.
 * 2. Otherwise `Origin`, which browsers send on every cross-origin POST: its host must equal the host the request
 *    was sent to (`X-Forwarded-Host` when a proxy sets it, else `Host`). `Origin: null` (sandboxed frames,
 *    privacy-redirected requests) is refused.
 * 3. Neither header: not a cross-origin browser request (curl, scripts, the end-to-end tests' API client); allowed,
 *    since such a client carries the session cookie only if it was given it.
 * A page's script cannot add `X-Forwarded-Host` to a cross-origin request without a preflight, so an attacker's page
 * cannot use it to pass step 2.
 */
import { jsonResponse } from "./json-response";

function firstValue(header: string | null): string | null {
  const value = header?.split(",")[0]?.trim();
  return value ? value.toLowerCase() : null;
}

/** Whether a browser sent this request from another origin (see above). */
export function isCrossOriginRequest(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) return site.trim().toLowerCase() !== "same-origin";
  const origin = request.headers.get("origin");
  if (origin === null) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return true; // "null" or garbage
  }
  const target = firstValue(request.headers.get("x-forwarded-host")) ?? firstValue(request.headers.get("host")) ?? new URL(request.url).host;
  return originHost !== target;
}

export function crossOriginRefusal(): Response {
  return jsonResponse({ error: "Requests from another site are refused. Use DermFlag's own pages." }, 403);
}
