/**
 * GET /api/images/:imageId?variant=thumbnail|original|model: an image's bytes for a signed-in user with
 * "clinical:read". Image ids are cuids and hard to guess, but access rests on the session, never on the id being
 * secret. Answers are never cached (shared caches must not keep clinical images) and carry a generic file name.
 */
import type { Db } from "@/server/db/client";
import { can } from "@/server/auth/roles";
import type { SessionUser } from "@/server/auth/session";
import { containsNulByte, NUL_BYTE_MESSAGE } from "@/server/security/nul-bytes";
import { recordPatientAccess } from "@/server/services/audit/access-log";
import { idSchema } from "@/server/services/clinical/schemas";
import { ImageBlobNotFoundError, modelViewKey, thumbnailKey, type ImageStore } from "@/server/services/images";
import { IMAGE_VARIANTS, isImageVariant } from "./image-url";
import { componentLogger } from "@/server/logging/logger";
import { jsonResponse } from "./json-response";

export interface ServeLesionImageOptions {
  user: SessionUser | null;
  imageId: string;
  /** The `variant` query parameter; absent means the original. */
  variant: string | null;
  db: Db;
  store: ImageStore;
}

export async function serveLesionImage(options: ServeLesionImageOptions): Promise<Response> {
  const { user, db, store } = options;
  if (!user) return jsonResponse({ error: "Sign in to continue." }, 401);
  if (!can(user.role, "clinical:read")) return jsonResponse({ error: "Your role is not allowed to see images." }, 403);
  const variant = options.variant ?? "original";
  if (!isImageVariant(variant)) return jsonResponse({ error: `variant must be one of: ${IMAGE_VARIANTS.join(", ")}.` }, 400);
  if (containsNulByte(options.imageId)) return jsonResponse({ error: NUL_BYTE_MESSAGE }, 400);
  const imageId = idSchema.safeParse(options.imageId);
  if (!imageId.success) return jsonResponse({ error: "No such image." }, 404);

  const image = await db.lesionImage.findUnique({
    where: { id: imageId.data },
    select: { id: true, contentHash: true, storageKey: true, mimeType: true, lesion: { select: { patientId: true } } },
  });
  if (!image) return jsonResponse({ error: "No such image." }, 404);
  // The access log: full images only; thumbnails appear inside pages that logged the view (access-log.ts).
  if (variant !== "thumbnail") {
    await recordPatientAccess(db, { actorId: user.id, patientId: image.lesion.patientId, via: "image", recordId: image.id });
  }

  // Formats as written by prepare-image.ts: the original and the model view are PNG, the thumbnail is JPEG.
  const blob = {
    original: { key: image.storageKey, type: image.mimeType, name: "lesion-image.png" },
    thumbnail: { key: thumbnailKey(image.contentHash), type: "image/jpeg", name: "lesion-image-thumbnail.jpg" },
    model: { key: modelViewKey(image.contentHash), type: "image/png", name: "lesion-image-model-view.png" },
  }[variant];

  let bytes: Uint8Array;
  try {
    bytes = await store.get(blob.key);
  } catch (error) {
    if (error instanceof ImageBlobNotFoundError) {
      // A row without its file means the store lost data: worth an operator's attention (the id holds no patient data).
      componentLogger("images").error({ imageId: image.id, variant }, "image blob missing from the store");
      return jsonResponse({ error: "The image file is missing from the image store." }, 404);
    }
    throw error;
  }
  // A view on the same memory, typed for Response (the store never hands out shared memory; copy if it ever does).
  const body = bytes.buffer instanceof ArrayBuffer ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.slice();
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": blob.type,
      "Content-Length": String(bytes.byteLength),
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
      "Content-Disposition": `inline; filename="${blob.name}"`,
    },
  });
}
