-- Invariants the code relies on, enforced by the database (Prisma cannot express a partial index, so they live here;
-- server/db/unique-violation.ts names them and the services turn a violation into a clear error).

-- A database that already broke an invariant (two promotions at once could leave two ACTIVE models) is repaired
-- first, newest wins, and the repair is audited.
WITH keep AS (
  SELECT id FROM "ModelVersion" WHERE status = 'ACTIVE'
  ORDER BY "promotedAt" DESC NULLS LAST, "createdAt" DESC, id DESC LIMIT 1
), retired AS (
  UPDATE "ModelVersion" SET status = 'RETIRED'
  WHERE status = 'ACTIVE' AND id NOT IN (SELECT id FROM keep)
  RETURNING id, version
)
INSERT INTO "AuditLog" ("actorId", "action", "entityType", "entityId", "before", "after")
SELECT NULL, 'RETIRE', 'ModelVersion', id, jsonb_build_object('status', 'ACTIVE'),
       jsonb_build_object('status', 'RETIRED', 'reason', 'migration: more than one model version was active; the most recently promoted one stays active')
FROM retired;

UPDATE "Flag" f SET status = 'SUPERSEDED', "closedAt" = CURRENT_TIMESTAMP
WHERE f.status = 'OPEN' AND EXISTS (
  SELECT 1 FROM "Flag" g
  WHERE g."lesionId" = f."lesionId" AND g.status = 'OPEN' AND (g."createdAt", g.id) > (f."createdAt", f.id)
);

-- At most one OPEN flag per lesion: the queue shows one line per lesion and a decision answers one flag
-- (recompute-flags.ts locks the lesion; this is the guarantee behind the lock).
CREATE UNIQUE INDEX "Flag_one_open_per_lesion" ON "Flag"("lesionId") WHERE status = 'OPEN';

-- At most one ACTIVE model version: every score, flag and operating point reads "the" active model. Two promotions
-- with no active model lock different rows (registry.ts); this index makes the second one fail.
CREATE UNIQUE INDEX "ModelVersion_one_active" ON "ModelVersion" ((true)) WHERE status = 'ACTIVE';
