/**
 * Real image blobs for the load benchmark's image path. The dashboard seed's LesionImage rows point at no files, so the
 * image route would answer 404 for them. This prepares the HAM10000 sample (70 real 600x450 dermoscopy photographs,
 * through the app's own prepareImage: lossless PNG original, 256 px JPEG thumbnail, model view) into a local image
 * store, then points every image of the lesions the benchmark's reviewers can reach (the first queue pages of every
 * kind tab) at one of those blobs.
 *
 * A content hash is an image's identity and unique per row, so each reached row gets its own key, sha256 of its row
 * id (the route derives blob keys from it and never re-hashes the bytes), hard-linked to a sample's files: the bytes
 * served are real photographs of clinical size, without storing hundreds of copies.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { DEFAULT_IMAGE_LIMITS, imageBlobKeys, LocalImageStore, prepareImage } from "@/server/services/images";

export interface ImageSeed {
  /** Real photographs prepared into the store. */
  sources: number;
  /** LesionImage rows now pointing at real blobs. */
  rows: number;
  /** Lesions whose every image has blobs. */
  lesions: number;
  original_bytes_mean: number;
  thumbnail_bytes_mean: number;
}

const KIND_TABS = [null, "LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"] as const;

export async function seedImageBlobs(
  client: pg.Client,
  options: { storeDir: string; sourceDir: string; flagsPerTab: number; maxSources?: number },
): Promise<ImageSeed> {
  const store = new LocalImageStore(options.storeDir);
  const files = (await fs.readdir(options.sourceDir)).filter((name) => /\.(jpe?g|png)$/i.test(name)).sort();
  const chosen = files.slice(0, options.maxSources ?? files.length);
  if (chosen.length === 0) throw new Error(`no images in ${options.sourceDir}`);
  const sources: { keys: ReturnType<typeof imageBlobKeys>; width: number; height: number; bytes: number; thumbnailBytes: number }[] = [];
  for (const name of chosen) {
    const prepared = await prepareImage(new Uint8Array(await fs.readFile(path.join(options.sourceDir, name))), DEFAULT_IMAGE_LIMITS);
    const keys = imageBlobKeys(prepared.contentHash);
    await store.put(keys.original, prepared.original);
    await store.put(keys.thumbnail, prepared.thumbnail);
    await store.put(keys.modelView, prepared.modelView);
    sources.push({ keys, width: prepared.width, height: prepared.height, bytes: prepared.original.byteLength, thumbnailBytes: prepared.thumbnail.byteLength });
  }

  // Every image of the lesions behind the first `flagsPerTab` open flags of each kind tab, in queue order.
  const lesionIds = new Set<string>();
  for (const kind of KIND_TABS) {
    const result = await client.query<{ lesionId: string }>(
      `SELECT "lesionId" FROM "Flag" WHERE status = 'OPEN' AND ($1::text IS NULL OR kind = $1::"FlagKind")
       ORDER BY "biopsyPlanned" DESC, "pMalignant" DESC, id DESC LIMIT $2`,
      [kind, options.flagsPerTab],
    );
    for (const row of result.rows) lesionIds.add(row.lesionId);
  }
  const images = await client.query<{ id: string }>(`SELECT id FROM "LesionImage" WHERE "lesionId" = ANY($1::text[]) ORDER BY id`, [[...lesionIds]]);

  const updates = { id: [] as string[], hash: [] as string[], key: [] as string[], width: [] as number[], height: [] as number[], bytes: [] as number[] };
  for (const [index, image] of images.rows.entries()) {
    const source = sources[index % sources.length]!;
    const hash = createHash("sha256").update(`bench-image:${image.id}`).digest("hex");
    const keys = imageBlobKeys(hash);
    for (const variant of ["original", "thumbnail", "modelView"] as const) {
      const target = store.pathOf(keys[variant]);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.link(store.pathOf(source.keys[variant]), target);
    }
    updates.id.push(image.id);
    updates.hash.push(hash);
    updates.key.push(keys.original);
    updates.width.push(source.width);
    updates.height.push(source.height);
    updates.bytes.push(source.bytes);
  }
  await client.query(
    `UPDATE "LesionImage" i SET "contentHash" = u.hash, "storageKey" = u.key, width = u.width, height = u.height,
            "byteSize" = u.bytes, "mimeType" = 'image/png'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[]) AS u(id, hash, key, width, height, bytes)
     WHERE i.id = u.id`,
    [updates.id, updates.hash, updates.key, updates.width, updates.height, updates.bytes],
  );
  const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);
  return {
    sources: sources.length,
    rows: images.rows.length,
    lesions: lesionIds.size,
    original_bytes_mean: mean(sources.map((source) => source.bytes)),
    thumbnail_bytes_mean: mean(sources.map((source) => source.thumbnailBytes)),
  };
}
