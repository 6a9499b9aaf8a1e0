/**
 * Sign-in attempts per client address, on top of the per-account lockout (authenticate.ts): the lockout stops
 * guessing one account's password, this stops one address trying many accounts (and spending the server's CPU on
 * Argon2 for each). The address comes from client-address.ts (the connection's own, or a trusted proxy's
 * X-Forwarded-For).
 *
 * Counted in PostgreSQL, so every web process shares one allowance, and counted BEFORE the password is checked, in
 * one atomic upsert: parallel attempts cannot all pass a check made before any of them was counted. A successful
 * sign-in gives its attempt back, so a clinic behind one address is not locked out by its own staff. Fixed windows:
 * at most FAILED_SIGN_INS_PER_WINDOW attempts per window and key (twice that across a window boundary).
 */
import type { Db } from "../db/client";

export const FAILED_SIGN_INS_PER_WINDOW = 30;
export const SIGN_IN_WINDOW_MS = 10 * 60_000;

export interface SignInLimiter {
  /** Counts an attempt for `key`; false when the key has used its allowance (do not check the password then). */
  consume(key: string, now?: Date): Promise<boolean>;
  /** Gives back the attempt of a sign-in that succeeded. */
  refund(key: string): Promise<void>;
}

export function postgresSignInLimiter(
  db: Db,
  options: { limit?: number; windowMs?: number } = {},
): SignInLimiter {
  const limit = options.limit ?? FAILED_SIGN_INS_PER_WINDOW;
  const windowMs = options.windowMs ?? SIGN_IN_WINDOW_MS;
  let lastSweep = 0;
  return {
    async consume(key, now = new Date()) {
      const windowOpenedAfter = new Date(now.getTime() - windowMs);
      const [row] = await db.$queryRaw<{ attempts: number }[]>`
        INSERT INTO "SignInThrottle" ("key", "windowStart", "attempts") VALUES (${key}, ${now}::timestamp(3), 1)
        ON CONFLICT ("key") DO UPDATE SET
          "attempts" = CASE WHEN "SignInThrottle"."windowStart" <= ${windowOpenedAfter}::timestamp(3) THEN 1
                            ELSE "SignInThrottle"."attempts" + 1 END,
          "windowStart" = CASE WHEN "SignInThrottle"."windowStart" <= ${windowOpenedAfter}::timestamp(3) THEN ${now}::timestamp(3)
                               ELSE "SignInThrottle"."windowStart" END
        RETURNING "attempts"`;
      // Expired windows are forgotten now and then, so a flood of addresses does not grow the table for good.
      if (now.getTime() - lastSweep > windowMs) {
        lastSweep = now.getTime();
        await db.signInThrottle.deleteMany({ where: { windowStart: { lte: windowOpenedAfter } } });
      }
      return (row?.attempts ?? Infinity) <= limit;
    },
    async refund(key) {
      await db.$executeRaw`
        UPDATE "SignInThrottle" SET "attempts" = GREATEST("attempts" - 1, 0) WHERE "key" = ${key}`;
    },
  };
}
