import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "./sha256";
import {
  codeVersion,
  labelledRecordsHash,
  listModelVersions,
  loadModel,
  MANIFEST_JSON,
  MODEL_FILES,
  ModelStoreError,
  readModelDirectory,
  removeStalePartials,
  resolveModelDir,
  saveModel,
} from "./index";
import { FIXTURE_PREPROCESSING, fixtureMetadata, saveTinyModel, tinyClassifier } from "./model-fixture.test-helper";

let root: string;
let model: tf.LayersModel;
let images: tf.Tensor4D;

beforeAll(async () => {
  await tf.setBackend("cpu");
  root = mkdtempSync(path.join(tmpdir(), "dermflag-store-"));
  model = tinyClassifier(7);
  images = tf.randomUniform([5, 28, 28, 3], -2, 2, "float32", 3) as tf.Tensor4D;
});

afterAll(() => {
  model.dispose();
  images.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh saved copy of the model in its own folder, for tests that damage it. */
async function savedCopy(name: string): Promise<string> {
  const saved = await saveTinyModel(path.join(root, name), "v1", model);
  return saved.dir;
}

function expectStoreError(action: () => unknown, code: string, file?: string): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelStoreError);
    expect((error as ModelStoreError).code).toBe(code);
    if (file !== undefined) expect((error as ModelStoreError).file).toBe(file);
    return;
  }
  throw new Error(`expected ModelStoreError ${code}`);
}

