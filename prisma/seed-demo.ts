/**
 * Demo data, only ever in demo mode (DERMFLAG_DEMO=1; production databases get their first admin from
 * FIRST_ADMIN_EMAIL or `npm run create-admin`), and only into an empty database or one a demo seed created
 * (server/auth/demo-accounts.ts):
 * - one user per role with published passwords, marked as the demo seed's (disabled by any start outside demo mode);
 * - the committed demo model (ml/pretrained/), installed and promoted, so images are scored from the start;
 * - when ../shared/data exists: the 70 real HAM10000 sample images as historical patients with their confirmed
 *   outcomes, and 12 real ISIC 2019 test images as pending cases (no outcome yet) awaiting a clinician's assessment.
 *
 * No clinician call is invented: the data sets record none (HAM10000's dx_type says how a diagnosis was confirmed,
 * not what a clinician thought before), so no demo lesion carries a clinical assessment. The dashboard's
 * model-vs-clinician comparison says "not recorded", and a pending case enters the review queue only once a
 * clinician records an assessment on it (the flag policy compares the model with the clinician's call).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { listModelVersions } from "../ml/store";
import { claimDemoDatabase } from "../server/auth/demo-accounts";
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
  // Never into a database the demo seed did not create; marks an empty one as a demo database.
  await claimDemoDatabase(db, log);
  for (const demoUser of DEMO_USERS) {
    if (await db.user.findUnique({ where: { email: demoUser.email }, select: { id: true } })) continue;
    await createUser({ db, actorId: null, input: createUserInput.parse(demoUser), createdByDemoSeed: true });
    log(`Demo user ${demoUser.email} / ${demoUser.password} (${demoUser.role}).`);
  }

  await installDemoModel(options);

  const hamDir = path.resolve(options.sharedDataDir, "ham10000-sample");
  if (!existsSync(hamDir)) {
    log(`No demo images: ${hamDir} does not exist, so DermFlag starts with no patients.`);
    return;
  }
  const summary = await importHam10000({ db, store: new LocalImageStore(options.imageStoreDir), actorId: null, folder: hamDir });
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
  const registered = await installModel({
    db: options.db,
    sourceDir: newest.dir,
    storeDir: options.modelStoreDir,
    dataRoots: [options.sharedDataDir],
  });
  options.log(
    registered.trainingLesions
      ? `Demo model ${registered.version}: ${registered.trainingLesions.lesions} training and validation lesions recorded (${registered.trainingLesions.source}); the dashboard leaves them out.`
      : `Demo model ${registered.version}: its training lesions could not be established (no matching data set under ${options.sharedDataDir}); the dashboard says so.`,
  );
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
 * clinician's assessment and a decision. The source records only the image and its folder label, so the demo records
 * nothing else: no assessment, no Fitzpatrick type, no sex, and not the label (these lesions have no outcome yet).
 * The worker scores them; each enters the review queue when a clinician records an assessment that the model
 * disagrees with (or the model must not be trusted alone).
 */
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
    const patient = await db.patient.create({ data: { mrn, name: `Pending Case ${index + 1}`, sex: "UNKNOWN", fitzpatrickType: null } });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "unspecified", label: `Pending lesion ${index + 1}` } });
    await ingestImage({ db, store, actorId: clinician.id, lesionId: lesion.id, bytes: readFileSync(file) });
    created++;
  }
  log(
    `Demo pending cases: ${created} lesions awaiting a clinical assessment (scored by the worker; none is in the review ` +
      `queue until a clinician records an assessment: the data set records no clinician call, and the demo invents none).`,
  );
}
