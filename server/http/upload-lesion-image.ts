/**
 * POST /api/lesions/:lesionId/images: one image per request, the raw file as the body
 * (Content-Type: application/octet-stream). The route handler passes in the session user; access is checked here,
 * where the data is written, not only in the proxy.
 *
 * Why a raw body and that content type: the size limit can be enforced while the body streams in (no multipart
 * parser buffering it first), and a cross-site HTML form cannot send application/octet-stream, so a forged upload
 * from another origin needs a CORS preflight that this route never grants. A request from another origin is refused
 * outright as well (same-origin.ts).
 *
 * Resources: each upload is admitted by the process's DecodeLimiter before its body is read (429 when this user has
 * too many in progress, 503 when the server has, both with Retry-After), and decodes only in one of its slots. A file
 * uploaded before, byte for byte, is answered as a duplicate without being decoded (ingest-image.ts).
 *
 * The file name is never sent: the browser shows each result next to the name it already knows, and file names
 * often hold patients' names. Nothing here logs request data.
 */
import type { Db } from "@/server/db/client";
import { can } from "@/server/auth/roles";
import { CHANGE_PASSWORD_FIRST, type SessionUser } from "@/server/auth/session";
import { idSchema } from "@/server/services/clinical/schemas";
import { formatBytes, tooLargeReason, type ImageLimits } from "@/server/services/images/image-limits";
import {
  DECODE_RETRY_AFTER_SECONDS,
  DecodeBusyError,
  ingestImage,
  isImageRejectedError,
  LesionNotFoundError,
  uploadDecodeLimiter,
  type DecodeLimiter,
  type DecodeTicket,
  type ImageRejectionCode,
  type ImageStore,
} from "@/server/services/images";
import { componentLogger } from "@/server/logging/logger";
import { containsNulByte, NUL_BYTE_MESSAGE } from "@/server/security/nul-bytes";
import { jsonResponse } from "./json-response";
import { readLimitedBody } from "./read-limited-body";
import { isCrossOriginRequest } from "./same-origin";

export const UPLOAD_CONTENT_TYPE = "application/octet-stream";

/** The body of every answer the browser's upload component reads. */
export type UploadResult =
  | { status: "created"; image: { id: string; width: number; height: number; capturedAt: string | null } }
  | { status: "duplicate"; existingImageId: string; existingLesionId: string; sameLesion: boolean }
  | { status: "rejected"; code: ImageRejectionCode | "INCOMPLETE"; reason: string }
  | { status: "error"; message: string };

export interface UploadLesionImageOptions {
  request: Request;
  user: SessionUser | null;
  lesionId: string;
  db: Db;
  store: ImageStore;
  limits: ImageLimits;
  /** Called with the new image's id once it is stored (the route queues it for scoring). */
  onStored?: (imageId: string) => Promise<unknown>;
  /** Default: the process's shared limiter. */
  decodeLimiter?: DecodeLimiter;
}

const answer = (body: UploadResult, status: number, headers?: Record<string, string>) => jsonResponse(body, status, headers);
const error = (message: string, status: number, headers?: Record<string, string>) => answer({ status: "error", message }, status, headers);
const busy = (scope: DecodeBusyError["scope"]) =>
  scope === "user"
    ? error("You have several uploads still being processed. Wait for them to finish, then try again.", 429, { "Retry-After": String(DECODE_RETRY_AFTER_SECONDS) })
    : error("The server is busy processing other uploads. Try again in a few seconds.", 503, { "Retry-After": String(DECODE_RETRY_AFTER_SECONDS) });
const tooLarge = (limits: ImageLimits, size?: number) =>
  answer(
    {
      status: "rejected",
      code: "TOO_LARGE",
      reason: tooLargeReason(limits, size),
    },
    422,
  );

