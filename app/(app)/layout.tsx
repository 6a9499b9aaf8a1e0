import Link from "next/link";
import type { ReactNode } from "react";
import { signOut } from "@/server/auth";
import { requireUser } from "@/server/auth/guards";
import { can, ROLE_LABELS } from "@/server/auth/roles";
import { Nav, type NavItem } from "../_components/nav";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const items: NavItem[] = [
    { href: "/queue", label: "Queue" },
    { href: "/patients", label: "Patients" },
    { href: "/models", label: "Models" },
    { href: "/outcomes", label: "Outcomes" },
  ];
  if (can(user.role, "models:manage")) items.push({ href: "/training", label: "Retraining" });
  if (can(user.role, "users:manage")) items.push({ href: "/admin", label: "Admin" });
  if (can(user.role, "audit:read")) items.push({ href: "/audit", label: "Audit log" });

  async function signOutAction() {
    "use server";
    // Auth.js's sign-out event revokes the session and audits it (server/auth/auth-config.ts).
    await signOut({ redirectTo: "/login" });
  }

  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center gap-6 px-6 py-3">
          <span className="text-lg font-semibold text-sky-800">DermFlag</span>
          <Nav items={items} />
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span data-testid="current-user">
              {user.name} <span className="text-slate-500">({ROLE_LABELS[user.role]})</span>
            </span>
            <Link href="/account/password" className="text-sky-700 underline">
              Change password
            </Link>
            <form action={signOutAction}>
              <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100">
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-6 py-8">{children}</main>
    </div>
  );
}
