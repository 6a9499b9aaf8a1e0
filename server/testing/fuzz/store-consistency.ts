/**
 * "No partial writes", checked from the outside after a fuzz run: every file in the image store is a blob of a
 * committed LesionImage row, every row's three blobs exist, no temporary file is left behind, and every row has its
 * audit entry. Returns the problems found (empty when consistent) so a test can print all of them at once.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import type { Db } from "@/server/db/client";
import type { LocalImageStore } from "@/server/services/images/local-image-store";
import { imageBlobKeys } from "@/server/services/images/storage-keys";

/** Every file under the store's root, as store keys ("ab/cd/<hash>.png"), dot-files included. */
export function filesInStore(store: LocalImageStore): string[] {
  let entries;
  try {
    entries = readdirSync(store.root, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(store.root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

export async function findPartialWrites(db: Db, store: LocalImageStore): Promise<string[]> {
  const rows = await db.lesionImage.findMany({ select: { id: true, contentHash: true, storageKey: true } });
  const expected = new Map<string, string>();
  for (const row of rows) {
    const keys = imageBlobKeys(row.contentHash);
    for (const key of [keys.original, keys.thumbnail, keys.modelView]) expected.set(key, row.id);
  }
  const problems: string[] = [];
  const onDisk = new Set(filesInStore(store));
  for (const file of onDisk) {
    if (path.posix.basename(file).startsWith(".")) problems.push(`temporary file left in the store: ${file}`);
    else if (!expected.has(file)) problems.push(`blob without a LesionImage row: ${file}`);
  }
  for (const [key, id] of expected) if (!onDisk.has(key)) problems.push(`LesionImage ${id} is missing its blob ${key}`);
  for (const row of rows) {
    if (row.storageKey !== imageBlobKeys(row.contentHash).original) problems.push(`LesionImage ${row.id} points at ${row.storageKey}`);
  }
  const audited = await db.auditLog.groupBy({ by: ["entityId"], where: { entityType: "LesionImage" }, _count: { _all: true } });
  const auditCount = new Map(audited.map((entry) => [entry.entityId, entry._count._all]));
  for (const row of rows) {
    const count = auditCount.get(row.id) ?? 0;
    if (count !== 1) problems.push(`LesionImage ${row.id} has ${count} audit entries (expected 1)`);
  }
  return problems;
}
