/**
 * Accounts at start-up. First the demo boundary (server/auth/demo-accounts.ts): outside demo mode the demo seed's
 * accounts are disabled; demo mode refuses a database no demo seed created. Then the production bootstrap: the first
 * admin comes from FIRST_ADMIN_EMAIL / FIRST_ADMIN_PASSWORD (or from `npm run create-admin`), and only while no
 * active admin exists other than a demo one.
 */
import { enforceDemoBoundary } from "../auth/demo-accounts";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { createUser, createUserInput } from "../services/users/users";

export async function ensureFirstAdmin(db: Db, env: Env, log: (line: string) => void): Promise<void> {
  await enforceDemoBoundary(db, env.DERMFLAG_DEMO, log);
  if (!env.FIRST_ADMIN_EMAIL || !env.FIRST_ADMIN_PASSWORD) return;
  if ((await db.user.count({ where: { role: "ADMIN", active: true, createdByDemoSeed: false } })) > 0) return;
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
