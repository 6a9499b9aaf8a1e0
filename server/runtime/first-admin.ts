/**
 * Production bootstrap: the first admin comes from FIRST_ADMIN_EMAIL / FIRST_ADMIN_PASSWORD (or from
 * `npm run create-admin`), and only while no admin exists.
 */
import type { Db } from "../db/client";
import type { Env } from "../env";
import { createUser, createUserInput } from "../services/users/users";

export async function ensureFirstAdmin(db: Db, env: Env, log: (line: string) => void): Promise<void> {
  if (!env.FIRST_ADMIN_EMAIL || !env.FIRST_ADMIN_PASSWORD) return;
  if ((await db.user.count({ where: { role: "ADMIN" } })) > 0) return;
  await createUser({
    db,
    actorId: null,
    // Parsed like any other new account, so the password policy holds for the bootstrap admin too.
    input: createUserInput.parse({
      email: env.FIRST_ADMIN_EMAIL,
      name: "Administrator",
      role: "ADMIN",
      password: env.FIRST_ADMIN_PASSWORD,
    }),
  });
  log(`Created the first admin account (${env.FIRST_ADMIN_EMAIL}).`);
}
