/**
 * Which requests run Next.js's proxy (proxy.ts), computed by Next.js's own matcher code from the matcher as written
 * (read from the source: Next.js analyses it statically, and importing proxy.ts needs the Next.js runtime). Next.js
 * receives a request's whole body before the proxy runs, so the routes that take large bodies and refuse oversized
 * ones themselves must be outside it; pages must stay inside (sign-in gate, Content-Security-Policy).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const { getMiddlewareMatchers } = require("next/dist/build/analysis/get-page-static-info") as {
  getMiddlewareMatchers: (matcher: string[], nextConfig: Record<string, unknown>) => unknown[];
};
const { getMiddlewareRouteMatcher } = require("next/dist/shared/lib/router/utils/middleware-route-matcher") as {
  getMiddlewareRouteMatcher: (matchers: unknown[]) => (pathname: string, request: unknown, query: unknown) => boolean;
};

function proxyRuns(): (pathname: string) => boolean {
  const source = readFileSync(path.join(process.cwd(), "proxy.ts"), "utf8");
  const literal = /matcher:\s*(\[[^\]]*(?:\][^\]]*)*?\]),?\s*\n\s*\};/.exec(source)?.[1];
  if (!literal) throw new Error("proxy.ts: no `matcher: [...]` in its config");
  const matches = getMiddlewareRouteMatcher(getMiddlewareMatchers(JSON.parse(literal) as string[], {}));
  return (pathname) => matches(pathname, { headers: {} }, {});
}

describe("the proxy's matcher", () => {
  const runs = proxyRuns();

  it("leaves out the routes that take large bodies and the image route, which check the session themselves", () => {
    for (const route of [
      "/api/trpc/patients.create",
      "/api/trpc/users.list,overview.counts",
      "/api/lesions/ckabc123/images",
      "/api/fhir",
      "/api/fhir/Bundle",
      "/api/images/ckabc123",
    ]) {
      expect(runs(route), route).toBe(false);
    }
  });

  it("keeps every page and Auth.js behind it", () => {
    for (const route of ["/", "/login", "/queue", "/patients", "/account/password", "/api/auth/session", "/api/lesions/ckabc123", "/api/trpcx", "/api/imagesx"]) {
      expect(runs(route), route).toBe(true);
    }
  });
});
