/**
 * predictEach, the path scoring jobs use, against predictBytes one image at a time on the committed demo model and
 * real images: the same probabilities (each image is still one engine run of its test-time views), in the items'
 * order, a failing item reported without stopping the rest, and the next images read and decoded before the first
 * result is handed back.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DERMAMNIST_28_DIR, readDermamnist } from "../data";
import { HAM10000_SAMPLE_DIR } from "../data/shared-data";
import { DIAGNOSES } from "../diagnoses";
import { listModelVersions } from "../store";
import { loadPredictor, type Predictor } from "./predictor";

const PRETRAINED = fileURLToPath(new URL("../pretrained", import.meta.url));
let predictor: Predictor;
let images: { name: string; bytes: Uint8Array }[];

beforeAll(async () => {
  const latest = listModelVersions(PRETRAINED).at(-1);
  if (!latest) throw new Error(`no model in ${PRETRAINED}`);
  predictor = await loadPredictor(latest.dir, { engine: "onnx", device: "cpu" });
  const photos = path.join(HAM10000_SAMPLE_DIR, "images");
  const full = readdirSync(photos).filter((f) => f.endsWith(".jpg")).sort().slice(0, 10);
  const small = readDermamnist(DERMAMNIST_28_DIR).filter((r) => r.split === "test").slice(0, 4);
  images = [
    ...full.map((name) => ({ name, bytes: readFileSync(path.join(photos, name)) })),
    ...small.map((r) => ({ name: path.basename(r.file), bytes: readFileSync(r.file) })),
  ];
});
afterAll(() => predictor?.dispose());

describe("predictEach (decoding overlapped with inference)", () => {
  it("gives exactly predictBytes' probabilities, in order, and reports a broken image without stopping", async () => {
    expect(predictor.preprocessing.testTimeAugmentation).toBe("dihedral");
    const broken = { name: "broken.jpg", bytes: Uint8Array.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]) };
    const items = [...images.slice(0, 5), broken, ...images.slice(5)];
    const results = [];
    for await (const result of predictor.predictEach(items, async (item) => ({ bytes: item.bytes }), { prefetch: 4 })) results.push(result);
    expect(results.map((r) => r.item.name)).toEqual(items.map((i) => i.name));
    for (const [index, result] of results.entries()) {
      if (result.item === broken) {
        expect("error" in result && String(result.error)).toMatch(/cannot decode image/);
        continue;
      }
      if ("error" in result) throw result.error;
      const alone = await predictor.predictBytes(items[index]!.bytes);
      for (const dx of DIAGNOSES) expect(result.prediction.probabilities[dx], `${result.item.name} ${dx}`).toBe(alone.probabilities[dx]);
      expect(result.prediction.pMalignant).toBe(alone.pMalignant);
      expect(result.prediction.ood?.score).toBe(alone.ood?.score);
      expect(result.prediction.latencyMs).toBeGreaterThan(0);
    }
  });

  it("reads and decodes the next images before handing back the first result", async () => {
    let prepared = 0;
    const preparedWhenFirstArrived: number[] = [];
    const prepare = async (item: { bytes: Uint8Array }) => {
      prepared++;
      return { bytes: item.bytes };
    };
    for await (const result of predictor.predictEach(images.slice(0, 6), prepare, { prefetch: 3 })) {
      preparedWhenFirstArrived.push(prepared);
      expect("prediction" in result).toBe(true);
    }
    // When the first result arrives, the second is in the engine and the 3 after it in preparation; no more.
    expect(preparedWhenFirstArrived[0]).toBe(5);
    expect(preparedWhenFirstArrived.at(-1)).toBe(6);
  });

  it("keeps the items' order when later items are ready first", async () => {
    const gates = images.slice(0, 4).map(() => {
      let resolve = () => {};
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    });
    // Item i waits until item i + 1 was prepared: completion order is the reverse of the items' order.
    const prepare = async (index: number) => {
      if (index === 3) gates[3]!.resolve();
      await gates[index + 1 === 4 ? 3 : index + 1]!.promise;
      gates[index]!.resolve();
      return { bytes: images[index]!.bytes };
    };
    const order: number[] = [];
    for await (const result of predictor.predictEach([0, 1, 2, 3], prepare)) order.push(result.item);
    expect(order).toEqual([0, 1, 2, 3]);
  });
});
