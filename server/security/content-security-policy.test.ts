import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce } from "./content-security-policy";

/** directive name -> its source list, as a browser would read the header. */
function parse(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((part) => {
      const [name = "", ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

const NONCE = "AAECAwQFBgcICQoLDA0ODw==";

describe("contentSecurityPolicy", () => {
  it("lets scripts run only with this request's nonce in production", () => {
    const policy = parse(contentSecurityPolicy({ nonce: NONCE, development: false, https: false }));
    expect(policy.get("script-src")).toEqual(["'self'", `'nonce-${NONCE}'`, "'strict-dynamic'"]);
    expect(policy.get("style-src")).toEqual(["'self'", `'nonce-${NONCE}'`]);
    // Inline style attributes are allowed (see the builder); inline <style> and scripts are not.
    expect(policy.get("style-src-attr")).toEqual(["'unsafe-inline'"]);
  });

  it("allows eval and nonce-less inline <style> only in development", () => {
    const production = parse(contentSecurityPolicy({ nonce: NONCE, development: false, https: false }));
    const development = parse(contentSecurityPolicy({ nonce: NONCE, development: true, https: false }));
    expect(production.get("script-src")).not.toContain("'unsafe-eval'");
    expect(development.get("script-src")).toEqual(["'self'", `'nonce-${NONCE}'`, "'strict-dynamic'", "'unsafe-eval'"]);
    expect(development.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
    for (const policy of [production, development]) expect(policy.get("script-src")).not.toContain("'unsafe-inline'");
  });

  it("locks down everything else to this origin", () => {
    const policy = parse(contentSecurityPolicy({ nonce: NONCE, development: false, https: false }));
    expect(Object.fromEntries([...policy].filter(([name]) => !["script-src", "style-src", "style-src-attr"].includes(name)))).toEqual({
      "default-src": ["'self'"],
      "img-src": ["'self'"],
      "connect-src": ["'self'"],
      "font-src": ["'self'"],
      "object-src": ["'none'"],
      "base-uri": ["'self'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
    });
  });

  it("asks browsers to upgrade insecure requests only when served over HTTPS", () => {
    expect(parse(contentSecurityPolicy({ nonce: NONCE, development: false, https: true })).get("upgrade-insecure-requests")).toEqual([]);
    expect(parse(contentSecurityPolicy({ nonce: NONCE, development: false, https: false })).has("upgrade-insecure-requests")).toBe(false);
  });

  it("refuses a nonce that could break out of its directive", () => {
    for (const nonce of ["", "short", `${NONCE}'; script-src *`, `${NONCE}\r\nSet-Cookie: x=1`]) {
      expect(() => contentSecurityPolicy({ nonce, development: false, https: false }), JSON.stringify(nonce)).toThrow(/base64/);
    }
  });
});

describe("createNonce", () => {
  it("makes 128-bit base64 nonces that the builder accepts and that differ every time", () => {
    const nonces = Array.from({ length: 1000 }, createNonce);
    expect(new Set(nonces).size).toBe(nonces.length);
    for (const nonce of nonces) {
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
      expect(contentSecurityPolicy({ nonce, development: false, https: false })).toContain(`'nonce-${nonce}'`);
    }
  });
});
