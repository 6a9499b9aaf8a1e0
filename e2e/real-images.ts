/** Real photographs for e2e tests. */
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { HAM10000_SAMPLE_DIR } from "../ml/data/shared-data";

/**
 * A full-size HAM10000 photograph (600x450), cropped by a few random pixels: the e2e server runs in demo mode, whose
 * database already holds every ham10000-sample image, so the untouched file would (correctly) be a duplicate.
 */
export async function freshRealImage(file = "ISIC_0024354.jpg"): Promise<Buffer> {
  const left = randomInt(1, 40);
  const top = randomInt(1, 30);
  return sharp(readFileSync(path.join(HAM10000_SAMPLE_DIR, "images", file)))
    .extract({ left, top, width: 600 - left - randomInt(0, 20), height: 450 - top - randomInt(0, 20) })
    .jpeg({ quality: 95 })
    .toBuffer();
}
