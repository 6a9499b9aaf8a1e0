/**
 * One lesion and its new images in one transaction: research patient, lesion and confirmed outcome (created only
 * the first time the lesion is seen, together, so a lesion never exists without its outcome), then each picture not
 * already stored. Blobs are written inside the transaction after the content-hash locks (see persist-image.ts); if
 * the transaction fails, the blobs it created are removed.
 *
 * Whether the lesion and patient exist is looked up by the runner for all lesions at once, before any transaction
 * (one query per 5,000 instead of two per lesion). If another process creates the same lesion in between, this
 * transaction fails on the unique external id and the lesion is reported; a re-run then adds its images.
 */
import type { Db } from "@/server/db/client";
import { recordAudit } from "@/server/services/audit/record-audit";
import type { ImageStore } from "@/server/services/images/image-store";
import {
  AuditBatch,
  IMAGE_TRANSACTION_OPTIONS,
  createLesionImageRow,
  lockContentHashes,
  removeBlobs,
  writeImageBlobs,
  type Tx,
} from "@/server/services/images/persist-image";
import type { PreparedImage } from "@/server/services/images/prepare-image";
import type { PlannedImage, PlannedLesion } from "./import-plan";

export interface PreparedPlannedImage {
  planned: PlannedImage;
  prepared: PreparedImage;
}

export interface SavedLesionGroup {
  imported: number;
  /** Pictures already stored (same content hash), or repeated within the group. */
  duplicates: number;
  patientCreated: boolean;
  lesionCreated: boolean;
  outcomeCreated: boolean;
}

export interface KnownRows {
  /** Lesion.id when the lesion already exists. */
  lesionId: string | null;
  /** Patient.id when the research patient already exists. */
  patientId: string | null;
}

async function createLesion(tx: Tx, audit: AuditBatch, lesion: PlannedLesion, known: KnownRows, actorId: string | null) {
  let patientId = known.patientId;
  if (!patientId) {
    const patient = await tx.patient.create({
      data: { ...lesion.patient, fitzpatrickType: null },
      select: { id: true, mrn: true, name: true, sex: true, birthDate: true },
    });
    await recordAudit(audit.writer, { actorId, action: "IMPORT", entityType: "Patient", entityId: patient.id, after: patient });
    patientId = patient.id;
  }
  const created = await tx.lesion.create({
    data: { patientId, bodySite: lesion.bodySite, label: lesion.label, externalId: lesion.externalId },
    select: { id: true, patientId: true, bodySite: true, label: true, externalId: true },
  });
  await recordAudit(audit.writer, { actorId, action: "IMPORT", entityType: "Lesion", entityId: created.id, after: created });
  if (lesion.outcome) {
    const outcome = await tx.biopsyOutcome.create({
      data: { lesionId: created.id, recordedById: actorId, ...lesion.outcome },
      select: { id: true, lesionId: true, histopathologyDiagnosis: true, malignant: true, reportDate: true, confirmation: true },
    });
    await recordAudit(audit.writer, { actorId, action: "IMPORT", entityType: "BiopsyOutcome", entityId: outcome.id, after: outcome });
  }
  return { lesionId: created.id, patientCreated: !known.patientId, outcomeCreated: lesion.outcome !== null };
}

export async function saveLesionGroup(options: {
  db: Db;
  store: ImageStore;
  actorId: string | null;
  lesion: PlannedLesion;
  known: KnownRows;
  images: readonly PreparedPlannedImage[];
}): Promise<SavedLesionGroup> {
  const { db, store, actorId, lesion, known } = options;
  const hashes = options.images.map((image) => image.prepared.contentHash);
  return db.$transaction(async (tx) => {
    await lockContentHashes(tx, hashes);
    const stored = await tx.lesionImage.findMany({ where: { contentHash: { in: hashes } }, select: { contentHash: true } });
    const seen = new Set(stored.map((row) => row.contentHash));
    const fresh = options.images.filter((image) => {
      if (seen.has(image.prepared.contentHash)) return false;
      seen.add(image.prepared.contentHash);
      return true;
    });
    const result: SavedLesionGroup = {
      imported: 0,
      duplicates: options.images.length - fresh.length,
      patientCreated: false,
      lesionCreated: false,
      outcomeCreated: false,
    };
    // A lesion whose every picture is already stored elsewhere would be an empty copy: create nothing.
    if (fresh.length === 0) return result;

    const audit = new AuditBatch();
    let lesionId = known.lesionId;
    if (!lesionId) {
      const created = await createLesion(tx, audit, lesion, known, actorId);
      lesionId = created.lesionId;
      Object.assign(result, { lesionCreated: true, patientCreated: created.patientCreated, outcomeCreated: created.outcomeCreated });
    }
    const createdBlobs: string[] = [];
    try {
      for (const { planned, prepared } of fresh) {
        await writeImageBlobs(store, prepared, createdBlobs);
        const row = {
          image: prepared,
          lesionId,
          capturedAt: prepared.capturedAt,
          uploadedById: null,
          externalId: planned.externalId,
          actorId,
          auditAction: "IMPORT" as const,
        };
        await createLesionImageRow(tx, row, audit.writer);
        result.imported += 1;
      }
      await audit.flush(tx);
    } catch (error) {
      await removeBlobs(store, createdBlobs);
      throw error;
    }
    return result;
  }, IMAGE_TRANSACTION_OPTIONS);
}
