/**
 * Times decoding the shared datasets into raw RGB arrays (what training waits for before its first step).
 * Run: nice npx tsx ml/data/measure-load-times.ts [concurrency]
 */
import { availableParallelism } from "node:os";
import { loadImages } from "./decode";
import { readDermamnist } from "./read-dermamnist";
import { readFolderLayout } from "./read-folder-layout";
import { DERMAMNIST_28_DIR, ISIC2019_180_DIR } from "./shared-data";
import type { ImageRecord } from "./records";

const concurrency = Number(process.argv[2] ?? 8);

async function time(label: string, records: readonly ImageRecord[], size: number): Promise<void> {
  const start = performance.now();
  const pixels = await loadImages(records, size, { concurrency });
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${label.padEnd(22)} ${String(records.length).padStart(6)} images at ${size} px: ${seconds.toFixed(2)} s, ` +
      `${Math.round(records.length / seconds)} img/s, ${(pixels.byteLength / 2 ** 20).toFixed(1)} MiB`,
  );
}

const dermamnist = readDermamnist(DERMAMNIST_28_DIR);
const isic = readFolderLayout(ISIC2019_180_DIR, { valFraction: 0.1, seed: 1 });
console.log(`node ${process.version}, ${availableParallelism()} CPUs visible, concurrency ${concurrency}`);
await time("dermamnist-28", dermamnist, 28);
await time("isic2019-180", isic, 28);
await time("isic2019-180", isic, 64);
