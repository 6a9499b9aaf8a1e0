import { NextRequest, NextResponse } from "next/server";
import { describe, expect, it } from "vitest";
import { withContentSecurityPolicy, type ProxyHandler } from "./with-content-security-policy";

const NONCE = "AAECAwQFBgcICQoLDA0ODw==";
const request = (url: string, headers: Record<string, string> = {}) => new NextRequest(url, { headers });
const noEvent = undefined;

/** What Next.js forwards to the app: NextResponse.next({ request: { headers } }) encodes them on the response. */
const forwardedRequestHeader = (response: Response, name: string) =>
  (response.headers.get("x-middleware-override-headers") ?? "").split(",").includes(name)
    ? response.headers.get(`x-middleware-request-${name}`)
    : null;

describe("withContentSecurityPolicy", () => {
  it("lets a passed request on to the app with the nonce and the policy, keeping the gate's cookies", async () => {
    const gate: ProxyHandler<undefined> = async () => {
      const passed = NextResponse.next();
      passed.headers.append("set-cookie", "authjs.session-token=refreshed; Path=/; HttpOnly");
      return passed;
    };
    const response = await withContentSecurityPolicy(gate, { nonce: () => NONCE, development: false })(request("http://127.0.0.1/queue"), noEvent);

    const policy = response.headers.get("content-security-policy");
    expect(policy).toContain(`script-src 'self' 'nonce-${NONCE}' 'strict-dynamic'`);
    expect(response.headers.get("x-middleware-next")).toBe("1");
    expect(forwardedRequestHeader(response, "x-nonce")).toBe(NONCE);
    // Next.js takes the nonce for its own scripts from the request's CSP header.
    expect(forwardedRequestHeader(response, "content-security-policy")).toBe(policy);
    expect(response.headers.getSetCookie()).toEqual(["authjs.session-token=refreshed; Path=/; HttpOnly"]);
  });

  it("sends the gate's redirect and 401 as they are, with the policy on them", async () => {
    const redirect: ProxyHandler<undefined> = async () => NextResponse.redirect("http://127.0.0.1/login?callbackUrl=x");
    const refuse: ProxyHandler<undefined> = async () => Response.json({ error: "Sign in to continue." }, { status: 401 });

    const redirected = await withContentSecurityPolicy(redirect, { nonce: () => NONCE })(request("http://127.0.0.1/queue"), noEvent);
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get("location")).toBe("http://127.0.0.1/login?callbackUrl=x");
    expect(redirected.headers.get("content-security-policy")).toContain(`'nonce-${NONCE}'`);
    expect(forwardedRequestHeader(redirected, "x-nonce")).toBeNull();

    const refused = await withContentSecurityPolicy(refuse, { nonce: () => NONCE })(request("http://127.0.0.1/api/x"), noEvent);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: "Sign in to continue." });
    expect(refused.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("adds upgrade-insecure-requests only behind HTTPS, and eval only in development", async () => {
    const pass: ProxyHandler<undefined> = async () => NextResponse.next();
    const policyFor = async (url: string, headers: Record<string, string>, development: boolean) =>
      (await withContentSecurityPolicy(pass, { development })(request(url, headers), noEvent)).headers.get("content-security-policy") ?? "";

    expect(await policyFor("http://127.0.0.1/queue", {}, false)).not.toContain("upgrade-insecure-requests");
    expect(await policyFor("https://dermflag.example/queue", {}, false)).toContain("upgrade-insecure-requests");
    expect(await policyFor("http://127.0.0.1/queue", { "x-forwarded-proto": "https" }, false)).toContain("upgrade-insecure-requests");
    expect(await policyFor("http://127.0.0.1/queue", {}, false)).not.toContain("'unsafe-eval'");
    expect(await policyFor("http://127.0.0.1/queue", {}, true)).toContain("'unsafe-eval'");
  });

  it("uses a fresh nonce for every request", async () => {
    const proxy = withContentSecurityPolicy<undefined>(async () => NextResponse.next());
    const nonces = await Promise.all(
      Array.from({ length: 20 }, async () => forwardedRequestHeader(await proxy(request("http://127.0.0.1/queue"), noEvent), "x-nonce")),
    );
    expect(new Set(nonces).size).toBe(20);
  });
});
