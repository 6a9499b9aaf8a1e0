-- OpenID Connect sign-in: a user provisioned at first sign-in has no role until an admin grants one (or the
-- configured role claim maps to one), and is found again by the provider's issuer + subject, never by email.
ALTER TABLE "User" ALTER COLUMN "role" DROP NOT NULL,
ADD COLUMN     "oidcIssuer" TEXT,
ADD COLUMN     "oidcSubject" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "User_oidcIssuer_oidcSubject_key" ON "User"("oidcIssuer", "oidcSubject");
