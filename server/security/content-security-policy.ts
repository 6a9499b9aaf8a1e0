/**
 * The Content-Security-Policy every response carries. Scripts run only with this request's nonce (Next.js puts it on
 * its own inline and bundle scripts when it finds `'nonce-…'` in the request's CSP header) or when loaded by such a
 * script ('strict-dynamic'): an injected <script> or an inline event handler does not run.
 */

export interface ContentSecurityPolicyOptions {
  /** Fresh for every request (createNonce). */
  nonce: string;
  /** `next dev`: React rebuilds server error stacks with eval, and dev CSS arrives as <style> elements without a nonce. */
  development: boolean;
  /** Served over HTTPS (directly or behind a TLS-terminating proxy). */
  https: boolean;
}

/** Base64 only: the nonce is pasted into a header, so nothing that could end a directive or the header may pass. */
const NONCE_PATTERN = /^[A-Za-z0-9+/]{16,}={0,2}$/;

const NONCE_BYTES = 16;

/** 128 random bits from the platform's CSPRNG, base64-encoded, as CSP nonces should be. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  return btoa(String.fromCharCode(...bytes));
}

export function contentSecurityPolicy({ nonce, development, https }: ContentSecurityPolicyOptions): string {
  if (!NONCE_PATTERN.test(nonce)) throw new Error("A CSP nonce must be base64 (at least 16 characters).");
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    // <style> and stylesheet links: the compiled Tailwind files, plus any inline <style> Next.js emits with the nonce.
    // In development the nonce is left out, because a nonce makes browsers ignore 'unsafe-inline'.
    ["style-src", "'self'", ...(development ? ["'unsafe-inline'"] : [`'nonce-${nonce}'`])],
    // style="…" attributes: server-rendered widths of the risk bars, zoom sizes and recharts' containers. A nonce
    // cannot be put on an attribute, so inline style attributes (only those, never <style> or scripts) are allowed.
    // CSS cannot run script; the worst an injected attribute can do is restyle the page.
    ["style-src-attr", "'unsafe-inline'"],
    // Images come from /api/images/<id>; the explanation map paints its canvas with putImageData, which CSP does
    // not govern, and the CSV download's blob: URL is a link, not an image. So neither blob: nor data: is needed.
    ["img-src", "'self'"],
    // tRPC and the upload XHR; in development 'self' also covers the same-host HMR websocket.
    ["connect-src", "'self'"],
    ["font-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["form-action", "'self'"],
    ["frame-ancestors", "'none'"],
  ];
  // Only over HTTPS: on plain-HTTP localhost it would rewrite the app's own requests to an https:// nobody serves.
  if (https) directives.push(["upgrade-insecure-requests"]);
  return directives.map((directive) => directive.join(" ")).join("; ");
}
