import Link from "next/link";
import type { ReactNode } from "react";
import { signOut } from "@/server/auth";
import { can, ROLE_LABELS } from "@/server/auth/roles";
import type { SessionUser } from "@/server/auth/session";
import { Nav, type NavItem } from "./nav";

/** The signed-in app's frame: the header with the pages this user's role opens, and the page below it. */
export function AppShell({ user, children }: { user: SessionUser; children: ReactNode }) {
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
        {/* Wraps on a phone instead of pushing the page sideways. */}
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
          <span className="text-lg font-semibold text-sky-800">DermFlag</span>
          <Nav items={items} />
          <div className="flex flex-wrap items-center gap-3 text-sm lg:ml-auto">
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
      <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">{children}</main>
    </div>
  );
}