function declaredLength(request: Request): number | undefined {
  const header = request.headers.get("content-length");
  if (header === null || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

export async function uploadLesionImage(options: UploadLesionImageOptions): Promise<Response> {
  const { request, user, db, limits } = options;
  if (isCrossOriginRequest(request)) return error("Uploads from another site are refused. Use DermFlag's own pages.", 403);
  if (!user) return error("Sign in to continue.", 401);
  if (user.mustChangePassword) return error(CHANGE_PASSWORD_FIRST, 403);
  if (!can(user.role, "clinical:write")) return error("Your role is not allowed to upload images.", 403);

  if (containsNulByte(options.lesionId)) return error(NUL_BYTE_MESSAGE, 400);
  const lesionId = idSchema.safeParse(options.lesionId);
  if (!lesionId.success) return error("No such lesion.", 404);
  const mediaType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== UPLOAD_CONTENT_TYPE) {
    return error(`Send the file itself as the request body, with Content-Type ${UPLOAD_CONTENT_TYPE}.`, 415);
  }
  // Answer a wrong lesion before reading a byte of the body.
  if (!(await db.lesion.findUnique({ where: { id: lesionId.data }, select: { id: true } }))) {
    return error("No such lesion.", 404);
  }

  const declared = declaredLength(request);
  if (declared !== undefined && declared > limits.maxBytes) return tooLarge(limits, declared);
  let ticket: DecodeTicket;
  try {
    ticket = (options.decodeLimiter ?? uploadDecodeLimiter).admit(user.id);
  } catch (caught) {
    if (caught instanceof DecodeBusyError) return busy(caught.scope);
    throw caught;
  }
  try {
    return await receiveAndIngest(options, { user, lesionId: lesionId.data, declared, ticket });
  } finally {
    ticket.release();
  }
}

async function receiveAndIngest(
  options: UploadLesionImageOptions,
  admitted: { user: SessionUser; lesionId: string; declared: number | undefined; ticket: DecodeTicket },
): Promise<Response> {
  const { request, db, store, limits } = options;
  const { user, lesionId, declared, ticket } = admitted;
  const body = await readLimitedBody(request.body, limits.maxBytes);
  if (!body.ok) return tooLarge(limits);
  if (declared !== undefined && body.bytes.byteLength < declared) {
    // A proxy that buffers bodies up to a limit passes on a truncated body without failing the request.
    return answer(
      {
        status: "rejected",
        code: "INCOMPLETE",
        reason: `Only ${formatBytes(body.bytes.byteLength)} of ${formatBytes(declared)} arrived. Try again; if it happens every time, the server's upload limit is lower than the file.`,
      },
      422,
    );
  }

  try {
    const result = await ingestImage({ db, store, actorId: user.id, lesionId, bytes: body.bytes, limits, decodeSlot: ticket.run });
    if (result.status === "duplicate") {
      return answer(
        {
          status: "duplicate",
          existingImageId: result.existingImageId,
          existingLesionId: result.existingLesionId,
          sameLesion: result.existingLesionId === lesionId,
        },
        200,
      );
    }
    const { id, width, height, capturedAt } = result.image;
    if (options.onStored) {
      // Scoring is queued, not awaited; if the queue is unreachable the worker's sweep scores the image later.
      await options.onStored(id).catch((queueError: unknown) =>
        componentLogger("upload").error({ err: queueError, imageId: id }, "could not queue scoring"),
      );
    }
    return answer({ status: "created", image: { id, width, height, capturedAt: capturedAt?.toISOString() ?? null } }, 201);
  } catch (caught) {
    if (isImageRejectedError(caught)) return answer({ status: "rejected", code: caught.code, reason: caught.reason }, 422);
    if (caught instanceof LesionNotFoundError) return error("No such lesion.", 404);
    // The error's kind and system code only (EACCES, ENOSPC...: enough to see it is the store; the logger never writes
    // an error's message, which can carry SQL or paths).
    componentLogger("images").error({ err: caught }, "upload failed");
    return error("The image could not be stored because of a server problem. Try again.", 500);
  }
}
