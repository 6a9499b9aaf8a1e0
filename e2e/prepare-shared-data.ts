/**
 * The e2e server's import folder (SHARED_DATA_DIR=.data/e2e-shared): the real data sets, linked (DermaMNIST is the
 * retraining spec's base data set), plus a small clinic export in the original project's folder layout, made from
 * real ISIC images and one truncated file, so the admin import can be run end to end in seconds and its per-file
 * refusal seen.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const shared = path.resolve(repo, "../shared/data");
const target = path.resolve(repo, ".data/e2e-shared");

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const dataset of ["ham10000-sample", "isic2019-180", "dermamnist-28"]) symlinkSync(path.join(shared, dataset), path.join(target, dataset));

const clinic = path.join(target, "clinic-export");
const source = path.join(shared, "isic2019-180", "train");
for (const [folder, count, skip] of [["benign", 3, 40], ["malignant", 3, 40]] as const) {
  mkdirSync(path.join(clinic, "train", folder), { recursive: true });
  for (const name of readdirSync(path.join(source, folder)).sort().slice(skip, skip + count)) {
    writeFileSync(path.join(clinic, "train", folder, name), readFileSync(path.join(source, folder, name)));
  }
}
mkdirSync(path.join(clinic, "test", "unknown"), { recursive: true });
const [first] = readdirSync(path.join(source, "benign")).sort().slice(50, 51);
writeFileSync(path.join(clinic, "test", "unknown", first!), readFileSync(path.join(source, "benign", first!)));
// A transfer cut short: the first 2 KB of a real JPEG.
const [cut] = readdirSync(path.join(source, "malignant")).sort().slice(60, 61);
writeFileSync(path.join(clinic, "train", "malignant", "ISIC_truncated.jpg"), readFileSync(path.join(source, "malignant", cut!)).subarray(0, 2048));
console.log(`[e2e] import folder ready: ${target}`);