describe("saveModel / loadModel", () => {
  it("round-trips: the loaded model predicts exactly what the saved one did", async () => {
    const saved = await saveTinyModel(path.join(root, "roundtrip"), "v2025-01-02", model);
    const loaded = await loadModel(saved.dir);
    const before = (model.predict(images) as tf.Tensor).dataSync();
    const after = (loaded.model.predict(images) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(loaded.version).toBe("v2025-01-02");
    expect(loaded.metadata.operatingPoint.threshold).toBe(0.3);
    expect(loaded.preprocessing).toEqual(FIXTURE_PREPROCESSING);
    expect(loaded.metrics).toEqual({ note: "fixture" });
    expect(loaded.manifestSha256).toBe(saved.manifestSha256);
    loaded.model.dispose();
  });

  it("writes a manifest with every file's size and SHA-256, readable by other users", async () => {
    const saved = await saveTinyModel(path.join(root, "manifest"), "v1", model);
    const manifest = JSON.parse(readFileSync(path.join(saved.dir, MANIFEST_JSON), "utf8")) as { files: { path: string; bytes: number; sha256: string }[] };
    expect(manifest.files.map((f) => f.path).sort()).toEqual([...MODEL_FILES].sort());
    for (const f of manifest.files) {
      const bytes = readFileSync(path.join(saved.dir, f.path));
      expect(f.bytes).toBe(bytes.length);
      expect(f.sha256).toBe(sha256Hex(bytes));
    }
    expect(sha256Hex(readFileSync(path.join(saved.dir, MANIFEST_JSON)))).toBe(saved.manifestSha256);
    expect(statSync(saved.dir).mode & 0o777).toBe(0o755);
    // model.json is standard tfjs: its weights manifest points at weights.bin.
    const modelJson = JSON.parse(readFileSync(path.join(saved.dir, "model.json"), "utf8")) as { weightsManifest: { paths: string[] }[] };
    expect(modelJson.weightsManifest[0]!.paths).toEqual(["weights.bin"]);
  });

  it("refuses to overwrite a version or to use a path as a version", async () => {
    await saveTinyModel(path.join(root, "twice"), "v1", model);
    await expect(saveTinyModel(path.join(root, "twice"), "v1", model)).rejects.toMatchObject({ code: "ALREADY_EXISTS" });
    await expect(saveTinyModel(path.join(root, "twice"), "../escape", model)).rejects.toMatchObject({ code: "INVALID_VERSION" });
  });

  it("refuses metadata that load would reject", async () => {
    const metadata = { ...fixtureMetadata("v1"), classes: ["nv", "mel"] };
    await expect(
      saveModel({ modelsDir: path.join(root, "bad-meta"), model, metadata, preprocessing: FIXTURE_PREPROCESSING, metrics: {}, modelCard: { markdown: "", json: {} } }),
    ).rejects.toThrow(/must be akiec, bcc/);
    expect(existsSync(path.join(root, "bad-meta", "v1"))).toBe(false);
  });
});

describe("atomic save", () => {
  it("leaves neither the version nor a partial directory when the write fails midway", async () => {
    const parent = path.join(root, "atomic");
    const written: string[] = [];
    await expect(
      saveModel({
        modelsDir: parent,
        model,
        metadata: fixtureMetadata("v1"),
        preprocessing: FIXTURE_PREPROCESSING,
        metrics: {},
        modelCard: { markdown: "", json: {} },
        onFileWritten: (file) => {
          written.push(file);
          if (file === "metadata.json") throw new Error("disk full (simulated)");
        },
      }),
    ).rejects.toMatchObject({ code: "WRITE_FAILED", message: expect.stringContaining("disk full (simulated)") });
    expect(written).toEqual(["weights.bin", "model.json", "preprocessing.json", "metadata.json"]);
    expect(readdirSync(parent)).toEqual([]);
    // The same version can then be saved normally.
    await saveTinyModel(parent, "v1", model);
    expect(readdirSync(parent)).toEqual(["v1"]);
  });

  it("cleans up partial directories left by a crash once they are old", () => {
    const parent = path.join(root, "stale");
    mkdirSync(path.join(parent, ".v9.partial-abc"), { recursive: true });
    mkdirSync(path.join(parent, ".v10.partial-def"), { recursive: true });
    mkdirSync(path.join(parent, "v8"), { recursive: true });
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(path.join(parent, ".v9.partial-abc"), old, old);
    expect(removeStalePartials(parent)).toEqual([path.join(parent, ".v9.partial-abc")]);
    expect(readdirSync(parent).sort()).toEqual([".v10.partial-def", "v8"]);
  });
});

describe("readModelDirectory refuses damaged models", () => {
  it("a flipped byte in weights.bin (checksum mismatch), before building any model", async () => {
    const dir = await savedCopy("flip");
    const file = path.join(dir, "weights.bin");
    const bytes = readFileSync(file);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(file, bytes);
    expectStoreError(() => readModelDirectory(dir), "CHECKSUM_MISMATCH", "weights.bin");
    await expect(loadModel(dir)).rejects.toThrow(/weights\.bin: SHA-256 .* does not match the manifest/);
  });

  it("a truncated model.json (size mismatch)", async () => {
    const dir = await savedCopy("truncate");
    truncateSync(path.join(dir, "model.json"), 50);
    expectStoreError(() => readModelDirectory(dir), "SIZE_MISMATCH", "model.json");
  });

  it("a missing manifest (an interrupted or foreign directory)", async () => {
    const dir = await savedCopy("no-manifest");
    unlinkSync(path.join(dir, MANIFEST_JSON));
    expectStoreError(() => readModelDirectory(dir), "MANIFEST_MISSING");
  });

  it("a missing file, a manifest that omits a required file or points outside the directory", async () => {
    const missing = await savedCopy("missing-file");
    unlinkSync(path.join(missing, "metrics.json"));
    expectStoreError(() => readModelDirectory(missing), "FILE_MISSING", "metrics.json");

    const omitted = await savedCopy("omitted");
    const manifestFile = path.join(omitted, MANIFEST_JSON);
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { files: { path: string }[] };
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, files: manifest.files.filter((f) => f.path !== "weights.bin") }));
    expectStoreError(() => readModelDirectory(omitted), "MANIFEST_INVALID", MANIFEST_JSON);

    writeFileSync(manifestFile, JSON.stringify({ ...manifest, files: [...manifest.files, { path: "../secret", bytes: 1, sha256: "0".repeat(64) }] }));
    expectStoreError(() => readModelDirectory(omitted), "MANIFEST_INVALID", MANIFEST_JSON);

    writeFileSync(manifestFile, "{ not json");
    expectStoreError(() => readModelDirectory(omitted), "MANIFEST_INVALID", MANIFEST_JSON);
  });

  it("content that matches a (re-written) manifest but not the schema", async () => {
    const dir = await savedCopy("schema");
    const metadataFile = path.join(dir, "metadata.json");
    const metadata = JSON.parse(readFileSync(metadataFile, "utf8")) as Record<string, unknown>;
    writeFileSync(metadataFile, JSON.stringify({ ...metadata, classes: ["nv", "mel", "bcc", "akiec", "bkl", "df", "vasc"] }));
    const manifestFile = path.join(dir, MANIFEST_JSON);
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { files: { path: string; bytes: number; sha256: string }[] };
    const bytes = readFileSync(metadataFile);
    for (const f of manifest.files) if (f.path === "metadata.json") Object.assign(f, { bytes: bytes.length, sha256: sha256Hex(bytes) });
    writeFileSync(manifestFile, JSON.stringify(manifest));
    expectStoreError(() => readModelDirectory(dir), "CONTENT_INVALID", "metadata.json");
  });

  it("a directory that does not exist", () => {
    expectStoreError(() => readModelDirectory(path.join(root, "nowhere")), "NOT_FOUND");
  });
});

