-- AlterTable: an admin's password reset makes the user choose a new password at the next sign-in.
ALTER TABLE "User" ADD COLUMN     "mustChangePassword" BOOLEAN NOT NULL DEFAULT false;
