/**
 * The database half of storing an image, shared by uploads (ingest-image.ts) and the data-set importers: blobs are
 * written first, then the LesionImage row and its audit entry, all inside the caller's transaction and after an
 * advisory lock on the content hash.
 *
 * Why the lock: blobs are content-addressed, so two writers of the same picture share a key. The lock makes them take
 * turns; the second one then sees the first one's row (a duplicate) or, if the first failed, writes again. So a
 * writer whose database work fails may delete the blobs it created without pulling them from under a concurrent
 * writer's row. What remains possible is an unreferenced blob when the process dies (or the COMMIT fails) after the
 * blob write: harmless, because blobs are only ever reached through a LesionImage row, and re-used by the next
 * upload of the same picture.
 */
import { createHash } from "node:crypto";
import type { Prisma } from "@/server/db/generated/client";
import { recordAudit, type AuditAction } from "../audit/record-audit";
import type { ImageStore } from "./image-store";
import type { PreparedImage } from "./prepare-image";
import { imageBlobKeys } from "./storage-keys";

export type Tx = Prisma.TransactionClient;

/** Interactive transactions here write files: allow for a slow disk and a busy pool. */
export const IMAGE_TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 60_000 } as const;

/** A signed 64-bit advisory-lock key from the hash (its first 8 bytes, hashed again to decouple from the storage key). */
function lockKey(contentHash: string): string {
  return createHash("sha256").update(`lesion-image:${contentHash}`).digest().readBigInt64BE(0).toString();
}

/**
 * Locks until the transaction ends. One statement for all hashes, taken in sorted key order, so two transactions
 * locking overlapping sets cannot deadlock.
 */
export async function lockContentHashes(tx: Tx, contentHashes: readonly string[]): Promise<void> {
  const keys = [...new Set(contentHashes.map(lockKey))].sort();
  if (keys.length === 0) return;
  await tx.$executeRaw`SELECT count(pg_advisory_xact_lock(key)) FROM (SELECT unnest(${keys}::bigint[]) AS key ORDER BY 1) AS locks`;
}

/** Writes the original and its derivatives, recording in `created` each key this call created (even if it then fails part-way), so that a failure can remove exactly those. */
export async function writeImageBlobs(store: ImageStore, image: PreparedImage, created: string[]): Promise<void> {
  const keys = imageBlobKeys(image.contentHash);
  for (const [key, bytes] of [
    [keys.original, image.original],
    [keys.thumbnail, image.thumbnail],
    [keys.modelView, image.modelView],
  ] as const) {
    if ((await store.put(key, bytes)).created) created.push(key);
  }
}

/** Best effort: a blob that cannot be removed is an unreferenced blob, which is harmless (see above). */
export async function removeBlobs(store: ImageStore, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((key) => store.delete(key).catch(() => undefined)));
}

export const lesionImageSelect = {
  id: true,
  lesionId: true,
  contentHash: true,
  storageKey: true,
  width: true,
  height: true,
  mimeType: true,
  byteSize: true,
  capturedAt: true,
  externalId: true,
  createdAt: true,
} as const satisfies Prisma.LesionImageSelect;

export type StoredLesionImage = Prisma.LesionImageGetPayload<{ select: typeof lesionImageSelect }>;

/**
 * Collects audit entries (through recordAudit, so they are serialised exactly like every other entry) and writes
 * them in one statement at the end of the transaction: an import writes four or five entries per lesion.
 */
export class AuditBatch {
  private readonly rows: Prisma.AuditLogUncheckedCreateInput[] = [];
  readonly writer = {
    auditLog: {
      create: async (args: { data: Prisma.AuditLogUncheckedCreateInput }) => {
        this.rows.push(args.data);
      },
    },
  };

  async flush(tx: Tx): Promise<void> {
    if (this.rows.length === 0) return;
    await tx.auditLog.createMany({ data: this.rows.splice(0) });
  }
}

type AuditWriter = Tx | AuditBatch["writer"];

export interface CreateLesionImageRowInput {
  image: PreparedImage;
  lesionId: string;
  capturedAt: Date | null;
  uploadedById: string | null;
  externalId: string | null;
  actorId: string | null;
  auditAction: AuditAction;
}

/** The row, and its audit entry written through `audit` (the transaction itself, or an AuditBatch's writer). */
export async function createLesionImageRow(tx: Tx, input: CreateLesionImageRowInput, audit: AuditWriter = tx): Promise<StoredLesionImage> {
  const { image } = input;
  const row = await tx.lesionImage.create({
    data: {
      lesionId: input.lesionId,
      contentHash: image.contentHash,
      sourceHash: image.sourceHash,
      storageKey: imageBlobKeys(image.contentHash).original,
      width: image.width,
      height: image.height,
      mimeType: image.mimeType,
      byteSize: image.original.byteLength,
      capturedAt: input.capturedAt,
      uploadedById: input.uploadedById,
      externalId: input.externalId,
    },
    select: lesionImageSelect,
  });
  await recordAudit(audit, {
    actorId: input.actorId,
    action: input.auditAction,
    entityType: "LesionImage",
    entityId: row.id,
    after: { ...row, sourceType: image.sourceType },
  });
  return row;
}
