/**
 * What the upload decode limiter buys (server/services/images/decode-limiter.ts), in the probe's scenario: one user
 * sends 16 uploads of 49-megapixel JPEGs at once while another user uploads one ordinary 600x450 dermoscopy image and
 * the server keeps reading small files (what serving pages and thumbnails needs; file reads share libuv's thread pool
 * with sharp). Two configurations, each in its own child process:
 * - "unbounded": every upload decodes at once (the route before the limiter);
 * - "limited": the route's admission with DEFAULT_DECODE_LIMITS (4 uploads admitted per user, the other 12 answered
 *   429 at once; 2 decodes at a time, users taking turns).
 * Measured: peak resident memory above the level before the burst (sampled every 10 ms), seconds until the burst is
 * done, how long the other user's image took, and the slowest 4 KB file read during the burst. Only the decode path
 * runs (prepareImage in a limiter slot, as the route runs it); no database, no HTTP.
 *
 *   nice npx tsx bench/upload-decode-bench.ts      # writes bench/results/upload-decode.json (a few minutes)
 */
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { DecodeBusyError, DecodeLimiter, DEFAULT_DECODE_LIMITS } from "@/server/services/images/decode-limiter";
import { DEFAULT_IMAGE_LIMITS } from "@/server/services/images/image-limits";
import { prepareImage } from "@/server/services/images/prepare-image";
import { hamSampleImage } from "@/server/services/images/test-images";

const LARGE_SIDE = 7000; // 49 megapixels, just under IMAGE_MAX_PIXELS (50 MP)
const UPLOADS = 16;
const self = fileURLToPath(import.meta.url);

async function largeJpeg(seed: number): Promise<Uint8Array> {
  // Noise scaled up: smooth, camera-like content of realistic JPEG size; each seed differs, so none is a duplicate.
  const noise = await sharp({
    create: { width: LARGE_SIDE / 10, height: LARGE_SIDE / 10, channels: 3, background: { r: 128, g: 100, b: 90 }, noise: { type: "gaussian", mean: 100 + seed, sigma: 40 } },
  })
    .png()
    .toBuffer();
  return sharp(noise).resize(LARGE_SIDE, LARGE_SIDE).jpeg({ quality: 90 }).toBuffer();
}

async function runOne(limited: boolean) {
  const large: Uint8Array[] = [];
  for (let i = 0; i < UPLOADS; i += 1) large.push(await largeJpeg(i)); // one at a time: not part of the measurement
  const small = hamSampleImage(1);
  const probeFile = path.join(os.tmpdir(), `upload-decode-bench-${process.pid}`);
  await writeFile(probeFile, Buffer.alloc(4096));
  const limiter = new DecodeLimiter(limited ? DEFAULT_DECODE_LIMITS : { maxConcurrent: UPLOADS + 1, maxPerUser: UPLOADS, maxAdmitted: UPLOADS + 1 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);

  let refused = 0;
  const upload = async (user: string, bytes: Uint8Array) => {
    let ticket;
    try {
      ticket = limiter.admit(user);
    } catch (error) {
      if (error instanceof DecodeBusyError) return void (refused += 1);
      throw error;
    }
    try {
      await ticket.run(() => prepareImage(bytes, DEFAULT_IMAGE_LIMITS));
    } finally {
      ticket.release();
    }
  };
  const started = performance.now();
  let burstDone = false;
  const burst = Promise.all(large.map((bytes) => upload("sender", bytes))).then(() => (burstDone = true));
  let slowestReadMs = 0;
  const reads = (async () => {
    while (!burstDone) {
      const t = performance.now();
      await readFile(probeFile);
      slowestReadMs = Math.max(slowestReadMs, performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const smallStarted = performance.now();
  await upload("another-user", small);
  const smallMs = performance.now() - smallStarted;
  await burst;
  await reads;
  const burstSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
  return {
    decodes_at_once: limited ? DEFAULT_DECODE_LIMITS.maxConcurrent : UPLOADS,
    uploads_refused_429: refused,
    rss_before_burst_mb: mb(baseline),
    peak_rss_above_before_mb: mb(peak - baseline),
    burst_seconds: Number(burstSeconds.toFixed(1)),
    other_users_image_ms: Math.round(smallMs),
    slowest_4kb_file_read_ms: Math.round(slowestReadMs),
  };
}

const mode = process.argv[process.argv.indexOf("--mode") + 1];
if (mode === "limited" || mode === "unbounded") {
  console.log(JSON.stringify(await runOne(mode === "limited")));
} else {
  const run = (which: string) =>
    JSON.parse(execFileSync(process.execPath, ["--import", "tsx", self, "--mode", which], { encoding: "utf8" }).trim().split("\n").pop()!) as Awaited<
      ReturnType<typeof runOne>
    >;
  const result = {
    measured_at: new Date().toISOString(),
    machine: { cpus: os.availableParallelism(), memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    command: "nice npx tsx bench/upload-decode-bench.ts",
    scenario: `one user sends ${UPLOADS} uploads of ${LARGE_SIDE}x${LARGE_SIDE} JPEGs (49 MP) at once; another user sends one 600x450 image`,
    note: "One process per configuration; decode path only (prepareImage in a DecodeLimiter slot). The machine was shared with other work, so times vary.",
    unbounded: run("unbounded"),
    limited: run("limited"),
  };
  console.log(JSON.stringify(result, null, 2));
  await writeFile(path.join(path.dirname(self), "results", "upload-decode.json"), `${JSON.stringify(result, null, 2)}\n`);
}
