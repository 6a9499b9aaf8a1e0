import type { Metadata } from "next";
import { requirePermission } from "@/server/auth/guards";
import { ROLE_LABELS } from "@/server/auth/roles";
import { serverApi } from "@/server/trpc/server";
import { PageHeader } from "../../_components/empty-state";
import { formatDateTime } from "../_clinical/format";
import { CreateUserForm } from "./create-user-form";
import { UserActions } from "./user-actions";
import { ImportsPanel } from "./imports-panel";

export const metadata: Metadata = { title: "Admin" };

function status(user: { active: boolean; locked: boolean; lockedUntil: Date | null; mustChangePassword: boolean }) {
  if (!user.active) return "Deactivated";
  const notes = [user.locked && user.lockedUntil ? `Locked until ${formatDateTime(user.lockedUntil)}` : "Active"];
  if (user.mustChangePassword) notes.push("must change password");
  return notes.join(", ");
}

export default async function AdminPage() {
  const me = await requirePermission("users:manage");
  const users = await (await serverApi()).users.list();
  return (
    <>
      <PageHeader title="Admin">Users and roles. Imports, retraining and the audit log are managed here too.</PageHeader>
      <section className="grid gap-8 lg:grid-cols-[2fr_1fr]">
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
          <table className="w-full text-left text-sm" data-testid="user-table">
            <thead className="bg-slate-100 text-slate-600">
              <tr>
                <th className="px-4 py-2">Name</th>
                <th className="px-4 py-2">Email</th>
                <th className="px-4 py-2">Role</th>
                <th className="px-4 py-2">Status</th>
                <th className="px-4 py-2">Last sign-in</th>
                <th className="px-4 py-2">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} className="border-t border-slate-100 align-top" data-testid="user-row">
                  <td className="px-4 py-2">{user.name}</td>
                  <td className="px-4 py-2">{user.email}</td>
                  <td className="px-4 py-2">{user.role ? ROLE_LABELS[user.role] : "No role yet"}</td>
                  <td className="px-4 py-2" data-testid="user-status">{status(user)}</td>
                  <td className="px-4 py-2">{user.lastLoginAt ? formatDateTime(user.lastLoginAt) : "never"}</td>
                  <td className="px-4 py-2">
                    <UserActions user={{ id: user.id, name: user.name, role: user.role, active: user.active, locked: user.locked, isSelf: user.id === me.id }} />
                  </td>
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
