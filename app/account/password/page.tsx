import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/session";
import { ChangePasswordForm } from "./change-password-form";

export const metadata: Metadata = { title: "Change password" };

/**
 * Outside the app's layout on purpose: after an admin's password reset every other page sends the user here
 * (server/auth/guards.ts), so this page must not use that guard itself.
 */
export default async function ChangePasswordPage() {
  const user = await currentUser();
  if (!user) redirect("/login");
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold">Change your password</h1>
        <p className="mb-6 mt-1 text-sm text-slate-600">
          {user.mustChangePassword
            ? "An administrator reset your password. Choose your own to continue."
            : `Signed in as ${user.email}.`}
        </p>
        <ChangePasswordForm />
        {user.mustChangePassword ? null : (
          <Link href="/queue" className="mt-4 block text-sm text-sky-700 underline">
            Back to DermFlag
          </Link>
        )}
      </div>
    </main>
  );
}
