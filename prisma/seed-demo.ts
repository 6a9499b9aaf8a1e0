/**
 * Demo data, only ever in demo mode (DERMFLAG_DEMO=1; production databases get their first admin from
 * FIRST_ADMIN_EMAIL or `npm run create-admin`):
 * - one user per role with published passwords;
 * - the committed demo model (ml/pretrained/), installed and promoted, so images are scored from the start;
 * - when ../shared/data exists: the 70 real HAM10000 sample images as historical patients with their confirmed
 *   outcomes, and 12 real ISIC 2019 test images as pending cases (assessed, no outcome yet) for the review queue.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { listModelVersions } from "../ml/store";
import type { Db } from "../server/db/client";
import { ingestImage } from "../server/services/images/ingest-image";
import { LocalImageStore } from "../server/services/images/local-image-store";
import { importHam10000 } from "../server/services/imports/import-ham10000";
import { installModel } from "../server/services/models/install-model";
import { promoteModelVersion } from "../server/services/models/registry";
import { createUser, createUserInput } from "../server/services/users/users";

/** Trained models committed with the code (produced by `npm run ml:train`; see each one's model card). */
export const PRETRAINED_MODELS_DIR = fileURLToPath(new URL("../ml/pretrained", import.meta.url));

export const DEMO_USERS = [
  { email: "admin@dermflag.demo", name: "Ada Admin", role: "ADMIN", password: "demo-admin-password" },
  { email: "dermatologist@dermflag.demo", name: "Dr Derma Reviewer", role: "DERMATOLOGIST", password: "demo-derm-password" },
] as const;

export interface SeedDemoOptions {
  db: Db;
  sharedDataDir: string;
  imageStoreDir: string;
  modelStoreDir: string;
  log: (line: string) => void;
}

export async function seedDemo(options: SeedDemoOptions): Promise<void> {
  const { db, log } = options;
  for (const demoUser of DEMO_USERS) {
    if (await db.user.findUnique({ where: { email: demoUser.email }, select: { id: true } })) continue;
    await createUser({ db, actorId: null, input: createUserInput.parse(demoUser) });
    log(`Demo user ${demoUser.email} / ${demoUser.password} (${demoUser.role}).`);
  }

  await installDemoModel(options);

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
  await addPendingCases(options);
}

async function installDemoModel(options: SeedDemoOptions): Promise<void> {
  const newest = listModelVersions(PRETRAINED_MODELS_DIR).at(-1);
  if (!newest) {
    options.log("No committed demo model in ml/pretrained: images wait until an admin promotes one.");
    return;
  }
  const registered = await installModel({ db: options.db, sourceDir: newest.dir, storeDir: options.modelStoreDir });
  if (registered.status !== "ACTIVE") {
    await promoteModelVersion({
      db: options.db,
      actorId: null,
      modelVersionId: registered.id,
      overrideReason: "demo seed: the committed demo model",
    });
  }
  options.log(`Demo model ${registered.version} installed and active.`);
}

/**
 * Pending cases: real ISIC 2019 test images (6 from each of the benign and malignant folders) as lesions awaiting a
 * decision, with clinical assessments typical of a clinic (most with a planned biopsy, one patient of Fitzpatrick
 * type V). The folder label is not recorded: these lesions have no outcome yet, which is what the queue is for.
 */
const PENDING_ASSESSMENTS = [
  { impression: "MALIGNANT", plan: "BIOPSY", fitzpatrickType: 2 },
  { impression: "UNCERTAIN", plan: "BIOPSY", fitzpatrickType: 3 },
  { impression: "MALIGNANT", plan: "BIOPSY", fitzpatrickType: 1 },
  { impression: "UNCERTAIN", plan: "BIOPSY", fitzpatrickType: 2 },
  { impression: "BENIGN", plan: "DISCHARGE", fitzpatrickType: 2 },
  { impression: "MALIGNANT", plan: "BIOPSY", fitzpatrickType: 5 },
] as const;

async function addPendingCases(options: SeedDemoOptions): Promise<void> {
  const { db, log } = options;
  const isicTest = path.resolve(options.sharedDataDir, "isic2019-180", "test");
  if (!existsSync(isicTest)) return;
  const clinician = await db.user.findUniqueOrThrow({ where: { email: "dermatologist@dermflag.demo" }, select: { id: true } });
  const store = new LocalImageStore(options.imageStoreDir);
  const files = ["benign", "malignant"].flatMap((folder) =>
    readdirSync(path.join(isicTest, folder)).sort().slice(0, 6).map((name) => path.join(isicTest, folder, name)),
  );
  let created = 0;
  for (const [index, file] of files.entries()) {
    const mrn = `DEMO-P-${String(index + 1).padStart(3, "0")}`;
    if (await db.patient.findUnique({ where: { mrn }, select: { id: true } })) continue;
    const assessment = PENDING_ASSESSMENTS[index % PENDING_ASSESSMENTS.length]!;
    const patient = await db.patient.create({
      data: { mrn, name: `Pending Case ${index + 1}`, sex: index % 2 ? "FEMALE" : "MALE", fitzpatrickType: assessment.fitzpatrickType },
    });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: `Pending lesion ${index + 1}` } });
    await ingestImage({ db, store, actorId: clinician.id, lesionId: lesion.id, bytes: readFileSync(file) });
    await db.clinicalAssessment.create({
      data: {
        lesionId: lesion.id,
        clinicianId: clinician.id,
        impression: assessment.impression,
        plan: assessment.plan,
        note: "Demo: pending case awaiting the biopsy decision.",
      },
    });
    created++;
  }
  log(`Demo pending cases: ${created} assessed lesions awaiting a decision (scored by the worker, flagged in the queue).`);
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
