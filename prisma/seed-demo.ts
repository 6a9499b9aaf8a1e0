/**
 * Demo data: one user per role with published passwords, and (when ../shared/data/ham10000-sample exists) its 70
 * real HAM10000 images as demo patients and lesions. Only ever run in demo mode (DERMFLAG_DEMO=1): production
 * databases get their first admin from FIRST_ADMIN_EMAIL or `npm run create-admin`.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Db } from "../server/db/client";
import { LocalImageStore } from "../server/services/images/local-image-store";
import { importHam10000 } from "../server/services/imports/import-ham10000";
import { createUser, createUserInput } from "../server/services/users/users";

export const DEMO_USERS = [
  { email: "admin@dermflag.demo", name: "Ada Admin", role: "ADMIN", password: "demo-admin-password" },
  { email: "dermatologist@dermflag.demo", name: "Dr Derma Reviewer", role: "DERMATOLOGIST", password: "demo-derm-password" },
] as const;

export interface SeedDemoOptions {
  db: Db;
  sharedDataDir: string;
  imageStoreDir: string;
  log: (line: string) => void;
}

export async function seedDemo(options: SeedDemoOptions): Promise<void> {
  const { db, log } = options;
  for (const demoUser of DEMO_USERS) {
    if (await db.user.findUnique({ where: { email: demoUser.email }, select: { id: true } })) continue;
    await createUser({ db, actorId: null, input: createUserInput.parse(demoUser) });
    log(`Demo user ${demoUser.email} / ${demoUser.password} (${demoUser.role}).`);
  }

  const hamDir = path.resolve(options.sharedDataDir, "ham10000-sample");
  if (!existsSync(hamDir)) {
    log(`No demo images: ${hamDir} does not exist, so DermFlag starts with no patients.`);
    return;
  }
  const summary = await importHam10000({ db, store: new LocalImageStore(options.imageStoreDir), actorId: null, folder: hamDir });
  await addReconstructedAssessments(db, log);
  log(
    `Demo images from ${hamDir}: ${summary.imported} imported, ${summary.skippedDuplicate} already there, ` +
      `${summary.rejected.length} rejected; ${summary.patientsCreated} patients, ${summary.outcomesCreated} confirmed outcomes.`,
  );
}

/**
 * HAM10000 records no clinical assessment, but its dx_type says what the clinicians did: `histo` lesions were
 * biopsied (so a biopsy was planned on a lesion that looked suspicious), the others were followed up or confirmed
 * without excision. The demo reconstructs one assessment per lesion from that, marked as reconstructed, so the
 * review workflow has something to compare the model with.
 */
async function addReconstructedAssessments(db: Db, log: (line: string) => void): Promise<void> {
  const clinician = await db.user.findUniqueOrThrow({ where: { email: "dermatologist@dermflag.demo" }, select: { id: true } });
  const lesions = await db.lesion.findMany({
    where: { assessments: { none: {} }, biopsyOutcomes: { some: {} } },
    select: { id: true, biopsyOutcomes: { select: { confirmation: true }, take: 1 } },
  });
  await db.clinicalAssessment.createMany({
    data: lesions.map((lesion) => {
      const biopsied = lesion.biopsyOutcomes[0]?.confirmation === "histo";
      return {
        lesionId: lesion.id,
        clinicianId: clinician.id,
        impression: biopsied ? ("UNCERTAIN" as const) : ("BENIGN" as const),
        plan: biopsied ? ("BIOPSY" as const) : ("MONITOR" as const),
        note: `Demo: reconstructed from the data set (${biopsied ? "biopsied" : "not biopsied"}).`,
      };
    }),
  });
  log(`Reconstructed ${lesions.length} demo clinical assessments from the data set's confirmation type.`);
}
