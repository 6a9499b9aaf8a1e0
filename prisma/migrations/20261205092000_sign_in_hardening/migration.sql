-- AlterTable
ALTER TABLE "User" ADD COLUMN     "createdByDemoSeed" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "SignInThrottle" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL,

    CONSTRAINT "SignInThrottle_pkey" PRIMARY KEY ("key")
);

-- Databases seeded before this migration: the demo seed's accounts (published passwords) are marked, and a database
-- that holds them is marked as created by the demo seed, so the next start outside demo mode disables them.
UPDATE "User" SET "createdByDemoSeed" = true
WHERE "email" IN ('admin@dermflag.demo', 'dermatologist@dermflag.demo');

INSERT INTO "Setting" ("key", "value", "updatedAt")
SELECT 'demo.database', '{"createdBy":"demo seed (marked by migration)"}'::jsonb, CURRENT_TIMESTAMP
WHERE EXISTS (SELECT 1 FROM "User" WHERE "createdByDemoSeed")
ON CONFLICT ("key") DO NOTHING;
