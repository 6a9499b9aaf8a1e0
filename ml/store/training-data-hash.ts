/**
 * A fingerprint of the data a model learned from: SHA-256 over the training records' `id<TAB>label<LF>` lines,
 * sorted by id (UTF-16 code unit order), where the label is the diagnosis, or "malignant"/"benign" for records with
 * only a malignancy label. Two models with the same hash saw the same images with the same labels, whatever order
 * the files were read in; relabelling or adding one image changes it. It does not cover pixel content (file
 * bytes), which the dataset's own checksums should pin.
 */
import type { ImageRecord } from "../data";
import { sha256Hex } from "./sha256";

export function recordLabel(record: Pick<ImageRecord, "diagnosis" | "malignant">): string {
  if (record.diagnosis !== null) return record.diagnosis;
  if (record.malignant === null) throw new RangeError("a record without a diagnosis or malignancy label cannot be a training label");
  return record.malignant ? "malignant" : "benign";
}

export function labelledRecordsHash(records: readonly Pick<ImageRecord, "id" | "diagnosis" | "malignant">[]): string {
  const lines = records.map((r) => {
    if (/[\t\n]/.test(r.id)) throw new RangeError(`record id ${JSON.stringify(r.id)} contains a tab or newline`);
    return { id: r.id, line: `${r.id}\t${recordLabel(r)}\n` };
  });
  lines.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sha256Hex(lines.map((l) => l.line).join(""));
}
