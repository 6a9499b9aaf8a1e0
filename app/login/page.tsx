import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { WAITING_FOR_ACCESS_PATH } from "@/server/auth/guards";
import { oidcSettingsFrom } from "@/server/auth/oidc";
import { currentAccount, currentUser } from "@/server/auth/session";
import { env } from "@/server/env";
import { oidcSignInAction } from "./actions";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string }>;
}) {
  if (await currentUser()) redirect("/queue");
  if (await currentAccount()) redirect(WAITING_FOR_ACCESS_PATH);
  const { callbackUrl, error } = await searchParams;
  const oidc = oidcSettingsFrom(env());
  const passwordSignIn = !env().PASSWORD_SIGN_IN_DISABLED;
  let next = "/queue";
  if (callbackUrl) {
    try {
      // Auth.js passes an absolute URL; keep only its path so the redirect stays on this site.
      const url = new URL(callbackUrl, "http://localhost");
      next = url.pathname + url.search;
    } catch {
      next = "/queue";
    }
  }
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold">DermFlag</h1>
        <p className="mb-6 mt-1 text-sm text-slate-600">A second look before the biopsy. Sign in to continue.</p>
        {oidc && error ? (
          // Auth.js sends a refused or failed provider sign-in back here with ?error=; the reason is in the audit log.
          <p data-testid="oidc-error" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            Sign-in through {oidc.name} did not succeed. If it keeps failing, ask an administrator.
          </p>
        ) : null}
        {oidc ? (
          <form action={oidcSignInAction}>
            <input type="hidden" name="next" value={next} />
            <button
              type="submit"
              className="w-full rounded-md bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800"
            >
              Sign in with {oidc.name}
            </button>
          </form>
        ) : null}
        {oidc && passwordSignIn ? <p className="my-4 text-center text-xs uppercase text-slate-500">or</p> : null}
        {passwordSignIn ? <LoginForm next={next} /> : null}
      </div>
    </main>
  );
}
