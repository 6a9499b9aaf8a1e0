/**
 * Auth.js decodes the session cookie (an encrypted JWT: a key derivation, AES-CBC and an HMAC check, each a WebCrypto
 * call) on every request, and a queue page makes about 30 of them (4 API calls and 25 thumbnails). This keeps each
 * process's recent successful decodes, keyed by the exact token text, cookie name and secret, until the token's own expiry:
 * the same bytes under the same secret always decrypt to the same claims, so a hit answers what decrypting again would
 * (the profile of bench/load.ts: decryption was about a tenth of the server's CPU per image request).
 *
 * What this does not change: a token that fails to decrypt is never kept (every failure decrypts again), an expired
 * one is dropped at its `exp` (stricter than the decoder's 15 s clock tolerance), and revocation never depended on
 * the token: every data read re-checks the account and its sessionsRevokedAt in the database (session.ts). The
 * secret is part of the key too, though a process keeps one (AUTH_SECRET) for its life.
 */
import { decode, type JWT, type JWTDecodeParams } from "next-auth/jwt";

/** Enough for every signed-in browser of a large clinic; the oldest entry goes first beyond it. */
const MAX_ENTRIES = 5_000;

interface Entry {
  claims: JWT;
  expiresAtMs: number;
}

type DecodeToken = (params: JWTDecodeParams) => Promise<JWT | null>;

export function createCachedSessionDecode(options: { decodeToken?: DecodeToken; maxEntries?: number; now?: () => number } = {}) {
  const decodeToken: DecodeToken = options.decodeToken ?? ((params) => decode(params));
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  return async function cachedSessionDecode(params: JWTDecodeParams): Promise<JWT | null> {
    if (!params.token) return decodeToken(params);
    const secrets = Array.isArray(params.secret) ? params.secret : [params.secret];
    const key = [params.salt, ...secrets, params.token].join("\u0000");
    const entry = entries.get(key);
    if (entry && entry.expiresAtMs > now()) return { ...entry.claims };
    entries.delete(key);
    const claims = await decodeToken(params);
    // Only a token that decrypted and carries an expiry is kept (Auth.js always sets exp).
    if (claims && typeof claims.exp === "number") {
      entries.set(key, { claims: { ...claims }, expiresAtMs: claims.exp * 1000 });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    }
    return claims;
  };
}
