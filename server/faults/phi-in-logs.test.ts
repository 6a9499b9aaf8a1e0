/**
 * No protected health information in the logs. A realistic session runs against a real worker process: an admin
 * imports the HAM10000 sample, a dermatologist registers a patient (distinctive name, MRN, birth date), uploads
 * images (one from a file named after the patient, one that is refused, one whose scoring could not be queued),
 * the worker scores everything, the dermatologist records an assessment with a free-text note and decides the flag
 * with a reason and a note. Everything this process and the worker write to stdout, stderr and the console is then
 * searched for the patient's data (phi-detector.ts, whose own test shows it finds such values when they are there).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISIC2019_180_DIR, SHARED_DATA_DIR, HAM10000_SAMPLE_DIR } from "@/ml/data/shared-data";
import type { SessionUser } from "../auth/session";
import { uploadLesionImage, type UploadResult } from "../http/upload-lesion-image";
import { getSenderBoss } from "../jobs/boss";
import { QUEUES } from "../jobs/queues";
import { DEFAULT_IMAGE_LIMITS, ingestImage, LocalImageStore } from "../services/images";
import { createCaller } from "../trpc/root";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { installActiveModel } from "./active-model";
import { captureLogs, type CapturedLogs } from "./capture-logs";
import { findPhi, type PhiValues } from "./phi-detector";
import { waitFor } from "./wait-for";
import { startWorkerProcess, type WorkerProcess } from "./worker-process";

const PATIENT = {
  name: "Zebulon Quixote-Fairweather",
  mrn: "MRN-PHI-987654",
  birthDate: "1937-04-23",
  lesionLabel: "below the Marguerite-Ostrowska tattoo",
  assessmentNote: "Husband Thaddeus reports bleeding; lives on Pemberton-Quayle Crescent",
  reviewReason: "unremarkable on dermoscopy at the Quillfeather clinic",
  reviewNote: "Phoned granddaughter Wilhelmina-Octavia about the appointment",
  fileName: "Zebulon_Quixote-Fairweather_2026-03-01_back.jpg",
};

const root = mkdtempSync(path.join(os.tmpdir(), "dermflag-phi-logs-"));
const imageStoreDir = path.join(root, "images");
const modelStoreDir = path.join(root, "models");
// The in-process half of the app reads its configuration from the environment, like the web server does.
process.env.IMAGE_STORE_DIR = imageStoreDir;
process.env.MODEL_STORE_DIR = modelStoreDir;
process.env.SHARED_DATA_DIR = SHARED_DATA_DIR;

let database: TestDatabase;
let logs: CapturedLogs;
let worker: WorkerProcess | undefined;

const isic = (index: number) => {
  const dir = path.join(ISIC2019_180_DIR, "test", "malignant");
  return readFileSync(path.join(dir, readdirSync(dir).sort()[index]!));
};

async function createUser(role: SessionUser["role"], email: string): Promise<SessionUser> {
  const user = await database.db.user.create({ data: { email, name: `Dr ${role.toLowerCase()}`, role, passwordHash: "x" } });
  return { id: user.id, email: user.email, name: user.name, role };
}

beforeAll(async () => {
  logs = captureLogs();
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  await installActiveModel({ db: database.db, modelStoreDir });
}, 60_000);

afterAll(async () => {
  worker?.killHard();
  logs?.restore();
  await (await getSenderBoss().catch(() => null))?.stop({ graceful: false });
  await database?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe("logs during a realistic session", () => {
  it("hold no patient name, MRN, birth date, clinical note or uploaded file name", async () => {
    const { db } = database;
    worker = startWorkerProcess({ databaseUrl: database.url, dataDir: root, imageStoreDir, modelStoreDir, sharedDataDir: SHARED_DATA_DIR });
    const admin = createCaller({ db, user: await createUser("ADMIN", "admin@clinic.example") });
    const dermatologistUser = await createUser("DERMATOLOGIST", "derm@clinic.example");
    const dermatologist = createCaller({ db, user: dermatologistUser });
    const store = new LocalImageStore(imageStoreDir);
    const sender = await getSenderBoss();

    const run = await admin.imports.start({ kind: "HAM10000", source: path.basename(HAM10000_SAMPLE_DIR) });

    const patient = await dermatologist.patients.create({ mrn: PATIENT.mrn, name: PATIENT.name, birthDate: PATIENT.birthDate, sex: "MALE", fitzpatrickType: 3 });
    // Refused requests carry the data back to the user, never into the log.
    await expect(dermatologist.patients.create({ mrn: PATIENT.mrn, name: PATIENT.name, birthDate: null, sex: "MALE", fitzpatrickType: null })).rejects.toThrow(PATIENT.mrn);
    const lesion = await dermatologist.patients.addLesion({ patientId: patient.id, lesion: { bodySite: "back", label: PATIENT.lesionLabel } });

    // Uploads through the route, as the browser sends them (the route never receives a file name).
    const upload = async (bytes: Uint8Array<ArrayBuffer>, onStored: (imageId: string) => Promise<unknown>) => {
      const response = await uploadLesionImage({
        request: new Request(`http://localhost/api/lesions/${lesion.id}/images`, { method: "POST", body: bytes, headers: { "content-type": "application/octet-stream" } }),
        user: dermatologistUser,
        lesionId: lesion.id,
        db,
        store,
        limits: DEFAULT_IMAGE_LIMITS,
        onStored,
      });
      return (await response.json()) as UploadResult;
    };
    expect(await upload(isic(0), (imageId) => sender.send(QUEUES.scoreImages, { imageIds: [imageId] }))).toMatchObject({ status: "created" });
    // A queue failure whose message echoes patient data (as a driver's error can): the route logs its kind only.
    expect(
      await upload(isic(1), () => Promise.reject(new Error(`could not queue image of ${PATIENT.name} (${PATIENT.mrn})`))),
    ).toMatchObject({ status: "created" });
    // The ingest pipeline with the original file name (used only in messages to the uploader).
    const named = await ingestImage({ db, store, actorId: dermatologistUser.id, lesionId: lesion.id, bytes: isic(2), originalName: PATIENT.fileName });
    if (named.status !== "created") throw new Error("expected a new image");
    await sender.send(QUEUES.scoreImages, { imageIds: [named.image.id] });
    await expect(
      ingestImage({ db, store, actorId: dermatologistUser.id, lesionId: lesion.id, bytes: new TextEncoder().encode(`notes on ${PATIENT.name}`), originalName: PATIENT.fileName }),
    ).rejects.toThrow(PATIENT.fileName);

    // The worker imports the sample and scores everything.
    await waitFor(async () => ((await db.importRun.findUniqueOrThrow({ where: { id: run.id } })).status === "SUCCEEDED" ? true : null), {
      seconds: 240,
      what: "the import to succeed",
    });
    await waitFor(async () => ((await db.lesionImage.count({ where: { predictions: { none: {} } } })) === 0 ? true : null), {
      seconds: 240,
      what: "every image to be scored",
    });
    expect(await db.lesionImage.count({ where: { lesionId: lesion.id } })).toBe(3);

    // An assessment that disagrees with the model raises a flag, which the dermatologist decides.
    const top = await db.prediction.findFirstOrThrow({ where: { image: { lesionId: lesion.id } }, orderBy: { pMalignant: "desc" } });
    const disagreeing = top.aboveThreshold ? ({ impression: "BENIGN", plan: "DISCHARGE" } as const) : ({ impression: "MALIGNANT", plan: "BIOPSY" } as const);
    await dermatologist.lesions.recordAssessment({ lesionId: lesion.id, assessment: { ...disagreeing, suspectedDiagnosis: null, note: PATIENT.assessmentNote } });
    const flag = await db.flag.findFirstOrThrow({ where: { lesionId: lesion.id, status: "OPEN" } });
    expect((await dermatologist.review.queue({ limit: 100 })).items.map((item) => item.id)).toContain(flag.id);
    await dermatologist.review.flag({ flagId: flag.id });
    const decision = { flagId: flag.id, decision: "DEFER_MONITOR", reason: PATIENT.reviewReason, note: PATIENT.reviewNote, followUpDate: "2099-01-31" } as const;
    await dermatologist.review.decide(decision);
    await expect(dermatologist.review.decide(decision)).rejects.toThrow(/already decided/);

    await worker.stop();
    const workerOutput = worker.output();
    const captured = `${logs.text()}\n${workerOutput}`;

    // The capture saw both processes' logs (the structured logger's JSON lines, server/logging/logger.ts), including
    // the lines written on failure paths: the queue failure whose message named the patient is there, as its kind.
    expect(workerOutput).toMatch(/"component":"worker".*"msg":"ready"/);
    expect(workerOutput).toMatch(/"component":"worker".*"msg":"import job .* finished"/);
    expect(workerOutput).toMatch(/"component":"worker".*"msg":"score sweep: \d+ images scored/);
    expect(logs.text()).toMatch(/"component":"upload".*"err":\{"type":"Error".*"msg":"could not queue scoring"/);

    // Every patient in the database (the imported research subjects too) is looked for, by name and MRN.
    const patients = await db.patient.findMany({ select: { name: true, mrn: true } });
    expect(patients.length).toBeGreaterThan(1);
    const phi: PhiValues = {
      names: [PATIENT.name],
      identifiers: [PATIENT.mrn, ...patients.filter((p) => p.mrn !== PATIENT.mrn).flatMap((p) => [p.name, p.mrn])],
      dates: [PATIENT.birthDate],
      freeText: [PATIENT.lesionLabel, PATIENT.assessmentNote, PATIENT.reviewReason, PATIENT.reviewNote],
      fileNames: [PATIENT.fileName],
    };
    expect(findPhi(captured, phi)).toEqual([]);
    // The same search over the same logs with one leaked line finds it.
    expect(findPhi(`${captured}\n[images] could not read ${PATIENT.fileName}`, phi)).toContain(`file name "${PATIENT.fileName}"`);
  }, 300_000);
});
