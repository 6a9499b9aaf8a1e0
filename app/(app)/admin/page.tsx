import type { Metadata } from "next";
import { requirePermission } from "@/server/auth/guards";
import { ROLE_LABELS } from "@/server/auth/roles";
import { serverApi } from "@/server/trpc/server";
import { PageHeader } from "../../_components/empty-state";
import { CreateUserForm } from "./create-user-form";
import { ImportsPanel } from "./imports-panel";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  await requirePermission("users:manage");
  const users = await (await serverApi()).users.list();
  return (
    <>
      <PageHeader title="Admin">Users and roles. Imports, retraining and the audit log are managed here too.</PageHeader>
      <section className="grid gap-8 lg:grid-cols-[2fr_1fr]">
        <div className="overflow-hidden rounded-xl border border-slate-200 bg-white">
          <table className="w-full text-left text-sm" data-testid="user-table">
            <thead className="bg-slate-100 text-slate-600">
              <tr>
                <th className="px-4 py-2">Name</th>
                <th className="px-4 py-2">Email</th>
                <th className="px-4 py-2">Role</th>
                <th className="px-4 py-2">Status</th>
                <th className="px-4 py-2">Last sign-in</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} className="border-t border-slate-100">
                  <td className="px-4 py-2">{user.name}</td>
                  <td className="px-4 py-2">{user.email}</td>
                  <td className="px-4 py-2">{ROLE_LABELS[user.role]}</td>
                  <td className="px-4 py-2">{user.active ? "Active" : "Deactivated"}</td>
                  <td className="px-4 py-2">{user.lastLoginAt ? user.lastLoginAt.toISOString().slice(0, 16).replace("T", " ") : "never"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <CreateUserForm />
      </section>
      <ImportsPanel />
    </>
  );
}
