import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { withOriginFromHeaders } from "./request-origin";

const callback = (headers: Record<string, string>) =>
  new NextRequest("http://localhost:3100/api/auth/callback/oidc?code=abc&state=xyz", { headers });

describe("auth route origin", () => {
  it("follows the Host header, as Auth.js's server actions do, keeping the path and query", () => {
    // NextRequest itself would say localhost: it rewrites loopback addresses.
    expect(callback({ host: "127.0.0.1:3100" }).url).toMatch(/^http:\/\/localhost:3100\//);
    const request = withOriginFromHeaders(callback({ host: "127.0.0.1:3100" }), {});
    expect(request.url).toBe("http://127.0.0.1:3100/api/auth/callback/oidc?code=abc&state=xyz");
  });

  it("prefers X-Forwarded-Host and -Proto (a TLS proxy in front), and keeps a request that already matches", () => {
    const proxied = withOriginFromHeaders(callback({ host: "127.0.0.1:3100", "x-forwarded-host": "dermflag.clinic.example", "x-forwarded-proto": "https" }), {});
    expect(proxied.url).toBe("https://dermflag.clinic.example/api/auth/callback/oidc?code=abc&state=xyz");
    const same = callback({ host: "localhost:3100" });
    expect(withOriginFromHeaders(same, {})).toBe(same);
  });

  it("leaves the request as it is without a usable host, or when AUTH_URL decides the origin", () => {
    const malformed = callback({ host: "bad host/with space" });
    expect(withOriginFromHeaders(malformed, {})).toBe(malformed);
    const configured = callback({ host: "127.0.0.1:3100" });
    expect(withOriginFromHeaders(configured, { AUTH_URL: "https://dermflag.clinic.example" })).toBe(configured);
  });

  it("keeps a POST's method, headers and body", async () => {
    const post = new NextRequest("http://localhost:3100/api/auth/signout", {
      method: "POST",
      headers: { host: "127.0.0.1:3100", "content-type": "application/x-www-form-urlencoded" },
      body: "csrfToken=abc",
    });
    const rebuilt = withOriginFromHeaders(post, {});
    expect([rebuilt.url, rebuilt.method, rebuilt.headers.get("content-type"), await rebuilt.text()]).toEqual([
      "http://127.0.0.1:3100/api/auth/signout",
      "POST",
      "application/x-www-form-urlencoded",
      "csrfToken=abc",
    ]);
  });
});
