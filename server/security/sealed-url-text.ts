/**
 * Text that must travel in a URL without being readable there: a patient search term is a name or an MRN, and URLs
 * end up in proxy and server access logs, browser history and bookmarks. The text is encrypted and authenticated
 * (AES-256-GCM, a random IV per seal) under a key derived from AUTH_SECRET for one purpose, so the URL still works as
 * a bookmark or a shared link for a signed-in colleague, while the log shows an opaque token. A token from another
 * purpose, a tampered one, or one sealed under a rotated AUTH_SECRET opens to null.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { env } from "@/server/env";

const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyFor(purpose: string, secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "dermflag-sealed-url-text", purpose, 32));
}

function authSecret(): string {
  const secret = env().AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set: it is needed to seal search terms for URLs.");
  return secret;
}

export function sealUrlText(purpose: string, text: string, secret = authSecret()): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(purpose, secret), iv);
  const sealed = Buffer.concat([iv, cipher.update(text, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return sealed.toString("base64url");
}

export function openUrlText(purpose: string, token: string, secret = authSecret()): string | null {
  const sealed = Buffer.from(token, "base64url");
  if (sealed.length < IV_BYTES + TAG_BYTES || sealed.toString("base64url") !== token) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(purpose, secret), sealed.subarray(0, IV_BYTES));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
