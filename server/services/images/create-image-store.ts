/** The configured image store: the local content-addressed store under IMAGE_STORE_DIR. */
import { env } from "@/server/env";
import type { ImageStore } from "./image-store";
import { LocalImageStore } from "./local-image-store";

export function createImageStoreFromEnv(): ImageStore {
  return new LocalImageStore(env().IMAGE_STORE_DIR);
}
