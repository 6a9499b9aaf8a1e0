/**
 * Page guards: call at the top of a server component that reads data. Signed out -> login page; signed in without
 * the permission -> Next's 403 "not allowed" page (app/forbidden.tsx).
 */
import { forbidden, redirect } from "next/navigation";
import { can, type Permission } from "./roles";
import { currentAccount, currentUser, type SessionUser } from "./session";

export const WAITING_FOR_ACCESS_PATH = "/waiting-for-access";

export const CHANGE_PASSWORD_PATH = "/account/password";

export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  // Signed in without a role (OpenID Connect, not yet granted one): the waiting page, not the login page.
  if (!user) redirect((await currentAccount()) ? WAITING_FOR_ACCESS_PATH : "/login");
  // An admin reset the password: nothing else opens until the user has chosen their own.
  if (user.mustChangePassword) redirect(CHANGE_PASSWORD_PATH);
  return user;
}

export async function requirePermission(permission: Permission): Promise<SessionUser> {
  const user = await requireUser();
  if (!can(user.role, permission)) forbidden();
  return user;
}
