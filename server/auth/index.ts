/**
 * Auth.js (next-auth v5): email + password sign-in against the User table, JWT sessions that expire.
 */
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "../db/client";
import { authenticate } from "./authenticate";
import { baseAuthConfig } from "./base-config";
import { clientAddress, failedSignIns } from "./sign-in-rate-limit";

const credentialsSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(256),
});

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...baseAuthConfig,
  logger: {
    // A failed sign-in is routine (and answered with one generic message); log only its kind, never the email.
    error(error) {
      console.error(`[auth] ${error.name === "CredentialsSignin" ? "sign-in refused" : error.name}`);
    },
    warn(code) {
      console.warn(`[auth] ${code}`);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, request) {
        const address = clientAddress(request.headers);
        // Refused like any failed sign-in: the client learns nothing about why.
        if (failedSignIns.isBlocked(address)) throw new CredentialsSignin();
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) throw new CredentialsSignin();
        const result = await authenticate(getDb(), parsed.data);
        if (!result.ok) {
          failedSignIns.record(address);
          throw new CredentialsSignin();
        }
        return result.user;
      },
    }),
  ],
});
