/**
 * One uploaded image -> a LesionImage. A file uploaded before, byte for byte, is answered as a duplicate from its
 * source hash without decoding it (decoding is the expensive part). Then validation and conversion (prepare-image.ts,
 * no side effects; run inside the caller's decode slot when it passes one), then, in one transaction: the lesion must exist, the same picture must not be stored already, blobs are written, the
 * row and its audit entry are created. If anything in the transaction fails, the blobs this call created are removed
 * and the error is rethrown; the database rolls back the rest, so nothing partial remains.
 *
 * The original file name is never stored or audited (patients' names end up in file names); it only makes error
 * messages clearer.
 */
import type { Db } from "@/server/db/client";
import { env } from "@/server/env";
import { ImageRejectedError, isImageRejectedError } from "./image-rejected-error";
import { imageLimitsFromEnv, type ImageLimits } from "./image-limits";
import type { ImageStore } from "./image-store";
import {
  IMAGE_TRANSACTION_OPTIONS,
  createLesionImageRow,
  lockContentHashes,
  removeBlobs,
  writeImageBlobs,
  type StoredLesionImage,
} from "./persist-image";
import { prepareImage, sourceHashOf } from "./prepare-image";

export interface IngestImageOptions {
  db: Db;
  store: ImageStore;
  /** The user uploading (audited, and kept as uploadedById); null for system processes. */
  actorId: string | null;
  lesionId: string;
  bytes: Uint8Array;
  /** Only for messages; never stored. */
  originalName?: string;
  /** A capture date the user entered; overrides the one read from EXIF. */
  capturedAt?: Date;
  /** Default: from configuration (IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, IMAGE_MIN_DIMENSION). */
  limits?: ImageLimits;
  /** Runs the decode, e.g. in a DecodeLimiter slot (decode-limiter.ts); default: at once. */
  decodeSlot?: <T>(decode: () => Promise<T>) => Promise<T>;
}

export type IngestImageResult =
  | { status: "created"; image: StoredLesionImage }
  | { status: "duplicate"; existingImageId: string; existingLesionId: string };

export class LesionNotFoundError extends Error {
  override readonly name = "LesionNotFoundError";
  constructor(readonly lesionId: string) {
    super(`No lesion with id ${lesionId}.`);
  }
}

export async function ingestImage(options: IngestImageOptions): Promise<IngestImageResult> {
  const { db, store, actorId, lesionId } = options;
  const limits = options.limits ?? imageLimitsFromEnv(env());
  const asDuplicate = (existing: { id: string; lesionId: string }): IngestImageResult => ({
    status: "duplicate",
    existingImageId: existing.id,
    existingLesionId: existing.lesionId,
  });

  const sameFile = await db.lesionImage.findFirst({
    where: { sourceHash: sourceHashOf(options.bytes) },
    select: { id: true, lesionId: true },
  });
  if (sameFile) return asDuplicate(sameFile);

  let image;
  try {
    const decode = () => prepareImage(options.bytes, limits);
    image = await (options.decodeSlot ? options.decodeSlot(decode) : decode());
  } catch (error) {
    if (isImageRejectedError(error) && options.originalName) {
      throw new ImageRejectedError(error.code, `${options.originalName}: ${error.reason}`, { cause: error });
    }
    throw error;
  }

  // The same picture from a different file (other metadata, another encoding of the same pixels) is found here.
  const findExisting = () =>
    db.lesionImage.findUnique({ where: { contentHash: image.contentHash }, select: { id: true, lesionId: true } });

  const before = await findExisting();
  if (before) return asDuplicate(before);

  try {
    return await db.$transaction(async (tx) => {
      const lesion = await tx.lesion.findUnique({ where: { id: lesionId }, select: { id: true } });
      if (!lesion) throw new LesionNotFoundError(lesionId);
      await lockContentHashes(tx, [image.contentHash]);
      const raced = await tx.lesionImage.findUnique({
        where: { contentHash: image.contentHash },
        select: { id: true, lesionId: true },
      });
      if (raced) return asDuplicate(raced);
      const created: string[] = [];
      try {
        await writeImageBlobs(store, image, created);
        const row = await createLesionImageRow(tx, {
          image,
          lesionId,
          capturedAt: options.capturedAt ?? image.capturedAt,
          uploadedById: actorId,
          externalId: null,
          actorId,
          auditAction: "CREATE",
        });
        return { status: "created" as const, image: row };
      } catch (error) {
        await removeBlobs(store, created);
        throw error;
      }
    }, IMAGE_TRANSACTION_OPTIONS);
  } catch (error) {
    // A writer that bypassed the lock (or a unique-index race) still ends as a duplicate, not an error.
    const existing = await findExisting().catch(() => null);
    if (existing) return asDuplicate(existing);
    throw error;
  }
}
