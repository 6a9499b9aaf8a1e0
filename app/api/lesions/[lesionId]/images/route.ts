import { sessionFromGate, withSessionGate } from "@/server/auth/route-gate";
import { currentUser, loadSessionUser } from "@/server/auth/session";
import { getDb } from "@/server/db/client";
import { env } from "@/server/env";
import { uploadLesionImage } from "@/server/http/upload-lesion-image";
import { getSenderBoss } from "@/server/jobs/boss";
import { QUEUES } from "@/server/jobs/queues";
import { createImageStoreFromEnv, imageLimitsFromEnv } from "@/server/services/images";

/**
 * Upload one image to a lesion: see server/http/upload-lesion-image.ts. Not behind proxy.ts (which would hold the
 * whole body first): the sign-in gate runs here (server/auth/route-gate.ts).
 */
export const POST = withSessionGate(async (request: Request, context: { params: Promise<{ lesionId: string }> }) => {
  const { lesionId } = await context.params;
  // The session the gate already decoded (as the tRPC context reads it), not a second decryption of the token.
  const gated = sessionFromGate(request);
  return uploadLesionImage({
    request,
    user: gated !== undefined ? await loadSessionUser(getDb(), gated?.user) : await currentUser(),
    lesionId,
    db: getDb(),
    store: createImageStoreFromEnv(),
    limits: imageLimitsFromEnv(env()),
    onStored: async (imageId) => (await getSenderBoss()).send(QUEUES.scoreImages, { imageIds: [imageId] }),
  });
});
