/**
 * Second reads go to a different reviewer: the reviewer who asked for one, and the clinician who recorded the
 * assessment it is about, cannot decide it. Refused here (whatever the page shows), and such flags are left out of
 * those users' queue, counts and j/k neighbours.
 */
import { Prisma } from "../../db/generated/client";
import { DomainError } from "../domain-error";

type Tx = Prisma.TransactionClient;

/** Refuses `actorId`'s decision on the flag when it is a second read they asked for or whose assessment they recorded. */
export async function refuseOwnSecondRead(tx: Tx, flagId: string, actorId: string): Promise<void> {
  const flag = await tx.flag.findUnique({
    where: { id: flagId },
    select: { secondReadRequestedById: true, assessment: { select: { clinicianId: true } } },
  });
  if (!flag || flag.secondReadRequestedById === null) return;
  if (flag.secondReadRequestedById === actorId) {
    throw new DomainError("FORBIDDEN", "You asked for this second read: another reviewer must decide it.");
  }
  if (flag.assessment?.clinicianId === actorId) {
    throw new DomainError("FORBIDDEN", "You recorded the clinical assessment of this lesion: another reviewer must give the second read.");
  }
}

/**
 * SQL condition on a flag `f`: not a second read that `viewerId` may not decide (see refuseOwnSecondRead). Written so
 * that the common case, a flag that is no second read, is settled by its own column, and a second read by one
 * primary-key lookup of its assessment (as NOT EXISTS, PostgreSQL hashed every assessment of the viewer's instead).
 */
export function decidableBySql(viewerId: string | null): Prisma.Sql {
  if (viewerId === null) return Prisma.sql`true`;
  return Prisma.sql`(f."secondReadRequestedById" IS NULL OR (f."secondReadRequestedById" <> ${viewerId}
    AND (SELECT sa."clinicianId" FROM "ClinicalAssessment" sa WHERE sa.id = f."assessmentId") IS DISTINCT FROM ${viewerId}))`;
}
