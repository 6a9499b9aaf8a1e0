import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/session";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await currentUser()) redirect("/queue");
  const { callbackUrl } = await searchParams;
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
        <LoginForm next={next} />
      </div>
    </main>
  );
}
