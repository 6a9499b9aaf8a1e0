import { currentUser } from "@/server/auth/session";
import { getDb } from "@/server/db/client";
import { env } from "@/server/env";
import { serveLesionImage } from "@/server/http/serve-lesion-image";
import { createImageStoreFromEnv } from "@/server/services/images";

/** An image's bytes for a signed-in reader: see server/http/serve-lesion-image.ts. */
export async function GET(request: Request, context: { params: Promise<{ imageId: string }> }) {
  const { imageId } = await context.params;
  return serveLesionImage({
    user: await currentUser(),
    imageId,
    variant: new URL(request.url).searchParams.get("variant"),
    ifNoneMatch: request.headers.get("if-none-match"),
    browserCacheSeconds: env().IMAGE_BROWSER_CACHE_SECONDS,
    db: getDb(),
    store: createImageStoreFromEnv(),
  });
}
