import { encode, decode, type JWTDecodeParams } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { createCachedSessionDecode } from "./cached-session-decode";

const secret = "a-test-secret-that-is-long-enough-for-hkdf-0123456789";
const salt = "authjs.session-token";

/** The real decoder, counted. */
function countedDecode() {
  const calls = { count: 0 };
  const decodeToken = async (params: JWTDecodeParams) => {
    calls.count++;
    return decode(params);
  };
  return { calls, decodeToken };
}

describe("cached session decode", () => {
  it("decrypts a token once and answers the same claims until its expiry, then decrypts again", async () => {
    const { calls, decodeToken } = countedDecode();
    let clock = Date.now();
    const cached = createCachedSessionDecode({ decodeToken, now: () => clock });
    const token = await encode({ token: { sub: "user-1", role: "DERMATOLOGIST" }, secret, salt, maxAge: 60 });
    const first = await cached({ token, secret, salt });
    expect(first).toMatchObject({ sub: "user-1", role: "DERMATOLOGIST" });
    // A caller that changes its copy does not change the next caller's.
    first!.role = "ADMIN";
    expect(await cached({ token, secret, salt })).toMatchObject({ sub: "user-1", role: "DERMATOLOGIST" });
    expect(calls.count).toBe(1);

    clock += 61_000;
    await cached({ token, secret, salt });
    expect(calls.count).toBe(2);
  });

  it("never keeps a failure: a tampered token or another cookie name is decrypted (and refused) every time", async () => {
    const { calls, decodeToken } = countedDecode();
    const cached = createCachedSessionDecode({ decodeToken });
    const token = await encode({ token: { sub: "user-1" }, secret, salt, maxAge: 60 });
    const tampered = `${token.slice(0, -4)}AAAA`;
    await expect(cached({ token: tampered, secret, salt })).rejects.toThrow();
    await expect(cached({ token: tampered, secret, salt })).rejects.toThrow();
    expect(calls.count).toBe(2);
    // The salt (cookie name) is part of the key derivation: a token is not valid under another name.
    await cached({ token, secret, salt });
    await expect(cached({ token, secret, salt: "another-cookie" })).rejects.toThrow();
    expect(calls.count).toBe(4);
    // And a wrong secret is refused even after the token was cached under the right one.
    await expect(cached({ token, secret: "another-secret-that-is-long-enough-0123456789", salt })).rejects.toThrow();
    expect(calls.count).toBe(5);
    expect(await cached({ token: undefined, secret, salt })).toBeNull();
  });

  it("keeps at most maxEntries tokens, dropping the oldest", async () => {
    const { calls, decodeToken } = countedDecode();
    const cached = createCachedSessionDecode({ decodeToken, maxEntries: 2 });
    const tokens = await Promise.all(["a", "b", "c"].map((sub) => encode({ token: { sub }, secret, salt, maxAge: 60 })));
    for (const token of tokens) await cached({ token, secret, salt });
    await cached({ token: tokens[2]!, secret, salt });
    await cached({ token: tokens[1]!, secret, salt });
    expect(calls.count).toBe(3);
    await cached({ token: tokens[0]!, secret, salt });
    expect(calls.count).toBe(4);
  });
});
