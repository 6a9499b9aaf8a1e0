"use client";

/**
 * zod 4 probes, the first time it parses an object, whether it may compile faster parsers with `new Function`. Under
 * the Content-Security-Policy (no 'unsafe-eval') the probe is refused, as it should be, but the browser still reports
 * the refused eval as a violation on every page with a client-side form (lesion and review pages). `jitless` skips
 * the probe; zod then parses without compiling, exactly as it does after a refused probe.
 * The policy itself is server/security/content-security-policy.ts.
 */
import { z } from "zod";
import { installReadableZodMessages } from "@/server/validation/readable-zod-messages";

z.config({ jitless: true });
// The forms check with the server's schemas before sending: their messages read as the server's do.
installReadableZodMessages();

/** Rendered once in the root layout, so that the browser loads (and runs) this module on every page. */
export function ZodWithoutEval() {
  return null;
}
