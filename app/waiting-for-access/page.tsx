import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { signOut } from "@/server/auth";
import { currentAccount } from "@/server/auth/session";

export const metadata: Metadata = { title: "Waiting for access" };

/**
 * Where an account without a role lands (provisioned at its first OpenID Connect sign-in, server/auth/oidc-sign-in.ts):
 * signed in, but nothing of the app opens until an administrator grants a role (Admin page).
 */
export default async function WaitingForAccessPage() {
  const account = await currentAccount();
  if (!account) redirect("/login");
  if (account.role) redirect("/queue");

  async function signOutAction() {
    "use server";
    await signOut({ redirectTo: "/login" });
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold">Waiting for access</h1>
        <p className="mt-3 text-sm text-slate-700" data-testid="waiting-for-access">
          You are signed in as <strong>{account.name}</strong> ({account.email}), but your DermFlag account has no role
          yet. An administrator must grant you one on the Admin page before you can open patients, the queue or
          models.
        </p>
        <p className="mt-2 text-sm text-slate-600">Once they have, reload this page.</p>
        <form action={signOutAction} className="mt-6">
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
            Sign out
          </button>
        </form>
      </div>
    </main>
  );
}
