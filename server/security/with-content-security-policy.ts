/**
 * Puts a fresh Content-Security-Policy on every response of the proxy, around another proxy function (Auth.js's
 * sign-in gate). The gate keeps deciding who gets through: its redirects and 401s go out as they are, with the
 * policy added. When it lets a request through, the request goes on to the app with the nonce in two request
 * headers: `Content-Security-Policy`, which Next.js reads to put the nonce on the scripts it renders, and `x-nonce`,
 * for server components that render a <Script> of their own.
 */
import { NextResponse, type NextRequest } from "next/server";
import { env } from "../env";
import { contentSecurityPolicy, createNonce } from "./content-security-policy";

export type ProxyHandler<Event> = (request: NextRequest, event: Event) => Promise<Response>;

export const NONCE_REQUEST_HEADER = "x-nonce";
const CSP_HEADER = "Content-Security-Policy";

/** HTTPS here or at a TLS-terminating proxy in front (the same X-Forwarded-Proto Auth.js trusts with trustHost). */
function servedOverHttps(request: NextRequest): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return request.nextUrl.protocol === "https:" || forwarded === "https";
}

/**
 * NextResponse.next() marks "continue to the app" with this header; the gate's pass-through is such a response,
 * rebuilt by Auth.js. Only a continuing response can carry request headers on to the app.
 */
function continuesToApp(response: Response): boolean {
  return response.headers.get("x-middleware-next") === "1";
}

export function withContentSecurityPolicy<Event>(
  gate: ProxyHandler<Event>,
  { development = env().NODE_ENV === "development", nonce: makeNonce = createNonce } = {},
): ProxyHandler<Event> {
  return async (request, event) => {
    const nonce = makeNonce();
    const policy = contentSecurityPolicy({ nonce, development, https: servedOverHttps(request) });
    const gateResponse = await gate(request, event);

    let response = gateResponse;
    if (continuesToApp(gateResponse)) {
      const requestHeaders = new Headers(request.headers);
      requestHeaders.set(NONCE_REQUEST_HEADER, nonce);
      requestHeaders.set(CSP_HEADER, policy);
      response = NextResponse.next({ request: { headers: requestHeaders } });
      // Keep what the gate added (a refreshed session cookie).
      for (const [name, value] of gateResponse.headers) {
        if (name === "set-cookie") response.headers.append(name, value);
        else if (!response.headers.has(name)) response.headers.set(name, value);
      }
    }
    response.headers.set(CSP_HEADER, policy);
    return response;
  };
}
