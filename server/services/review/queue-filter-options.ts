/** What the queue's filters offer: the body-site vocabulary and the model versions, newest first. */
import { BODY_SITES } from "../clinical/vocabulary";
import type { Db } from "../../db/client";

export async function listQueueFilterOptions(options: { db: Db }) {
  const modelVersions = await options.db.modelVersion.findMany({
    orderBy: { createdAt: "desc" },
    take: 100,
    select: { id: true, version: true, status: true },
  });
  return { bodySites: [...BODY_SITES], modelVersions };
}