describe("finding versions", () => {
  it("lists versions oldest first and resolves a models folder to its newest version", async () => {
    const parent = path.join(root, "versions");
    const a = await saveModel({
      modelsDir: parent,
      model,
      metadata: { ...fixtureMetadata("v-old"), createdAt: "2025-01-01T00:00:00.000Z" },
      preprocessing: FIXTURE_PREPROCESSING,
      metrics: {},
      modelCard: { markdown: "", json: {} },
    });
    const b = await saveModel({
      modelsDir: parent,
      model,
      metadata: { ...fixtureMetadata("v-new"), createdAt: "2025-06-01T00:00:00.000Z" },
      preprocessing: FIXTURE_PREPROCESSING,
      metrics: {},
      modelCard: { markdown: "", json: {} },
    });
    mkdirSync(path.join(parent, ".v-x.partial-1"));
    expect(listModelVersions(parent).map((v) => v.version)).toEqual(["v-old", "v-new"]);
    expect(resolveModelDir(parent)).toBe(b.dir);
    expect(resolveModelDir(a.dir)).toBe(a.dir);
    expect(() => resolveModelDir(path.join(root, "nowhere"))).toThrow(ModelStoreError);
    const empty = path.join(root, "empty-models");
    mkdirSync(empty);
    expectStoreError(() => resolveModelDir(empty), "MANIFEST_MISSING");
  });
});

describe("provenance", () => {
  const record = (id: string, diagnosis: "nv" | "mel" | "bkl" | null, malignant: boolean | null) => ({ id, diagnosis, malignant });

  it("hashes training records independently of order, and changes on a relabel", () => {
    const records = [record("ISIC_2", "nv", false), record("ISIC_1", "mel", true), record("x/benign/a.jpg", null, false)];
    const hash = labelledRecordsHash(records);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(labelledRecordsHash([...records].reverse())).toBe(hash);
    expect(labelledRecordsHash([record("ISIC_2", "bkl", false), records[1]!, records[2]!])).not.toBe(hash);
    expect(labelledRecordsHash(records.slice(1))).not.toBe(hash);
    expect(sha256Hex("ISIC_1\tmel\nISIC_2\tnv\nx/benign/a.jpg\tbenign\n")).toBe(hash);
    expect(() => labelledRecordsHash([record("u", null, null)])).toThrow(/cannot be a training label/);
  });

  it("records the git commit of this checkout and the package version", () => {
    const version = codeVersion();
    expect(version.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof version.gitDirty).toBe("boolean");
    expect(version.packageVersion).toBe(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version);
  });
});
