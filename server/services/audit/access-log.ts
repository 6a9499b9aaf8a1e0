/**
 * The access log (HIPAA-style): who opened which patient's record or images, kept in the audit table as action VIEW
 * on the patient (entity type Patient, entity id the patient's id), so "who looked at this patient" and "what did
 * this user open" are the audit search's entity and actor filters on the indexes it already has, and the rows are
 * append-only like every audit row.
 *
 * Granularity: one row per page that shows a patient's data (patient, lesion and review pages) and one per full
 * image opened through /api/images (the original or the model's view). Thumbnails are not logged: they are only
 * shown inside those pages, which have logged the view already, and one row per thumbnail would multiply the rows
 * by the images on a page without saying anything new about who saw the patient.
 */
import { recordAudit } from "./record-audit";

export const ACCESS_ACTION = "VIEW";

export const ACCESS_SOURCES = ["patient page", "lesion page", "review page", "image"] as const;
export type AccessSource = (typeof ACCESS_SOURCES)[number];

export interface PatientAccess {
  actorId: string;
  patientId: string;
  /** Where the record was read. */
  via: AccessSource;
  /** The lesion, flag or image opened, when it was not the patient page. */
  recordId?: string;
}

type Writer = Parameters<typeof recordAudit>[0];

export async function recordPatientAccess(db: Writer, access: PatientAccess): Promise<void> {
  await recordAudit(db, {
    actorId: access.actorId,
    action: ACCESS_ACTION,
    entityType: "Patient",
    entityId: access.patientId,
    after: access.recordId ? { opened: access.via, record: access.recordId } : { opened: access.via },
  });
}
