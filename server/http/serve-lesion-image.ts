/**
 * GET /api/images/:imageId?variant=thumbnail|original|model: an image's bytes for a signed-in user with
 * "clinical:read". Image ids are cuids and hard to guess, but access rests on the session, never on the id being
 * secret. Answers carry a generic file name.
 *
 * Caching (SECURITY.md, "Patient images in the browser"): an image row never changes (its blobs are addressed by its
 * content hash), so the signed-in browser may keep an answer for `browserCacheSeconds` (IMAGE_BROWSER_CACHE_SECONDS)
 * and then revalidate it with its ETag: a 304 after the same session and role checks, without reading the store.
 * `private` keeps it out of every shared cache (proxies, CDNs); sign-in and sign-out clear the browser's copy
 * (Clear-Site-Data, set in next.config.ts's headers()). 0 turns browser caching off (`no-store`, as before issue 17).
 */
import type { Db } from "@/server/db/client";
import { can } from "@/server/auth/roles";
import { CHANGE_PASSWORD_FIRST, type SessionUser } from "@/server/auth/session";
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
  /** The request's If-None-Match header. */
  ifNoneMatch?: string | null;
  /** How long the signed-in browser may reuse an answer without asking (IMAGE_BROWSER_CACHE_SECONDS); 0: never kept. */
  browserCacheSeconds: number;
  db: Db;
  store: ImageStore;
}

export async function serveLesionImage(options: ServeLesionImageOptions): Promise<Response> {
  const { user, db, store } = options;
  if (!user) return jsonResponse({ error: "Sign in to continue." }, 401);
  if (user.mustChangePassword) return jsonResponse({ error: CHANGE_PASSWORD_FIRST }, 403);
  if (!can(user.role, "clinical:read")) return jsonResponse({ error: "Your role is not allowed to see images." }, 403);
  const variant = options.variant ?? "original";
  if (!isImageVariant(variant)) return jsonResponse({ error: `variant must be one of: ${IMAGE_VARIANTS.join(", ")}.` }, 400);
  if (containsNulByte(options.imageId)) return jsonResponse({ error: NUL_BYTE_MESSAGE }, 400);
  const imageId = idSchema.safeParse(options.imageId);
  if (!imageId.success) return jsonResponse({ error: "No such image." }, 404);

  // One statement for the row alone: a thumbnail (most image requests, 25 per queue page) needs nothing else.
  const image = await db.lesionImage.findUnique({
    where: { id: imageId.data },
    select: { id: true, contentHash: true, storageKey: true, mimeType: true, lesionId: true },
  });
  if (!image) return jsonResponse({ error: "No such image." }, 404);
  // The access log: full images only; thumbnails appear inside pages that logged the view (access-log.ts).
  if (variant !== "thumbnail") {
    const { patientId } = await db.lesion.findUniqueOrThrow({ where: { id: image.lesionId }, select: { patientId: true } });
    await recordPatientAccess(db, { actorId: user.id, patientId, via: "image", recordId: image.id });
  }

  const etag = `"${image.contentHash}.${variant}"`;
  const caching: Record<string, string> =
    options.browserCacheSeconds > 0
      ? { "Cache-Control": `private, max-age=${options.browserCacheSeconds}, immutable`, ETag: etag }
      : { "Cache-Control": "private, no-store" };
  if (options.browserCacheSeconds > 0 && matchesEtag(options.ifNoneMatch, etag)) {
    return new Response(null, { status: 304, headers: caching });
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
      ...caching,
      "X-Content-Type-Options": "nosniff",
      "Content-Disposition": `inline; filename="${blob.name}"`,
    },
  });
}

/** If-None-Match against one ETag: a list of tags, weak ones compared weakly (RFC 9110 13.1.2), or "*". */
function matchesEtag(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((candidate) => {
    const tag = candidate.trim();
    return tag === "*" || tag.replace(/^W\//, "") === etag;
  });
}
