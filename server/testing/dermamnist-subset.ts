/**
 * A small real DermaMNIST folder for tests: the first rows of each official split of ../shared/data/dermamnist-28
 * (labels.csv rows and their images copied; they are 28 px), so training runs finish in seconds on real pictures.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DERMAMNIST_28_DIR } from "@/ml/data/shared-data";

export function writeDermamnistSubset(dir: string, perSplit: { train: number; val: number; test: number }): string {
  const lines = readFileSync(path.join(DERMAMNIST_28_DIR, "labels.csv"), "utf8").trim().split("\n");
  const [header, ...rows] = lines;
  const taken = { train: 0, val: 0, test: 0 };
  const kept = rows.filter((row) => {
    const split = row.split(",")[1] as keyof typeof taken;
    if (!(split in taken) || taken[split] >= perSplit[split]) return false;
    taken[split] += 1;
    return true;
  });
  mkdirSync(path.join(dir, "images"), { recursive: true });
  for (const row of kept) {
    const file = row.split(",")[0]!;
    copyFileSync(path.join(DERMAMNIST_28_DIR, "images", file), path.join(dir, "images", file));
  }
  writeFileSync(path.join(dir, "labels.csv"), [header, ...kept].join("\n") + "\n");
  return dir;
}
