/**
 * The deployment's lesion-disjoint split, and with it the locked test set that every candidate and the active model
 * are compared on. Two rules, both fixed for the life of a deployment:
 * - a base data set keeps its own split, made lesion-safe: a lesion with any image in train is train, else with any
 *   image in val is val, else test. So its locked test lesions are ones no model trained on that data set has seen
 *   (the committed demo model was trained on DermaMNIST's official train split);
 * - a clinic lesion is placed by a salted SHA-256 of its lesion key: 20% test, 15% validation, 65% train. The salt is
 *   drawn once per deployment and stored, so a lesion never changes split as cases arrive, and new lesions join the
 *   test set at the same rate. A clinic lesion that is also in the base data set takes the base data set's split.
 */
import { createHash, randomBytes } from "node:crypto";
import { lesionKey, lesionsInSeveralSplits, type ImageRecord, type Split } from "@/ml/data";
import type { Db } from "../../db/client";

export const LOCKED_TEST_FRACTION = 0.2;
export const CLINIC_VAL_FRACTION = 0.15;
const SPLIT_SALT_KEY = "training.splitSalt";

/** The deployment's split salt, created on first use (concurrent first uses agree: the insert is conflict-free). */
export async function deploymentSplitSalt(db: Db): Promise<string> {
  const salt = randomBytes(16).toString("hex");
  await db.$executeRaw`INSERT INTO "Setting" (key, value, "updatedAt") VALUES (${SPLIT_SALT_KEY}, ${JSON.stringify(salt)}::jsonb, now()) ON CONFLICT (key) DO NOTHING`;
  const row = await db.setting.findUniqueOrThrow({ where: { key: SPLIT_SALT_KEY } });
  if (typeof row.value !== "string" || row.value.length < 16) throw new Error(`Setting ${SPLIT_SALT_KEY} is damaged: restore it from a backup.`);
  return row.value;
}

/** A clinic lesion's split: a uniform draw from the salted hash of its key. */
export function clinicSplitOf(key: string, salt: string): Split {
  const draw = createHash("sha256").update(`${salt}\0${key}`).digest().readUInt32BE(0) / 2 ** 32;
  if (draw < LOCKED_TEST_FRACTION) return "test";
  if (draw < LOCKED_TEST_FRACTION + CLINIC_VAL_FRACTION) return "val";
  return "train";
}

/** Each lesion's split in a data set's own split, made lesion-safe (train wins over val, val over test). */
export function lesionSafeSplits(records: readonly ImageRecord[]): Map<string, Split> {
  const rank: Record<Split, number> = { train: 0, val: 1, test: 2 };
  const byLesion = new Map<string, Split>();
  for (const record of records) {
    const key = lesionKey(record);
    const current = byLesion.get(key);
    if (current === undefined || rank[record.split] < rank[current]) byLesion.set(key, record.split);
  }
  return byLesion;
}

/** Records with the deployment's splits applied; throws if any lesion would straddle two splits. */
export function applyDeploymentSplits(options: {
  base: readonly ImageRecord[];
  clinic: readonly ImageRecord[];
  salt: string;
}): ImageRecord[] {
  const baseSplits = lesionSafeSplits(options.base);
  const splitOf = (record: ImageRecord) => {
    const key = lesionKey(record);
    return baseSplits.get(key) ?? clinicSplitOf(key, options.salt);
  };
  const records = [...options.base, ...options.clinic].map((record) => ({ ...record, split: splitOf(record) }));
  const straddling = lesionsInSeveralSplits(records);
  if (straddling.size > 0) {
    throw new Error(`${straddling.size} lesions would have images in more than one split; refusing to train.`);
  }
  return records;
}

/** Identity of a test set: its size, its malignant count and a hash of its image ids. */
export function testSetIdentity(records: readonly ImageRecord[]) {
  const test = records.filter((record) => record.split === "test" && record.malignant !== null);
  const ids = test.map((record) => record.id).sort();
  return {
    images: test.length,
    lesions: new Set(test.map(lesionKey)).size,
    malignant: test.filter((record) => record.malignant).length,
    fingerprint: createHash("sha256").update(ids.join("\n")).digest("hex").slice(0, 16),
  };
}
