"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/server/auth";
import { OIDC_PROVIDER_ID } from "@/server/auth/oidc";

export interface LoginState {
  error: string | null;
}

export async function loginAction(_previous: LoginState, form: FormData): Promise<LoginState> {
  const next = String(form.get("next") ?? "/queue");
  try {
    await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      // Only same-site paths: an open redirect would let a phishing link bounce through the login page.
      redirectTo: next.startsWith("/") && !next.startsWith("//") ? next : "/queue",
    });
    return { error: null };
  } catch (error) {
    if (error instanceof AuthError) {
      // One message for every failure: it must not reveal whether the email exists or the account is locked.
      return { error: "Email or password is incorrect, or the account is temporarily locked. Try again." };
    }
    throw error; // the redirect after a successful sign-in travels as an exception
  }
}

/** "Sign in with <provider>": Auth.js redirects to the identity provider (authorization code + PKCE). */
export async function oidcSignInAction(form: FormData): Promise<void> {
  const next = String(form.get("next") ?? "/queue");
  await signIn(OIDC_PROVIDER_ID, { redirectTo: next.startsWith("/") && !next.startsWith("//") ? next : "/queue" });
}
