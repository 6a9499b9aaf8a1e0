/** The committed demo model (ml/pretrained), installed into a test's model store and promoted: what scoring uses. */
import { listModelVersions } from "@/ml/store";
import { PRETRAINED_MODELS_DIR } from "@/prisma/seed-demo";
import type { Db } from "../db/client";
import { installModel } from "../services/models/install-model";
import { promoteModelVersion } from "../services/models/registry";

export async function installActiveModel(options: { db: Db; modelStoreDir: string }): Promise<{ id: string; version: string }> {
  const pretrained = listModelVersions(PRETRAINED_MODELS_DIR).at(-1);
  if (!pretrained) throw new Error(`no model in ${PRETRAINED_MODELS_DIR}`);
  const installed = await installModel({ db: options.db, sourceDir: pretrained.dir, storeDir: options.modelStoreDir });
  await promoteModelVersion({ db: options.db, actorId: null, modelVersionId: installed.id, overrideReason: "fault test: the committed demo model" });
  return { id: installed.id, version: installed.version };
}
