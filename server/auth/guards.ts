/**
 * Page guards: call at the top of a server component that reads data. Signed out -> login page; signed in without
 * the permission -> Next's 403 "not allowed" page (app/forbidden.tsx).
 */
import { forbidden, redirect } from "next/navigation";
import { can, type Permission } from "./roles";
import { currentUser, type SessionUser } from "./session";

export const CHANGE_PASSWORD_PATH = "/account/password";

export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  // An admin reset the password: nothing else opens until the user has chosen their own.
  if (user.mustChangePassword) redirect(CHANGE_PASSWORD_PATH);
  return user;
}

export async function requirePermission(permission: Permission): Promise<SessionUser> {
  const user = await requireUser();
  if (!can(user.role, permission)) forbidden();
  return user;
}
